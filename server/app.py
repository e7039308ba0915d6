"""`create_app` wires the concrete adapters into the services and the HTTP routes."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import secrets
import time
from collections.abc import AsyncIterator
from typing import Any

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.trustedhost import TrustedHostMiddleware
from starlette.requests import Request
from starlette.routing import Mount, WebSocketRoute
from starlette.staticfiles import StaticFiles

from server.config import Settings
from server.domain.errors import ErrorCode, ProtocolError
from server.domain.ratelimit import Windowed
from server.files import SHIPPED_TEMPLATES, install_fonts, read_template_folder
from server.http import api, exports, health, templates, versions
from server.http.api import free_bytes
from server.http.errors import protocol_error_handler
from server.http.pages import page_routes
from server.http.security import (
    CrossSiteGuard,
    OriginPolicy,
    OriginWarning,
    SecurityHeaders,
    client_address,
)
from server.http.ws import ServerSend, board_socket
from server.logs import AccessLog
from server.pubsub.memory import MemoryBroker
from server.services.boards import BoardService
from server.services.exports import POOL
from server.services.hub import Hub
from server.services.ports import BoardStore, Broker
from server.services.quota import DiskFloor
from server.services.templates import TemplateCatalog
from server.shutdown import drain_commits
from server.storage.engine import create_engine, migrate
from server.storage.store import SqlBoardStore
from server.version import VERSION, VersionHeader
from server.versions import registered

log = logging.getLogger("samskap")


class AddressLimiter:
    """Per-address limits on costly HTTP actions (new boards, uploads, imported bytes).

    Per minute in this process's memory (a burst guard); per day in the database, so
    every process counts toward one allowance and a restart gives none back. Both key
    IPv6 addresses by their /64 (`client_address`).
    """

    DAILY = {"boards": "boards_per_day", "imported bytes": "import_bytes_per_day"}

    def __init__(self, settings: Settings) -> None:
        limits = settings.limits
        self.limits = limits
        self.proxies = settings.trusted_proxies
        self.windows = {
            "boards": Windowed(limits.boards_per_minute, 60.0),
            "uploads": Windowed(limits.uploads_per_minute, 60.0),
        }

    def check(self, kind: str, request: Request) -> None:
        address = client_address(request.scope, self.proxies)
        if not self.windows[kind].allow(address, time.monotonic()):
            raise ProtocolError(ErrorCode.RATE_LIMITED, f"too many {kind}: try again in a minute")

    async def check_daily(self, kind: str, request: Request, cost: int = 1) -> None:
        address = client_address(request.scope, self.proxies)
        limit = getattr(self.limits, self.DAILY[kind])
        if not await request.app.state.store.spend_daily(address, kind, cost, limit):
            raise ProtocolError(
                ErrorCode.RATE_LIMITED,
                f"this address has reached today's limit of {kind} on this server:"
                " try again tomorrow, or ask the library",
            )


def _broker(settings: Settings) -> Broker:
    if settings.redis_url:
        from server.pubsub.redis import RedisBroker

        return RedisBroker(settings.redis_url)
    return MemoryBroker()


def create_app(
    settings: Settings,
    *,
    store: BoardStore | None = None,
    broker: Broker | None = None,
    run_migrations: bool = True,
) -> Starlette:
    """Build the ASGI app. Adapters are made here unless a test hands its own in."""

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        state = app.state
        async with contextlib.AsyncExitStack() as stack:
            if settings.redis_url:
                # Before migrating: a newer version must not change the schema under an older.
                await stack.enter_async_context(
                    registered(
                        settings.redis_url, settings.redis_prefix, secrets.token_hex(6), VERSION
                    )
                )
            async with _running(app, state):
                yield

    @contextlib.asynccontextmanager
    async def _running(app: Starlette, state: Any) -> AsyncIterator[None]:
        if store is None:
            engine = create_engine(settings.database_url, schema=settings.database_schema)
            if run_migrations:
                await migrate(engine)
            state.store = SqlBoardStore(engine, log_retain=settings.limits.log_retain)
            await state.store.start()
        else:
            state.store = store
        state.broker = broker or _broker(settings)
        start = getattr(state.broker, "start", None)
        if start is not None:
            await start()
        state.hub = Hub(
            state.store,
            state.broker,
            settings.limits,
            prefix=settings.redis_prefix,
            templates=app.state.templates,
            version=VERSION,
            public_url=settings.public_url,
            disk=DiskFloor(lambda: free_bytes(settings.data_dir), settings.hard_free_bytes),
        )
        state.boards = BoardService(
            state.store,
            state.hub,
            settings.public_url,
            settings.limits.image_pixels,
            settings.limits.board_bytes,
        )
        if not settings.is_sqlite and not settings.redis_url:
            log.warning(
                "SAMSKAP_REDIS_URL is not set: run only ONE process on this database; with "
                "more, people on different processes do not see each other's edits"
            )
        if settings.limits.export_seconds > 0:
            await POOL.warm()  # export and import worker processes, before the first request
        log.info("samskap %s ready at %s", VERSION, settings.public_url)
        try:
            yield
        finally:
            # SIGTERM: uvicorn has stopped accepting and closed the sockets (1012);
            # let commits in flight reach the database before anything closes.
            await drain_commits()
            await state.hub.close()
            await drain_commits()  # the last leaves may have started one
            log.info("samskap stopped")
            if broker is None:
                await state.broker.close()
            if store is None:
                await state.store.close()
            await asyncio.to_thread(POOL.close)  # export workers: none outlives the stop

    folders = [SHIPPED_TEMPLATES] + ([settings.templates_dir] if settings.templates_dir else [])
    origins = OriginPolicy(settings.public_url, settings.allowed_origins)
    middleware = [
        Middleware(ServerSend),
        Middleware(AccessLog),
        Middleware(VersionHeader),
        Middleware(OriginWarning),
        Middleware(
            SecurityHeaders,
            https=settings.public_url.startswith("https:"),
            frame_ancestors=settings.frame_ancestors,
        ),
        Middleware(CrossSiteGuard, origins=origins),
    ]
    if settings.trusted_hosts:
        middleware.append(Middleware(TrustedHostMiddleware, allowed_hosts=settings.trusted_hosts))
    routes: list[Any] = [
        *health.routes,
        *api.routes,
        *exports.routes,
        *versions.routes,
        *templates.routes,
        WebSocketRoute("/ws/boards/{board_id}", board_socket),
        Mount("/static", StaticFiles(directory=settings.web_dir), name="static"),
        *page_routes(settings.web_dir),
    ]
    app = Starlette(
        routes=routes,
        middleware=middleware,
        lifespan=lifespan,
        exception_handlers={ProtocolError: protocol_error_handler},
    )
    app.state.settings = settings
    app.state.accessibility_url = settings.accessibility_url
    app.state.origins = origins
    app.state.limiter = AddressLimiter(settings)
    install_fonts()  # the renderers (exports, previews) measure and draw with these
    app.state.templates = TemplateCatalog(*(read_template_folder(f) for f in folders))
    return app
