"""Run an ASGI app under uvicorn on 127.0.0.1 in a background thread for tests.

Modelled on ``encode/httpx:tests/conftest.py`` (``TestServer``, ``serve_in_thread``).
"""

from __future__ import annotations

import socket
import threading
import time
from types import TracebackType

import uvicorn
from starlette.applications import Starlette
from starlette.types import ASGIApp

__all__ = ["ServerHandle", "closed_port_url", "combine_apps", "free_port", "serve_in_thread"]

HOST = "127.0.0.1"
STARTUP_TIMEOUT = 10.0
GRACEFUL_STOP_TIMEOUT = 5


class ServerHandle:
    """A running uvicorn server; stop it with :meth:`stop` or use it as a context manager.

    Attributes:
        url: Base URL without a trailing slash, e.g. ``http://127.0.0.1:54321``.
        port: The bound port.
    """

    def __init__(self, server: uvicorn.Server, thread: threading.Thread, port: int) -> None:
        self._server = server
        self._thread = thread
        self.port = port
        self.url = f"http://{HOST}:{port}"

    @property
    def running(self) -> bool:
        """Whether the server thread is still alive."""
        return self._thread.is_alive()

    def stop(self) -> None:
        """Ask uvicorn to exit and wait for the thread; idempotent.

        In-flight requests get a few seconds to finish, then uvicorn is forced to exit.
        """
        self._server.should_exit = True
        self._thread.join(GRACEFUL_STOP_TIMEOUT)
        if self._thread.is_alive():
            self._server.force_exit = True
            self._thread.join(GRACEFUL_STOP_TIMEOUT)

    def __enter__(self) -> ServerHandle:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()


def serve_in_thread(app: ASGIApp, *, lifespan: bool = False) -> ServerHandle:
    """Start ``app`` on a free loopback port and return once it accepts connections.

    Args:
        app: Any ASGI application (e.g. a ``FakeTelegram`` or ``FakeOpenAI``).
        lifespan: run the app's startup and shutdown (our web app's background work).

    Returns:
        A handle with ``.url``; call ``.stop()`` (or use ``with``) to shut it down.

    Raises:
        RuntimeError: If the server did not start within ``STARTUP_TIMEOUT`` seconds.
    """
    config = uvicorn.Config(
        app,
        host=HOST,
        port=0,
        loop="asyncio",
        http="h11",
        ws="none",
        lifespan="on" if lifespan else "off",
        log_config=None,
        log_level="warning",
        access_log=False,
        timeout_graceful_shutdown=GRACEFUL_STOP_TIMEOUT,
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, name="test-http-server", daemon=True)
    thread.start()
    port = _wait_until_listening(server, thread)
    return ServerHandle(server, thread, port)


def _wait_until_listening(server: uvicorn.Server, thread: threading.Thread) -> int:
    deadline = time.monotonic() + STARTUP_TIMEOUT
    while not server.started:
        if not thread.is_alive():
            raise RuntimeError("Test server thread exited during startup")
        if time.monotonic() > deadline:
            server.should_exit = True
            raise RuntimeError(f"Test server did not start within {STARTUP_TIMEOUT} s")
        time.sleep(0.005)
    port = int(server.servers[0].sockets[0].getsockname()[1])
    # uvicorn sets `started` after listen(); one real connect proves it end to end.
    with socket.create_connection((HOST, port), timeout=STARTUP_TIMEOUT):
        pass
    return port


def combine_apps(*apps: Starlette) -> Starlette:
    """One app serving the routes of several fakes, e.g. Telegram and OpenAI on one port.

    Args:
        apps: Starlette apps whose route paths do not overlap.

    Returns:
        A new Starlette app; state stays in the original fake objects.
    """
    return Starlette(routes=[route for app in apps for route in app.routes])


def free_port() -> int:
    """Return a loopback port that was free a moment ago."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        return int(sock.getsockname()[1])


def closed_port_url() -> str:
    """Return an ``http://127.0.0.1:PORT`` URL where nothing listens (connections are refused)."""
    return f"http://{HOST}:{free_port()}"
