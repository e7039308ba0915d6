"""Board use cases behind the HTTP API: create, read, change, delete, rotate links, assets."""

from __future__ import annotations

import asyncio
import secrets
from dataclasses import dataclass
from typing import Any

from server.domain import settings as board_settings
from server.domain.errors import CloseCode, ErrorCode, ProtocolError
from server.domain.geometry import frame_contents
from server.domain.images import ImageRejected, clean_image
from server.domain.objects import MAX_TITLE

from .access import (
    at_least,
    breakout_keys,
    derived_token,
    hash_token,
    link,
    new_board_id,
    new_token,
    role_for,
)
from .hub import Hub
from .ports import ROLES, Asset, BoardMeta, BoardStore

MAX_BREAKOUTS = 30
DECODE_SECONDS = 10.0


@dataclass(frozen=True, slots=True)
class Access:
    board: BoardMeta
    role: str


def clean_title(value: Any) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ProtocolError(ErrorCode.BAD_MESSAGE, "title must be a non-empty string")
    title = " ".join(value.split())
    if len(title) > MAX_TITLE:
        raise ProtocolError(ErrorCode.TOO_LARGE, f"title is longer than {MAX_TITLE} characters")
    return title


class BoardService:
    def __init__(
        self,
        store: BoardStore,
        hub: Hub,
        public_url: str,
        max_pixels: int,
        board_bytes: int = 200 * 1024 * 1024,
    ) -> None:
        self.store = store
        self.hub = hub
        self.public_url = public_url
        self.max_pixels = max_pixels
        self.board_bytes = board_bytes

    async def check_room_for(self, board_id: str, adding: int) -> None:
        """Refuse (too_large) what would take a board over SAMSKAP_LIMIT_BOARD_BYTES."""
        held = await self.store.board_bytes(board_id)
        if held + adding > self.board_bytes:
            raise ProtocolError(
                ErrorCode.TOO_LARGE,
                f"this board is full: it holds {held / 1e6:,.1f} MB and may hold"
                f" {self.board_bytes / 1e6:,.1f} MB; delete images or start a new board",
            )

    async def create(
        self,
        title: str,
        *,
        settings: dict[str, Any] | None = None,
        objects: list[dict[str, Any]] | None = None,
        assets: list[Asset] | None = None,
    ) -> dict[str, Any]:
        board_id = new_board_id()
        tokens = {role: new_token() for role in ROLES}
        hashes = {role: hash_token(token) for role, token in tokens.items()}
        await self.store.create_board(
            board_id, title, settings or {}, hashes, objects or [], assets or []
        )
        links = {role: link(self.public_url, board_id, tokens[role]) for role in ROLES}
        return {"id": board_id, "title": title, "links": links}

    async def authorize(self, board_id: str, token: str | None, needed: str) -> Access:
        """No token: unauthorized. Unknown board or wrong token: not_found, identical for both."""
        if not token:
            raise ProtocolError(ErrorCode.UNAUTHORIZED, "a link token is required")
        hashes = await self.store.token_hashes(board_id)
        role = role_for(token, hashes) if hashes else None
        board = await self.store.board(board_id) if role else None
        if role is None or board is None:
            raise ProtocolError(ErrorCode.NOT_FOUND, "no such board, or the link is not valid")
        if not at_least(role, needed):
            raise ProtocolError(ErrorCode.FORBIDDEN, f"this needs the {needed} link")
        return Access(board, role)

    async def read(self, board_id: str) -> dict[str, Any]:
        snapshot = await self.store.snapshot(board_id)
        if snapshot is None:
            raise ProtocolError(ErrorCode.NOT_FOUND, "no such board, or the link is not valid")
        meta = snapshot.board
        return {
            "id": meta.id,
            "title": meta.title,
            "seq": meta.seq,
            "settings": meta.settings,
            # Private objects (private mode, before reveal) belong to their owner's view only.
            "objects": [o for o in snapshot.objects if not o.get("private")],
        }

    async def change(self, board_id: str, body: Any) -> BoardMeta:
        if not isinstance(body, dict) or not body or set(body) - {"title", "settings"}:
            raise ProtocolError(ErrorCode.BAD_MESSAGE, "send title and/or settings")
        title = clean_title(body["title"]) if "title" in body else None
        # Checked whole before anything is written: a bad field changes nothing.
        editable = board_settings.clean_patch(body["settings"]) if "settings" in body else None
        meta = await self.store.update_board(board_id, title=title)
        if editable and meta is not None:
            # Under the board's lock, over what is stored now: a running timer, vote or
            # agenda (server-owned) stays as it is.
            meta = await self.store.update_settings(
                board_id, lambda current: board_settings.patched(current, editable)
            )
        if meta is None:
            raise ProtocolError(ErrorCode.NOT_FOUND, "no such board, or the link is not valid")
        await self.hub.board_changed(meta)
        return meta

    async def delete(self, board_id: str) -> None:
        await self.store.delete_board(board_id)
        await self.hub.close_board_sessions(board_id, CloseCode.BOARD_DELETED, "board deleted")

    async def rotate(self, board_id: str, role: str, *, keep_seats: bool = False) -> dict[str, str]:
        """A new link for `role`; the old one stops working and its sockets close.

        Breakout copies' links are derived from the facilitator's token, so a new
        facilitator link re-keys every copy (and the copies' copies) in the same
        transaction: the replaced link no longer works out any of their links.
        With `keep_seats` nobody is closed: the role's sockets get the new token
        (rule M6; participant and viewer links only).
        """
        if role not in ROLES:
            raise ProtocolError(ErrorCode.NOT_FOUND, f"role must be one of {', '.join(ROLES)}")
        if keep_seats:
            token = await self.hub.rotate_keeping_seats(board_id, role)
            return {"role": role, "link": link(self.public_url, board_id, token)}
        token = new_token()
        keys = breakout_keys if role == "facilitator" else None
        rekeyed = await self.store.replace_link(board_id, role, token, hash_token(token), keys)
        if rekeyed is None:
            raise ProtocolError(ErrorCode.NOT_FOUND, "no such board, or the link is not valid")
        replaced = "the link was replaced"
        await self.hub.close_board_sessions(board_id, CloseCode.UNAUTHORIZED, replaced, role)
        for child in rekeyed:
            await self.hub.close_board_sessions(child, CloseCode.UNAUTHORIZED, replaced)
        return {"role": role, "link": link(self.public_url, board_id, token)}

    async def upload(self, board_id: str, data: bytes) -> Asset:
        # Decoding is CPU work: off the event loop, and bounded in time (S9).
        try:
            image = await asyncio.wait_for(
                asyncio.to_thread(clean_image, data, max_pixels=self.max_pixels), DECODE_SECONDS
            )
        except ImageRejected as exc:
            raise ProtocolError(ErrorCode.BAD_MESSAGE, str(exc)) from None
        except TimeoutError:
            raise ProtocolError(
                ErrorCode.BAD_MESSAGE, "the image took too long to decode"
            ) from None
        asset = Asset(secrets.token_urlsafe(12), image.mime, image.width, image.height, image.data)
        await self.check_room_for(board_id, len(asset.data))
        await self.store.put_asset(board_id, asset)
        return asset

    # --- breakout copies ---------------------------------------------------------------

    async def make_breakouts(
        self, parent: Access, token: str, count: Any, frame: Any
    ) -> list[dict[str, Any]]:
        """Copies of the board (or one frame) for groups, each with its own links.

        The copies' tokens are derived from the facilitator's token (HMAC), so the
        facilitator can list their links later while the database keeps only hashes.
        """
        if isinstance(count, bool) or not isinstance(count, int) or not 1 <= count <= MAX_BREAKOUTS:
            raise ProtocolError(ErrorCode.BAD_MESSAGE, f"count must be 1-{MAX_BREAKOUTS}")
        snapshot = await self.store.snapshot(parent.board.id)
        if snapshot is None:
            raise ProtocolError(ErrorCode.NOT_FOUND, "no such board, or the link is not valid")
        objects: list[dict[str, Any]] = [o for o in snapshot.objects if not o.get("private")]
        if frame is not None:
            found = [o for o in objects if o["id"] == frame and o["kind"] == "frame"]
            if not found:
                raise ProtocolError(ErrorCode.BAD_MESSAGE, f"unknown frame {frame!r}")
            objects = [dict(o) for o in frame_contents(found[0], objects)]
        used = {o.get("asset") for o in objects if o["kind"] == "image"}
        assets = [a for a in await self.store.assets(parent.board.id) if a.id in used]
        settings: dict[str, Any] = {
            key: snapshot.board.settings[key]
            for key in ("locale", "agenda", "template")
            if key in snapshot.board.settings
        }
        made = []
        start = len(snapshot.board.settings.get("breakouts", []))
        for number in range(start + 1, start + count + 1):
            child = new_board_id()
            title = f"{parent.board.title} ({number})"[-MAX_TITLE:]
            _, hashes = breakout_keys(token, child)
            await self.store.create_board(
                child, title, {**settings, "parent": parent.board.id}, hashes, objects, assets
            )
            made.append({"id": child, "title": title})
        if not await self.store.add_breakouts(parent.board.id, hash_token(token), made):
            for item in made:  # the facilitator link was replaced meanwhile: undo
                await self.store.delete_board(item["id"])
            raise ProtocolError(ErrorCode.UNAUTHORIZED, "the facilitator link was replaced")
        return [self._breakout_links(item, token) for item in made]

    async def list_breakouts(self, parent: Access, token: str) -> list[dict[str, Any]]:
        meta = await self.store.board(parent.board.id)
        items = (meta.settings if meta else {}).get("breakouts", [])
        return [self._breakout_links(item, token) for item in items]

    def _breakout_links(self, item: dict[str, Any], token: str) -> dict[str, Any]:
        links = {
            role: link(self.public_url, item["id"], derived_token(token, item["id"], role))
            for role in ROLES
        }
        return {"id": item["id"], "title": item["title"], "links": links}

    async def copy_asset(self, target: Access, source: Access, asset_id: Any) -> Asset:
        """Bring an image from another board the caller can read (copy/paste of images)."""
        if not isinstance(asset_id, str):
            raise ProtocolError(ErrorCode.BAD_MESSAGE, "asset must be an asset id")
        existing = await self.store.get_asset(target.board.id, asset_id)
        if existing is not None:
            return existing
        asset = await self.store.get_asset(source.board.id, asset_id)
        if asset is None:
            raise ProtocolError(ErrorCode.NOT_FOUND, "no such image")
        await self.check_room_for(target.board.id, len(asset.data))
        await self.store.put_asset(target.board.id, asset)
        return asset
