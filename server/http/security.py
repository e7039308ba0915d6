"""Security headers, client addresses behind proxies, and the WebSocket Origin check."""

from __future__ import annotations

import ipaddress
from urllib.parse import urlsplit

from starlette.types import ASGIApp, Message, Receive, Scope, Send

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
