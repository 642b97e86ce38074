"""Load a prompt template file and fill its $placeholders; a missing variable is an error."""

from __future__ import annotations

from pathlib import Path
from string import Template

_DIR = Path(__file__).parent


class MissingVariablesError(KeyError):
    """A template names a $variable that was not given."""


def render(name: str, **variables: str) -> str:
    """Fill prompts/NAME.txt with the variables.

    Raises:
        MissingVariablesError: the template uses a variable that was not passed.
    """
    template = Template((_DIR / f"{name}.txt").read_text(encoding="utf-8"))
    missing = sorted(
        {
            m.group("named") or m.group("braced")
            for m in template.pattern.finditer(template.template)
        }
        - {None}
        - set(variables)
    )
    if missing:
        raise MissingVariablesError(f"template {name!r} needs: {', '.join(missing)}")
    return template.substitute(variables)
