"""Settings: the only place that reads the environment."""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, fields
from pathlib import Path

import psycopg
from psycopg.conninfo import conninfo_to_dict

from bot.errors import ConfigError
from retrieval.parse import ReadLimits

_REPO_NOTICES = Path(__file__).resolve().parent.parent / "data" / "notices"
DEFAULT_TELEGRAM_API_URL = "https://api.telegram.org/bot"
# Every environment variable Settings.from_env reads (the Docker files are checked against it).
ENVIRONMENT_VARIABLES = (
    "CHITHI_ADMIN_IDS", "CHITHI_ADMIN_TOKEN", "CHITHI_ALERT_LEASE_SECONDS",
    "CHITHI_CONTEXT_MINUTES", "CHITHI_ANSWER_MODE", "CHITHI_CHROMA_TOKEN", "CHITHI_INDEX_TIMEOUT",
    "CHITHI_METRICS_PORT",
    "CHITHI_CHROMA_URL", "CHITHI_DATABASE_URL",
    "CHITHI_DATA_DIR", "CHITHI_EMBED_THREADS", "CHITHI_EMBEDDINGS", "CHITHI_HOTLINE",
    "CHITHI_HTTP_HOST", "CHITHI_HTTP_PORT", "CHITHI_INGEST_WORKERS", "CHITHI_STAFF_TOKEN",
    "CHITHI_LEXICAL_DIR",
    "CHITHI_LLM_MODEL", "CHITHI_LLM_TIMEOUT", "CHITHI_LOG_LEVEL", "CHITHI_MAX_FILE_MB",
    "CHITHI_MAX_OCR_PAGES", "CHITHI_MAX_QUESTION_CHARS", "CHITHI_MAX_UNPACKED_MB",
    "CHITHI_NOTICES_DIR",
    "CHITHI_RATE_LIMIT", "CHITHI_TELEGRAM_API_URL", "CHITHI_TODAY", "CHITHI_TELEGRAM_FILE_URL",
    "CHITHI_WEBHOOK_LISTEN", "CHITHI_WEBHOOK_PORT", "CHITHI_WEBHOOK_SECRET", "CHITHI_WEBHOOK_URL",
    "CHITHI_PUBLIC_URL", "CHITHI_ZALO_API_URL", "CHITHI_ZALO_APP_ID", "CHITHI_ZALO_APP_SECRET",
    "CHITHI_ZALO_OAUTH_URL", "CHITHI_ZALO_OA_SECRET", "CHITHI_ZALO_REFRESH_TOKEN",
    "HOME", "OPENAI_API_KEY", "OPENAI_BASE_URL", "TELEGRAM_BOT_TOKEN", "XDG_DATA_HOME",
)  # fmt: skip
DEFAULT_TELEGRAM_FILE_URL = "https://api.telegram.org/file/bot"
DEFAULT_ZALO_API_URL = "https://openapi.zalo.me"
DEFAULT_ZALO_OAUTH_URL = "https://oauth.zaloapp.com"
_SECRET_CHARS = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-"


def default_data_dir(environ: Mapping[str, str]) -> Path:
    """$XDG_DATA_HOME/chithi, else ~/.local/share/chithi."""
    base = environ.get("XDG_DATA_HOME") or str(Path(environ.get("HOME", "~")) / ".local" / "share")
    return Path(base).expanduser() / "chithi"


_MB = 1024 * 1024
MAX_INGEST_WORKERS = 64  # each embedding thread holds its own activations (up to ~40 MB)


def available_cores() -> int:
    """The cores this process may run on (its CPU affinity, e.g. a container's limit)."""
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0)) or 1
    return os.cpu_count() or 1


@dataclass(frozen=True)
class Settings:
    """Everything configurable, with its environment variable in the comment."""

    data_dir: Path  # CHITHI_DATA_DIR
    notices_dir: Path = _REPO_NOTICES  # CHITHI_NOTICES_DIR: bundled corpus ingested on first use
    hotline: str = "1900 9095"  # CHITHI_HOTLINE
    embeddings: str = "e5"  # CHITHI_EMBEDDINGS: "e5" or "openai:<model>"
    embed_threads: int = 1  # CHITHI_EMBED_THREADS: CPU threads of the bundled e5 model
    # CHITHI_INGEST_WORKERS: threads embedding the files of `chithi ingest` (and the bundled
    # notices) with e5, by default one per core (per CHITHI_EMBED_THREADS cores); uploads to
    # the bot or the web app use one
    ingest_workers: int = field(default_factory=available_cores)
    chroma_url: str | None = None  # CHITHI_CHROMA_URL: use a Chroma server instead of data_dir
    chroma_token: str | None = field(default=None, repr=False)  # CHITHI_CHROMA_TOKEN
    # CHITHI_INDEX_TIMEOUT: seconds a question (or a listing) waits for the index before the
    # user is told it is unavailable; also each request's timeout to a Chroma server
    index_timeout: float = 5.0
    # CHITHI_DATABASE_URL: postgresql://… holding the question log, feedback, follows, alerts
    # and conversations for replicas on several hosts; unset: questions.sqlite3 in data_dir
    database_url: str | None = field(default=None, repr=False)
    # CHITHI_LEXICAL_DIR: a folder of this process's own (replicas must not share one)
    lexical_path: Path | None = None
    answer_mode: str = "extractive"  # CHITHI_ANSWER_MODE: "extractive" or "llm"
    openai_base_url: str | None = None  # OPENAI_BASE_URL
    openai_api_key: str | None = field(default=None, repr=False)  # OPENAI_API_KEY
    llm_model: str = "gpt-4o-mini"  # CHITHI_LLM_MODEL
    llm_timeout: float = 20.0  # CHITHI_LLM_TIMEOUT: seconds for a whole answer
    telegram_token: str | None = field(default=None, repr=False)  # TELEGRAM_BOT_TOKEN
    telegram_api_url: str = DEFAULT_TELEGRAM_API_URL  # CHITHI_TELEGRAM_API_URL
    telegram_file_url: str = DEFAULT_TELEGRAM_FILE_URL  # CHITHI_TELEGRAM_FILE_URL
    webhook_url: str | None = None  # CHITHI_WEBHOOK_URL
    webhook_listen: str = "0.0.0.0"  # CHITHI_WEBHOOK_LISTEN  # noqa: S104 - behind a balancer
    webhook_port: int = 8443  # CHITHI_WEBHOOK_PORT
    # CHITHI_METRICS_PORT: the bot process's /metrics on this port (on CHITHI_WEBHOOK_LISTEN);
    # none by default (`chithi serve` has /metrics on its own port)
    metrics_port: int | None = None
    webhook_secret: str | None = field(default=None, repr=False)  # CHITHI_WEBHOOK_SECRET
    admin_ids: frozenset[int] = frozenset()  # CHITHI_ADMIN_IDS: comma-separated user ids
    rate_limit: int = 20  # CHITHI_RATE_LIMIT: questions per user per minute
    max_question_chars: int = 1000  # CHITHI_MAX_QUESTION_CHARS: longer questions are refused
    max_file_mb: float = 20.0  # CHITHI_MAX_FILE_MB: larger notice files are refused unread
    max_unpacked_mb: float = 200.0  # CHITHI_MAX_UNPACKED_MB: a .docx's parts, uncompressed
    max_ocr_pages: int = 30  # CHITHI_MAX_OCR_PAGES: pages of a scanned PDF that are OCR'd
    http_host: str = "127.0.0.1"  # CHITHI_HTTP_HOST: where `chithi serve` listens
    http_port: int = 8080  # CHITHI_HTTP_PORT
    admin_token: str | None = field(default=None, repr=False)  # CHITHI_ADMIN_TOKEN: web admin
    staff_token: str | None = field(default=None, repr=False)  # CHITHI_STAFF_TOKEN: web staff
    log_level: str | None = None  # CHITHI_LOG_LEVEL (default: WARNING in the CLI, INFO for the bot)
    # CHITHI_ALERT_LEASE_SECONDS: after a crash, how long before another process (or the
    # restarted one) takes over sending the alerts
    alert_lease_seconds: float = 30.0
    # CHITHI_CONTEXT_MINUTES: a chat silent this long starts over (follow-up questions)
    context_minutes: float = 30.0
    # CHITHI_TODAY (YYYY-MM-DD): the day rules are dated against; the system date when unset
    today_fixed: dt.date | None = None
    # CHITHI_PUBLIC_URL: the web console's public address; Zalo answers link to it
    public_url: str | None = None
    zalo: ZaloSettings | None = None  # CHITHI_ZALO_*: the Zalo Official Account channel

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Settings:
        """Build settings from environment variables; bad values fail naming the key."""
        env = dict(os.environ if environ is None else environ)

        def get(key: str) -> str | None:
            value = env.get(key, "").strip()
            return value or None

        mode = (get("CHITHI_ANSWER_MODE") or "extractive").lower()
        if mode not in ("extractive", "llm"):
            raise ConfigError(f"CHITHI_ANSWER_MODE={mode!r} is invalid; use 'extractive' or 'llm'")
        embeddings = get("CHITHI_EMBEDDINGS") or "e5"
        api_url = get("CHITHI_TELEGRAM_API_URL") or DEFAULT_TELEGRAM_API_URL
        webhook_url, webhook_secret = get("CHITHI_WEBHOOK_URL"), get("CHITHI_WEBHOOK_SECRET")
        _check_webhook(webhook_url, webhook_secret)
        if embeddings != "e5" and not (embeddings.startswith("openai:") and len(embeddings) > 7):
            raise ConfigError(
                f"CHITHI_EMBEDDINGS={embeddings!r} is invalid; use 'e5' or 'openai:<model>'"
            )
        embed_threads = int(_number(get, "CHITHI_EMBED_THREADS", cls.embed_threads))
        return cls(
            data_dir=Path(get("CHITHI_DATA_DIR") or default_data_dir(env)).expanduser(),
            notices_dir=Path(get("CHITHI_NOTICES_DIR") or _REPO_NOTICES).expanduser(),
            hotline=get("CHITHI_HOTLINE") or cls.hotline,
            embeddings=embeddings,
            embed_threads=embed_threads,
            ingest_workers=_workers(get("CHITHI_INGEST_WORKERS"), embed_threads),
            chroma_url=get("CHITHI_CHROMA_URL"),
            chroma_token=get("CHITHI_CHROMA_TOKEN"),
            index_timeout=_number(get, "CHITHI_INDEX_TIMEOUT", cls.index_timeout),
            database_url=_database_url(get("CHITHI_DATABASE_URL")),
            lexical_path=_path(get("CHITHI_LEXICAL_DIR")),
            answer_mode=mode,
            openai_base_url=get("OPENAI_BASE_URL"),
            openai_api_key=get("OPENAI_API_KEY"),
            llm_model=get("CHITHI_LLM_MODEL") or cls.llm_model,
            llm_timeout=_number(get, "CHITHI_LLM_TIMEOUT", cls.llm_timeout),
            telegram_token=get("TELEGRAM_BOT_TOKEN"),
            telegram_api_url=api_url,
            telegram_file_url=get("CHITHI_TELEGRAM_FILE_URL") or _file_url(api_url),
            webhook_url=webhook_url,
            webhook_listen=get("CHITHI_WEBHOOK_LISTEN") or cls.webhook_listen,
            webhook_port=int(_number(get, "CHITHI_WEBHOOK_PORT", cls.webhook_port)),
            metrics_port=_port(get("CHITHI_METRICS_PORT")),
            webhook_secret=webhook_secret,
            admin_ids=_ids(get("CHITHI_ADMIN_IDS")),
            rate_limit=int(_number(get, "CHITHI_RATE_LIMIT", cls.rate_limit)),
            max_question_chars=int(
                _number(get, "CHITHI_MAX_QUESTION_CHARS", cls.max_question_chars)
            ),
            max_file_mb=_number(get, "CHITHI_MAX_FILE_MB", cls.max_file_mb),
            max_unpacked_mb=_number(get, "CHITHI_MAX_UNPACKED_MB", cls.max_unpacked_mb),
            max_ocr_pages=int(_number(get, "CHITHI_MAX_OCR_PAGES", cls.max_ocr_pages)),
            http_host=get("CHITHI_HTTP_HOST") or cls.http_host,
            http_port=int(_number(get, "CHITHI_HTTP_PORT", cls.http_port)),
            admin_token=get("CHITHI_ADMIN_TOKEN"),
            staff_token=get("CHITHI_STAFF_TOKEN"),
            log_level=(get("CHITHI_LOG_LEVEL") or "").upper() or None,
            today_fixed=_day(get("CHITHI_TODAY")),
            alert_lease_seconds=_number(get, "CHITHI_ALERT_LEASE_SECONDS", cls.alert_lease_seconds),
            context_minutes=_number(get, "CHITHI_CONTEXT_MINUTES", cls.context_minutes),
            public_url=_public_url(get("CHITHI_PUBLIC_URL")),
            zalo=_zalo(get),
        )

    def today(self) -> dt.date:
        """The day rules are dated against: CHITHI_TODAY, else the system's date, read now."""
        return self.today_fixed or dt.date.today()

    @property
    def secrets(self) -> tuple[str, ...]:
        """Every secret set (the fields kept out of repr), for the log's redaction."""
        values = (getattr(self, f.name) for f in fields(self) if not f.repr)
        return tuple(v for v in values if isinstance(v, str) and v)

    @property
    def read_limits(self) -> ReadLimits:
        """What one notice file may cost to read."""
        return ReadLimits(
            max_file_bytes=int(self.max_file_mb * _MB),
            max_unpacked_bytes=int(self.max_unpacked_mb * _MB),
            max_ocr_pages=self.max_ocr_pages,
        )

    @property
    def chroma_dir(self) -> Path:
        """Where the embedded Chroma database lives."""
        return self.data_dir / "chroma"

    @property
    def lexical_dir(self) -> Path:
        """Where the BM25 files live: CHITHI_LEXICAL_DIR, else per embedder beside Chroma."""
        if self.lexical_path is not None:
            return self.lexical_path
        return self.data_dir / "lexical" / self.embeddings.replace(":", "_").replace("/", "_")

    @property
    def uploads_dir(self) -> Path:
        """Original files of notices that administrators sent to the bot, one folder per id."""
        return self.data_dir / "uploads"

    @property
    def question_log_path(self) -> Path:
        """The bot's SQLite log of questions, answers' statuses, citations and feedback."""
        return self.data_dir / "questions.sqlite3"


@dataclass(frozen=True)
class ZaloSettings:
    """The Zalo Official Account channel (docs/zalo.md); secrets are kept out of repr."""

    app_id: str  # CHITHI_ZALO_APP_ID: the Zalo app linked to the OA
    app_secret: str = field(repr=False)  # CHITHI_ZALO_APP_SECRET: the app's secret key
    oa_secret: str = field(repr=False)  # CHITHI_ZALO_OA_SECRET: signs the webhook events
    # CHITHI_ZALO_REFRESH_TOKEN: the first refresh token; the database keeps the newer ones
    refresh_token: str = field(repr=False)
    api_url: str = DEFAULT_ZALO_API_URL  # CHITHI_ZALO_API_URL
    oauth_url: str = DEFAULT_ZALO_OAUTH_URL  # CHITHI_ZALO_OAUTH_URL


def _zalo(get: Callable[[str], str | None]) -> ZaloSettings | None:
    given = {
        "CHITHI_ZALO_APP_ID": get("CHITHI_ZALO_APP_ID"),
        "CHITHI_ZALO_APP_SECRET": get("CHITHI_ZALO_APP_SECRET"),
        "CHITHI_ZALO_OA_SECRET": get("CHITHI_ZALO_OA_SECRET"),
        "CHITHI_ZALO_REFRESH_TOKEN": get("CHITHI_ZALO_REFRESH_TOKEN"),
    }
    if not any(given.values()):
        return None
    missing = [key for key, value in given.items() if value is None]
    if missing:
        raise ConfigError(
            f"{', '.join(missing)} missing; the Zalo channel needs all of {', '.join(given)}"
            " (docs/zalo.md), or none of them"
        )
    app_id = str(given["CHITHI_ZALO_APP_ID"])
    if not (app_id.isascii() and app_id.isdigit()):
        raise ConfigError(f"CHITHI_ZALO_APP_ID={app_id!r} must be the app's numeric id")
    return ZaloSettings(
        app_id=app_id,
        app_secret=str(given["CHITHI_ZALO_APP_SECRET"]),
        oa_secret=str(given["CHITHI_ZALO_OA_SECRET"]),
        refresh_token=str(given["CHITHI_ZALO_REFRESH_TOKEN"]),
        api_url=_http_url("CHITHI_ZALO_API_URL", get("CHITHI_ZALO_API_URL"))
        or DEFAULT_ZALO_API_URL,
        oauth_url=_http_url("CHITHI_ZALO_OAUTH_URL", get("CHITHI_ZALO_OAUTH_URL"))
        or DEFAULT_ZALO_OAUTH_URL,
    )


def _public_url(raw: str | None) -> str | None:
    return _http_url("CHITHI_PUBLIC_URL", raw)


def _http_url(key: str, raw: str | None) -> str | None:
    if raw is None:
        return None
    if not raw.startswith(("https://", "http://")):
        raise ConfigError(f"{key}={raw!r} must be a full https:// URL")
    return raw.rstrip("/")


def _day(raw: str | None) -> dt.date | None:
    if raw is None:
        return None
    try:
        return dt.date.fromisoformat(raw)
    except ValueError:
        raise ConfigError(f"CHITHI_TODAY={raw!r} is not a date; use YYYY-MM-DD") from None


def _database_url(raw: str | None) -> str | None:
    # The URL may hold a password: an error names the key and the scheme, never the value,
    # nor libpq's own message (it quotes the part it could not read, the password included).
    if raw is None:
        return None
    if not raw.startswith(("postgresql://", "postgres://")):
        scheme = raw.split("://", 1)[0] if "://" in raw else "no scheme"
        raise ConfigError(
            f"CHITHI_DATABASE_URL has {scheme!r}; use postgresql://user:password@host:5432/name, "
            "or leave it unset for the SQLite file in CHITHI_DATA_DIR"
        )
    try:
        conninfo_to_dict(raw)
    except psycopg.Error:
        raise ConfigError(
            "CHITHI_DATABASE_URL is not a URL libpq can read; percent-encode the special "
            "characters of the user and password (%40 for @, %25 for %, %20 for a space)"
        ) from None
    return raw


def _path(raw: str | None) -> Path | None:
    return Path(raw).expanduser() if raw else None


def _port(raw: str | None) -> int | None:
    if raw is None:
        return None
    if not raw.isdigit() or not 0 < int(raw) < 65536:
        raise ConfigError(f"CHITHI_METRICS_PORT={raw!r} is not a port number (1-65535)")
    return int(raw)


def _number(get: object, key: str, default: float) -> float:
    raw = get(key)  # type: ignore[operator]
    if raw is None:
        return default
    try:
        value = float(raw)
    except ValueError:
        raise ConfigError(f"{key}={raw!r} is not a number") from None
    if value <= 0:
        raise ConfigError(f"{key}={raw!r} must be greater than 0")
    return value


def _workers(raw: str | None, embed_threads: int) -> int:
    if raw is None:  # a core for each thread of each embedding call
        return max(1, available_cores() // embed_threads)
    if not (raw.isascii() and raw.isdigit() and 1 <= int(raw) <= MAX_INGEST_WORKERS):
        raise ConfigError(
            f"CHITHI_INGEST_WORKERS={raw!r} is invalid; use a whole number of threads from 1 to "
            f"{MAX_INGEST_WORKERS}, or leave it empty for one per core ({available_cores()} here)"
        )
    return int(raw)


def _ids(raw: str | None) -> frozenset[int]:
    if not raw:
        return frozenset()
    try:
        return frozenset(int(part) for part in raw.replace(" ", "").split(",") if part)
    except ValueError:
        raise ConfigError(
            f"CHITHI_ADMIN_IDS={raw!r} must be comma-separated Telegram user ids"
        ) from None


def _file_url(api_url: str) -> str:
    """Telegram serves files beside the API: .../bot -> .../file/bot."""
    base = api_url.rstrip("/")
    if base.endswith("/bot"):
        return base[: -len("/bot")] + "/file/bot"
    return base + "/file/bot"


def _check_webhook(url: str | None, secret: str | None) -> None:
    # Without the secret anyone who finds the URL could post updates that claim to come
    # from an administrator, so webhook mode refuses to start without one.
    if url is None:
        return
    if not url.startswith(("https://", "http://")):
        raise ConfigError(
            f"CHITHI_WEBHOOK_URL={url!r} must be a full https:// URL "
            "(http:// only behind a local Bot API server)"
        )
    if secret is None:
        raise ConfigError(
            "CHITHI_WEBHOOK_SECRET is missing; webhook mode needs a secret token "
            "(1-256 characters of A-Z, a-z, 0-9, _ and -)"
        )
    if len(secret) > 256 or secret.strip(_SECRET_CHARS):
        raise ConfigError(
            "CHITHI_WEBHOOK_SECRET is invalid; use 1-256 characters of A-Z, a-z, 0-9, _ and -"
        )
