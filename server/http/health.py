"""Liveness, readiness and Prometheus metrics."""

from __future__ import annotations

import asyncio
import hmac

from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import Route

from server.domain.errors import ErrorCode, ProtocolError
from server.services.metrics import COMMIT_BUCKETS

from .security import in_networks, peer_address


async def _database_ok(request: Request) -> bool:
    try:
        await asyncio.wait_for(request.app.state.store.ping(), 2.0)
        return True
    except Exception:
        return False


def _redis_state(request: Request) -> str:
    if not request.app.state.settings.redis_url:
        return "off"
    return "ok" if request.app.state.broker.connected else "down"


async def healthz(request: Request) -> Response:
    """Liveness: 200 while the process runs; the body says how its dependencies are."""
    database = "ok" if await _database_ok(request) else "down"
    return JSONResponse({"status": "ok", "database": database, "redis": _redis_state(request)})


async def readyz(request: Request) -> Response:
    database_ok = await _database_ok(request)
    redis = _redis_state(request)
    ready = database_ok and redis != "down"
    body = {
        "status": "ready" if ready else "unavailable",
        "database": "ok" if database_ok else "down",
        "redis": redis,
    }
    return JSONResponse(body, status_code=200 if ready else 503)


def _cumulative(counts: list[int]) -> list[int]:
    total, out = 0, []
    for count in counts:
        total += count
        out.append(total)
    return out


def metrics_allowed(request: Request) -> bool:
    """From SAMSKAP_METRICS_NETWORKS (default: this machine), or with the metrics token."""
    settings = request.app.state.settings
    token = settings.metrics_token
    given = request.headers.get("authorization", "")
    if token and hmac.compare_digest(given.encode(), f"Bearer {token}".encode()):
        return True
    peer = (request.scope.get("client") or ("", 0))[0]
    if "x-forwarded-for" in request.headers and peer not in settings.trusted_proxies:
        # Through a proxy nobody declared (nginx on this machine): the peer being
        # loopback says nothing about the client, so only the token counts.
        return False
    address = peer_address(request.scope, settings.trusted_proxies)
    return in_networks(address, settings.metrics_networks)


async def metrics(request: Request) -> Response:
    if not metrics_allowed(request):
        raise ProtocolError(
            ErrorCode.FORBIDDEN,
            "metrics are for the operator: from SAMSKAP_METRICS_NETWORKS or with its token",
        )
    hub = request.app.state.hub
    lines = [
        "# HELP samskap_connections Open board WebSocket connections in this process.",
        "# TYPE samskap_connections gauge",
        f"samskap_connections {hub.connections}",
        "# HELP samskap_boards_open Boards with a live room in this process.",
        "# TYPE samskap_boards_open gauge",
        f"samskap_boards_open {len(hub.rooms)}",
        "# HELP samskap_batches_total Batches committed by this process.",
        "# TYPE samskap_batches_total counter",
        f"samskap_batches_total {hub.metrics.batches}",
        "# HELP samskap_joins_total Successful joins in this process.",
        "# TYPE samskap_joins_total counter",
        f"samskap_joins_total {hub.metrics.joins}",
        "# HELP samskap_gap_reads_total Gaps in a board's stream read from the database.",
        "# TYPE samskap_gap_reads_total counter",
        f"samskap_gap_reads_total {hub.metrics.gap_reads}",
        "# HELP samskap_errors_total Refusals sent to clients, by code.",
        "# TYPE samskap_errors_total counter",
    ]
    for code, count in sorted(hub.metrics.errors.items()):
        lines.append(f'samskap_errors_total{{code="{code}"}} {count}')
    lines += [
        "# HELP samskap_commit_seconds Time to commit one group of batches.",
        "# TYPE samskap_commit_seconds histogram",
    ]
    for bound, count in zip(COMMIT_BUCKETS, _cumulative(hub.metrics.commit_buckets), strict=True):
        lines.append(f'samskap_commit_seconds_bucket{{le="{bound}"}} {count}')
    lines += [
        f'samskap_commit_seconds_bucket{{le="+Inf"}} {hub.metrics.commits}',
        f"samskap_commit_seconds_sum {hub.metrics.commit_seconds:.6f}",
        f"samskap_commit_seconds_count {hub.metrics.commits}",
    ]
    return PlainTextResponse("\n".join(lines) + "\n", media_type="text/plain; version=0.0.4")


routes = [
    Route("/healthz", healthz),
    Route("/readyz", readyz),
    Route("/metrics", metrics),
]
