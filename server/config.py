"""Settings, read once from `SAMSKAP_*` environment variables (documented in README)."""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit


@dataclass(frozen=True, slots=True)
class Limits:
    """Abuse limits. Defaults let 200 people behind one library NAT address work normally."""

    max_message_bytes: int = 512 * 1024
    batches_per_sec: float = 30.0
    batch_burst: int = 120
    presence_per_sec: float = 40.0
    presence_burst: int = 80
    syncs_per_sec: float = 2.0  # gap fills per connection: each reads the log or the board
    sync_burst: int = 5
    flood_strikes: int = 200  # refusals in a row before the socket is closed (4029)
    address_batches_per_sec: float = 6_000.0  # one address together: 200 people x 20/s + room
    address_presence_per_sec: float = 8_000.0  # 200 people x 30/s + room
    connections_per_address: int = 400
    connections_per_board: int = 1_000
    joins_per_minute: int = 1_200  # per address
    outbox_messages: int = 2_000
    outbox_bytes: int = 16 * 1024 * 1024  # per connection: 2,000 big batches would be 1 GB
    join_timeout_sec: float = 10.0
    uploads_per_minute: int = 60  # per address
    upload_bytes: int = 15 * 1024 * 1024
    image_pixels: int = 40_000_000
    import_bytes: int = 50 * 1024 * 1024
    boards_per_minute: int = 120  # per address
    log_retain: int = 10_000
    board_bytes: int = 200 * 1024 * 1024  # objects + tombstones + assets + log of one board
    boards_per_day: int = 500  # per address (IPv6: per /64)
    import_bytes_per_day: int = 1024 * 1024 * 1024  # per address (IPv6: per /64)
    export_bytes: int = 200 * 1024 * 1024  # estimated output of one export
    import_pixels: int = 200_000_000  # all images of one import together
    export_seconds: float = 60.0  # one render or import in its worker process; 0 = in-thread
    peer_heartbeat_sec: float = 10.0  # a silent process's people count as gone after 3 of these
    heavy_reads: int = 2  # snapshots / catch-ups built at once per process (more queue)
    heavy_read_bytes_per_sec: float = 32 * 1024 * 1024  # replies over 1 MiB, per process


@dataclass(frozen=True, slots=True)
class Settings:
    data_dir: Path = Path("data")
    database_url: str = ""
    database_schema: str | None = None
    redis_url: str | None = None
    redis_prefix: str = "samskap"
    host: str = "127.0.0.1"
    port: int = 8000
    public_url: str = ""
    allowed_origins: tuple[str, ...] = ()
    trusted_proxies: tuple[str, ...] = ()
    trusted_hosts: tuple[str, ...] = ()
    templates_dir: Path | None = None
    # The library's own accessibility statement (e.g. on uustatus.no), linked from every page.
    accessibility_url: str | None = None
    # Origins that may show Samskap in an iframe (a Teams tab); none by default.
    frame_ancestors: tuple[str, ...] = ()
    web_dir: Path = Path(__file__).resolve().parent.parent / "web"
    log_level: str = "info"
    log_format: str = "text"  # or "json": one JSON object per line
    create: str = "open"  # or "code": creating and importing need the staff code
    create_code: str = ""
    create_networks: tuple[str, ...] = ()  # CIDRs that create without the code
    metrics_networks: tuple[str, ...] = ("127.0.0.0/8", "::1/128")
    metrics_token: str = ""
    min_free_bytes: int = 1024 * 1024 * 1024  # below: no new boards, imports, uploads
    hard_free_bytes: int = 100 * 1024 * 1024  # below: no edits either (storage_full)
    limits: Limits = field(default_factory=Limits)

    def __post_init__(self) -> None:
        if not self.database_url:
            url = f"sqlite+aiosqlite:///{(self.data_dir / 'samskap.db').resolve()}"
            object.__setattr__(self, "database_url", url)
        if not self.public_url:
            object.__setattr__(self, "public_url", f"http://{self.host}:{self.port}")
        object.__setattr__(self, "public_url", self.public_url.rstrip("/"))
        if self.create not in ("open", "code"):
            raise ValueError("SAMSKAP_CREATE must be open or code")
        if self.create == "code" and not (self.create_code or self.create_networks):
            raise ValueError(
                "SAMSKAP_CREATE=code needs SAMSKAP_CREATE_CODE or SAMSKAP_CREATE_NETWORKS"
            )
        object.__setattr__(self, "frame_ancestors", check_frame_ancestors(self.frame_ancestors))
        if self.accessibility_url is not None:
            parts = urlsplit(self.accessibility_url)
            if parts.scheme not in ("http", "https") or not parts.netloc:
                raise ValueError(
                    "SAMSKAP_ACCESSIBILITY_URL must be a full http:// or https:// address,"
                    f" not {self.accessibility_url[:80]!r}"
                )

    @property
    def public_origin(self) -> str:
        parts = urlsplit(self.public_url)
        return f"{parts.scheme}://{parts.netloc}"

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")

    def with_address(self, host: str, port: int) -> Settings:
        """The same settings served elsewhere; the public URL follows unless it was set."""
        public = self.public_url
        if public == f"http://{self.host}:{self.port}":
            public = ""
        return replace(self, host=host, port=port, public_url=public)


# An origin a page may be framed by: scheme, host (a leading "*." for subdomains), port.
FRAME_ANCESTOR = re.compile(
    r"^https?://(\*\.)?[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*(:\d{1,5})?$"
)


def check_frame_ancestors(values: tuple[str, ...]) -> tuple[str, ...]:
    """The origins of SAMSKAP_FRAME_ANCESTORS, lower-cased; ValueError names a bad one."""
    out = []
    for value in values:
        origin = value.strip().rstrip("/").lower()
        if not FRAME_ANCESTOR.match(origin):
            raise ValueError(
                f"SAMSKAP_FRAME_ANCESTORS: {value[:80]!r} is not an origin like"
                " https://teams.microsoft.com or https://*.teams.microsoft.com"
            )
        out.append(origin)
    return tuple(out)


def _split(value: str | None) -> tuple[str, ...]:
    return tuple(item.strip() for item in (value or "").split(",") if item.strip())


def _limits(env: Mapping[str, str]) -> Limits:
    values: dict[str, Any] = {}
    for item in fields(Limits):
        raw = env.get(f"SAMSKAP_LIMIT_{item.name.upper()}")
        if raw is not None:
            values[item.name] = float(raw) if item.type == "float" else int(raw)
    return Limits(**values)


def from_env(env: Mapping[str, str] | None = None) -> Settings:
    """Build settings from the environment; unknown `SAMSKAP_` names are ignored."""
    env = os.environ if env is None else env
    templates = env.get("SAMSKAP_TEMPLATES_DIR")
    return Settings(
        data_dir=Path(env.get("SAMSKAP_DATA_DIR", "data")),
        database_url=env.get("SAMSKAP_DATABASE_URL", ""),
        database_schema=env.get("SAMSKAP_DATABASE_SCHEMA") or None,
        redis_url=env.get("SAMSKAP_REDIS_URL") or None,
        redis_prefix=env.get("SAMSKAP_REDIS_PREFIX", "samskap"),
        host=env.get("SAMSKAP_HOST", "127.0.0.1"),
        port=int(env.get("SAMSKAP_PORT", "8000")),
        public_url=env.get("SAMSKAP_PUBLIC_URL", ""),
        allowed_origins=_split(env.get("SAMSKAP_ALLOWED_ORIGINS")),
        trusted_proxies=_split(env.get("SAMSKAP_TRUSTED_PROXIES")),
        trusted_hosts=_split(env.get("SAMSKAP_TRUSTED_HOSTS")),
        templates_dir=Path(templates) if templates else None,
        accessibility_url=env.get("SAMSKAP_ACCESSIBILITY_URL", "").strip() or None,
        frame_ancestors=tuple(env.get("SAMSKAP_FRAME_ANCESTORS", "").replace(",", " ").split()),
        log_level=env.get("SAMSKAP_LOG_LEVEL", "info"),
        log_format=env.get("SAMSKAP_LOG_FORMAT", "text"),
        create=env.get("SAMSKAP_CREATE", "open"),
        create_code=env.get("SAMSKAP_CREATE_CODE", ""),
        create_networks=_split(env.get("SAMSKAP_CREATE_NETWORKS")),
        metrics_networks=_split(env.get("SAMSKAP_METRICS_NETWORKS", "127.0.0.0/8,::1/128")),
        metrics_token=env.get("SAMSKAP_METRICS_TOKEN", ""),
        min_free_bytes=int(env.get("SAMSKAP_MIN_FREE_BYTES", str(1024**3))),
        hard_free_bytes=int(env.get("SAMSKAP_HARD_FREE_BYTES", str(100 * 1024**2))),
        limits=_limits(env),
    )
