"""Errors of the front ends.

BotError
└── ConfigError   a setting is missing or invalid (raised at startup)
"""

from __future__ import annotations


class BotError(Exception):
    """Base class of front-end errors."""


class ConfigError(BotError):
    """A setting is missing or invalid; the message names the variable and the bad value."""
