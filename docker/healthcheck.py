"""Docker health check of the bot container: cheap, standard library only.

Healthy when the webhook port accepts connections (webhook mode) and, with a Chroma server
configured, that server answers its heartbeat. Reads the same variables as bot/settings.py.
"""

from __future__ import annotations

import os
import socket
import sys
import urllib.request


def main() -> int:
    """0 when healthy, 1 (with the reason on stderr) when not."""
    env = os.environ
    if env.get("CHITHI_WEBHOOK_URL"):
        port = int(env.get("CHITHI_WEBHOOK_PORT") or 8443)
        try:
            socket.create_connection(("127.0.0.1", port), timeout=5).close()
        except OSError as exc:
            sys.stderr.write(f"webhook port {port}: {exc}\n")
            return 1
    url = env.get("CHITHI_CHROMA_URL")
    if url:
        request = urllib.request.Request(url.rstrip("/") + "/api/v2/heartbeat")
        if env.get("CHITHI_CHROMA_TOKEN"):
            request.add_header("Authorization", f"Bearer {env['CHITHI_CHROMA_TOKEN']}")
        try:
            with urllib.request.urlopen(request, timeout=5) as response:  # noqa: S310
                response.read()
        except OSError as exc:
            sys.stderr.write(f"Chroma at {url}: {exc}\n")
            return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
