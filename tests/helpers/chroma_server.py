"""A real Chroma server (`chroma run`) on a loopback port, for tests of the server mode.

The server is the one the `chromadb` package ships (the same binary as `chroma run` in a
deployment). It can be stopped, killed (to simulate a crash) and started again on the same
folder and port, so tests can take the store away in the middle of a run and bring it back.
"""

from __future__ import annotations

import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from types import TracebackType

import httpx
import pytest

from tests.helpers.http_server import HOST, free_port

__all__ = ["ChromaServer", "chroma_server"]

STARTUP_TIMEOUT = 60.0
STOP_TIMEOUT = 10.0


def _chroma_binary() -> str:
    # Beside the running interpreter: the venv's, even when it lives outside this checkout.
    here = Path(sys.executable).parent / "chroma"
    found = shutil.which("chroma") or (str(here) if here.exists() else None)
    if found is None:
        raise RuntimeError("the `chroma` command (from the chromadb package) is not installed")
    return found


class ChromaServer:
    """`chroma run --path PATH --host 127.0.0.1 --port PORT` as a child process.

    Attributes:
        path: the server's data folder (kept across restarts).
        port: the loopback port (kept across restarts).
        url: ``http://127.0.0.1:PORT``.
    """

    def __init__(self, path: Path, *, port: int | None = None) -> None:
        self.path = path
        self.port = port or free_port()
        self.url = f"http://{HOST}:{self.port}"
        self.log = path.parent / f"{path.name}-server.log"
        self._process: subprocess.Popen[bytes] | None = None

    @property
    def running(self) -> bool:
        """Whether the server process is alive."""
        return self._process is not None and self._process.poll() is None

    @property
    def pid(self) -> int | None:
        """The server's process id while it runs."""
        return self._process.pid if self.running and self._process else None

    def start(self) -> ChromaServer:
        """Start the server and wait until its heartbeat answers."""
        if self.running:
            return self
        self.path.mkdir(parents=True, exist_ok=True)
        command = [_chroma_binary(), "run", "--path", str(self.path)]
        command += ["--host", HOST, "--port", str(self.port)]
        with self.log.open("ab") as log:
            self._process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT)
        self._wait_for_heartbeat()
        return self

    def stop(self) -> None:
        """Stop the server cleanly (SIGTERM, then SIGKILL after a grace period); idempotent."""
        process = self._process
        if process is None or process.poll() is not None:
            return
        self.thaw()  # a frozen process would not act on SIGTERM
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(STOP_TIMEOUT)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(STOP_TIMEOUT)

    def kill(self) -> None:
        """Kill the server at once (SIGKILL), as a crash or a pulled plug would."""
        process = self._process
        if process is not None and process.poll() is None:
            process.kill()
            process.wait(STOP_TIMEOUT)

    def freeze(self) -> None:
        """Hang the server (SIGSTOP): it still accepts connections, it never answers.

        The kernel completes TCP handshakes into the listening socket's backlog for a stopped
        process, so a client connects and then waits, as with a server stuck in a deadlock
        or a peer gone silent behind a balancer.
        """
        if self._process is not None and self._process.poll() is None:
            self._process.send_signal(signal.SIGSTOP)

    def thaw(self) -> None:
        """Let a frozen server go on (SIGCONT)."""
        if self._process is not None and self._process.poll() is None:
            self._process.send_signal(signal.SIGCONT)

    def restart(self) -> ChromaServer:
        """Stop (if running) and start again on the same folder and port."""
        self.stop()
        return self.start()

    def _wait_for_heartbeat(self) -> None:
        deadline = time.monotonic() + STARTUP_TIMEOUT
        while True:
            if self._process is not None and self._process.poll() is not None:
                raise RuntimeError(
                    f"chroma run exited with {self._process.returncode}; see {self.log}"
                )
            try:
                if httpx.get(f"{self.url}/api/v2/heartbeat", timeout=2.0).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline:
                self.kill()
                raise RuntimeError(f"chroma run did not answer within {STARTUP_TIMEOUT} s")
            time.sleep(0.05)

    def __enter__(self) -> ChromaServer:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()


@pytest.fixture
def chroma_server(tmp_path: Path) -> Iterator[ChromaServer]:
    """A fresh Chroma server in tmp_path, stopped after the test (restartable within it)."""
    with ChromaServer(tmp_path / "chroma-server") as server:
        yield server
