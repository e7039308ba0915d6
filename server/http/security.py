"""Security headers, client addresses behind proxies, and the WebSocket Origin check."""

from __future__ import annotations

import ipaddress
import logging
from urllib.parse import urlsplit

import orjson
from starlette.types import ASGIApp, Message, Receive, Scope, Send

log = logging.getLogger("samskap.origin")

CSP = (
    "default-src 'self'; img-src 'self' blob: data:; style-src 'self'; script-src 'self'; "
    "connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'none'; "
    "form-action 'self'; frame-ancestors 'none'"
)


def csp(frame_ancestors: tuple[str, ...] = ()) -> str:
    """The pages' CSP; with `frame_ancestors`, those origins (and this one) may frame them."""
    if not frame_ancestors:
        return CSP
    return CSP.replace(
        "frame-ancestors 'none'", "frame-ancestors 'self' " + " ".join(frame_ancestors)
    )


ASSET_CSP = "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; sandbox"


class SecurityHeaders:
    """Adds the headers every HTTP response carries (rule S10)."""

    def __init__(self, app: ASGIApp, *, https: bool, frame_ancestors: tuple[str, ...] = ()) -> None:
        self.app = app
        self.https = https
        self.csp = csp(frame_ancestors).encode()
        # X-Frame-Options cannot name origins; CSP frame-ancestors replaces it then.
        self.frame_options = not frame_ancestors

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = message.setdefault("headers", [])
                present = {name.lower() for name, _ in headers}
                extra = [
                    (b"content-security-policy", self.csp),
                    (b"x-content-type-options", b"nosniff"),
                    (b"referrer-policy", b"no-referrer"),
                    *([(b"x-frame-options", b"DENY")] if self.frame_options else []),
                    (b"cross-origin-opener-policy", b"same-origin"),
                    (b"permissions-policy", b"camera=(), microphone=(), geolocation=()"),
                ]
                if self.https:
                    extra.append((b"strict-transport-security", b"max-age=31536000"))
                headers.extend(item for item in extra if item[0] not in present)
            await send(message)

        await self.app(scope, receive, send_with_headers)


def client_address(scope: Scope, trusted_proxies: tuple[str, ...]) -> str:
    """The address per-address limits count under: IPv4 as is, IPv6 cut to its /64.

    One IPv6 customer or server usually holds a whole /64 (2^64 addresses), so limits
    keyed on the full address would be no limits at all.
    """
    return limit_key(peer_address(scope, trusted_proxies))


def limit_key(address: str) -> str:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return address
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped is not None:
            return str(ip.ipv4_mapped)
        return str(ipaddress.ip_network(f"{ip}/64", strict=False))
    return str(ip)


def in_networks(address: str, networks: tuple[str, ...]) -> bool:
    """Whether `address` lies in one of `networks` (CIDRs or single addresses)."""
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    for network in networks:
        try:
            if ip in ipaddress.ip_network(network, strict=False):
                return True
        except ValueError:
            continue
    return False


def peer_address(scope: Scope, trusted_proxies: tuple[str, ...]) -> str:
    """The peer address; X-Forwarded-For counts only when the peer is a trusted proxy."""
    peer = (scope.get("client") or ("unknown", 0))[0]
    if peer not in trusted_proxies:
        return peer
    for name, value in scope.get("headers", []):
        if name == b"x-forwarded-for":
            hops = [h.strip() for h in value.decode("latin-1").split(",") if h.strip()]
            for hop in reversed(hops):
                if hop not in trusted_proxies:
                    return hop
    return peer


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


class OriginPolicy:
    """Which browser origins may open a board socket (cross-site hijacking guard, S5)."""

    def __init__(self, public_url: str, allowed: tuple[str, ...]) -> None:
        public = urlsplit(public_url)
        self.exact = {f"{public.scheme}://{public.netloc}".lower()}
        self.exact |= {origin.rstrip("/").lower() for origin in allowed}
        self.dev = _is_loopback(public.hostname or "")

    def allows(self, origin: str | None) -> bool:
        if origin is None:
            return True  # not a browser: the token alone decides
        origin = origin.lower()
        if origin in self.exact:
            return True
        if self.dev:
            parts = urlsplit(origin)
            return (
                parts.scheme in ("http", "https")
                and not parts.path
                and _is_loopback(parts.hostname or "")
            )
        return False


class OriginWarning:
    """Says in the log, once per origin, why board sockets from a page are refused.

    The usual cause is a proxy that terminates TLS while SAMSKAP_PUBLIC_URL still says
    http:// (or names another host): every page then stays "Connecting…" and the access
    log shows only `WS /ws/boards/... 403`. At most `LIMIT` origins are named per process,
    so a stranger sending made-up origins cannot fill the log.
    """

    LIMIT = 20

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self.named: set[str] = set()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "websocket" and len(self.named) < self.LIMIT:
            origin = next(
                (v.decode("latin-1") for k, v in scope.get("headers", []) if k == b"origin"), None
            )
            state = scope["app"].state
            if origin is not None and origin not in self.named and not state.origins.allows(origin):
                self.named.add(origin)
                log.warning(
                    "board socket refused: Origin %r is neither SAMSKAP_PUBLIC_URL (%s) nor in "
                    "SAMSKAP_ALLOWED_ORIGINS; behind a TLS proxy, set SAMSKAP_PUBLIC_URL=https://...",
                    origin[:100],
                    state.settings.public_origin,
                )
        await self.app(scope, receive, send)


# --- cross-site requests (CSRF) ------------------------------------------------------

STATE_CHANGING = frozenset({"POST", "PUT", "PATCH", "DELETE"})
# Bodies the API documents. None of them is a type a cross-site form or a "simple"
# fetch can send without a CORS preflight (which this server never answers).
BODY_TYPES = frozenset({"application/json", "application/octet-stream"})
CROSS_SITE = (
    "cross-site requests are refused: use this server's own pages (its address is"
    " SAMSKAP_PUBLIC_URL, more in SAMSKAP_ALLOWED_ORIGINS)"
)


def cross_site_refusal(method: str, headers: dict[str, str], origins: OriginPolicy) -> str | None:
    """Why a state-changing request looks cross-site, or None when it may go on.

    Browsers send `Origin` on every POST, PATCH and DELETE (and `Sec-Fetch-Site`); a
    request with neither is a script (curl, a backup job), which its token or the
    staff code authorises like any other request. A body type a cross-site form could
    send (form, multipart, text) is refused from anyone.
    """
    if method not in STATE_CHANGING:
        return None
    kind = headers.get("content-type", "").split(";", 1)[0].strip().lower()
    has_body = headers.get("content-length", "0") not in ("", "0") or (
        "transfer-encoding" in headers
    )
    origin, fetch_site = headers.get("origin"), headers.get("sec-fetch-site")
    if kind and kind not in BODY_TYPES and not kind.startswith("image/"):
        return f"send the body as application/json (or the file's own type), not {kind}"
    if has_body and not kind and (origin is not None or fetch_site is not None):
        return "send a Content-Type: application/json (or the file's own type)"
    if origin is not None:
        return None if origins.allows(origin) else CROSS_SITE
    if fetch_site is not None and fetch_site not in ("same-origin", "none"):
        return CROSS_SITE
    return None


class CrossSiteGuard:
    """Refuses state-changing HTTP requests from other sites with 403 `forbidden`."""

    def __init__(self, app: ASGIApp, *, origins: OriginPolicy) -> None:
        self.app = app
        self.origins = origins

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["method"] in STATE_CHANGING:
            headers = {k.decode("latin-1"): v.decode("latin-1") for k, v in scope["headers"]}
            reason = cross_site_refusal(scope["method"], headers, self.origins)
            if reason is not None:
                body = orjson.dumps({"error": "forbidden", "message": reason})
                await send(
                    {
                        "type": "http.response.start",
                        "status": 403,
                        "headers": [
                            (b"content-type", b"application/json"),
                            (b"content-length", str(len(body)).encode()),
                        ],
                    }
                )
                await send({"type": "http.response.body", "body": body})
                return
        await self.app(scope, receive, send)
