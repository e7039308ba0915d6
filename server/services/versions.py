"""Versions of a board and restoring one (rules V1-V6), behind the HTTP API.

A restore is one server batch committed through the board's room, so everyone on
every process sees it live; a `before_restore` version is saved first, so a restore
is undone by restoring that one.
"""

from __future__ import annotations

import logging
from typing import Any

from server.domain.errors import ErrorCode, ProtocolError
from server.domain.render.png import render_png
from server.domain.restore import KINDS, plan_restore

from .boards import BoardService
from .exports import POOL, votes_of
from .hub import Hub
from .ports import BoardStore, CommitStatus, VersionInfo

log = logging.getLogger("samskap.versions")

MAX_LABEL = 120
PREVIEW_SCALE = 0.25


def clean_label(value: Any) -> str:
    if value is None:
        return ""
    if not isinstance(value, str) or len(value) > MAX_LABEL:
        raise ProtocolError(
            ErrorCode.BAD_MESSAGE, f"label must be text of at most {MAX_LABEL} characters"
        )
    return " ".join(value.split())


class VersionService:
    def __init__(self, store: BoardStore, hub: Hub, boards: BoardService | None = None) -> None:
        self.store = store
        self.hub = hub
        self.boards = boards  # its quota, SAMSKAP_LIMIT_BOARD_BYTES (rule V6)

    async def listed(self, board_id: str) -> list[dict[str, Any]]:
        return [v.public() for v in await self.store.versions(board_id)]

    async def save(self, board_id: str, kind: str, label: str, by: str = "") -> VersionInfo:
        assert kind in KINDS
        if kind == "manual" and self.boards is not None:
            # Versions count toward the board's bytes (V6): a full board saves no more by
            # hand. Automatic ones are still made (a restore stays undoable) and thinned.
            newest = await self.store.versions(board_id)
            await self.boards.check_room_for(board_id, newest[0].size if newest else 0)
        info = await self.store.save_version(board_id, kind, label, by)
        if info is None:
            raise ProtocolError(ErrorCode.NOT_FOUND, "the board was deleted")
        if kind == "manual":
            await self.store.record(board_id, "version", "", by, {"version": info.id})
        return info

    async def _load(self, board_id: str, version_id: str) -> tuple[VersionInfo, list[Any]]:
        found = await self.store.version(board_id, version_id)
        if found is None:
            raise ProtocolError(ErrorCode.NOT_FOUND, "no such version")
        return found

    async def preview(self, board_id: str, version_id: str) -> bytes:
        """The version as a small PNG, without private objects (like every export)."""
        _info, objs = await self._load(board_id, version_id)
        meta = await self.store.board(board_id)
        if meta is None:
            raise ProtocolError(ErrorCode.NOT_FOUND, "the board was deleted")
        public = [o for o in objs if not o.get("private")]
        assets: dict[str, tuple[str, bytes]] = {}
        if any(o.get("kind") == "image" for o in public):
            assets = {a.id: (a.mime, a.data) for a in await self.store.assets(board_id)}
        board = {
            "title": meta.title,
            "settings": dict(meta.settings),
            "objects": public,
            "votes": votes_of(meta.settings),
        }
        return await POOL.run(
            render_png, board, scale=PREVIEW_SCALE, padding=40, assets=assets, background=True
        )

    async def restore(self, board_id: str, version_id: str, by: str) -> dict[str, Any]:
        """Make the board equal to the version as one server batch (rule V3)."""
        _info, objs = await self._load(board_id, version_id)
        before = await self.save(board_id, "before_restore", "", by)
        snapshot = await self.store.snapshot(board_id)
        if snapshot is None:
            raise ProtocolError(ErrorCode.NOT_FOUND, "the board was deleted")
        ids = {o["id"] for o in objs} | {o["id"] for o in snapshot.objects}
        plan = plan_restore(objs, await self.store.records(board_id, ids))
        reply: dict[str, Any] = {"version": version_id, "before": before.id, "seq": None}
        reply |= plan.counts()
        if plan.ops:
            result = await self.hub.server_batch(board_id, plan.ops, by)
            if result.status is not CommitStatus.APPLIED:
                raise result.error or ProtocolError(ErrorCode.INVALID_OP, "the version did not fit")
            reply["seq"] = result.seq
        log.info("board restored to a version (%d ops)", len(plan.ops))
        await self.store.record(board_id, "restore", "", by, {**reply})
        return reply
