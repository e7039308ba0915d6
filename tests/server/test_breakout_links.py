"""Breakout copies' links follow the facilitator's: a replaced link opens none of them.

A copy's links are derived from its parent's facilitator token, so rotating that link
re-keys every copy (and the copies' copies) in one transaction, and only boards the
server made as copies: a list in editable settings never re-keys a stranger's board.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from server.config import Settings
from server.domain.errors import CloseCode, ProtocolError
from server.services.access import derived_token, hash_token, role_for
from server.services.boards import Access, BoardService
from server.storage.engine import create_engine, migrate
from server.storage.store import SqlBoardStore
from tests.support.servers import LiveServer, token_of


class Closings:
    """Stands in for the hub: only records which sockets the service asked to close."""

    def __init__(self) -> None:
        self.closed: list[tuple[str, str | None]] = []

    async def close_board_sessions(
        self, board_id: str, code: CloseCode, reason: str, role: str | None = None
    ) -> None:
        self.closed.append((board_id, role))


@pytest.fixture
async def service(db_settings: Settings) -> AsyncIterator[BoardService]:
    engine = create_engine(db_settings.database_url, schema=db_settings.database_schema)
    await migrate(engine)
    store = SqlBoardStore(engine)
    yield BoardService(store, Closings(), "http://samskap.test", 10_000_000)  # type: ignore[arg-type]
    await store.close()


async def opens(service: BoardService, board_id: str, token: str) -> str | None:
    return role_for(token, await service.store.token_hashes(board_id))


async def new_board(service: BoardService) -> tuple[Access, str]:
    created = await service.create("Kurs")
    token = token_of(created["links"]["facilitator"])
    return await service.authorize(created["id"], token, "facilitator"), token


async def test_copies_of_copies_are_rekeyed_too(service: BoardService) -> None:
    parent, old = await new_board(service)
    child = (await service.make_breakouts(parent, old, 1, None))[0]["id"]
    child_old = derived_token(old, child, "facilitator")
    child_access = await service.authorize(child, child_old, "facilitator")
    grandchild = (await service.make_breakouts(child_access, child_old, 1, None))[0]["id"]

    rotated = await service.rotate(parent.board.id, "facilitator")
    new = token_of(rotated["link"])
    child_new = derived_token(new, child, "facilitator")
    for role in ("facilitator", "participant", "viewer"):
        assert await opens(service, child, derived_token(old, child, role)) is None
        assert await opens(service, grandchild, derived_token(child_old, grandchild, role)) is None
        assert await opens(service, child, derived_token(new, child, role)) == role
        assert await opens(service, grandchild, derived_token(child_new, grandchild, role)) == role
    assert {board for board, _ in service.hub.closed} >= {child, grandchild}  # type: ignore[attr-defined]


async def test_two_rotations_at_once_leave_the_copies_with_the_winner(
    service: BoardService,
) -> None:
    parent, old = await new_board(service)
    copies = [c["id"] for c in await service.make_breakouts(parent, old, 3, None)]
    first, second = await asyncio.gather(
        service.rotate(parent.board.id, "facilitator"),
        service.rotate(parent.board.id, "facilitator"),
    )
    hashes = await service.store.token_hashes(parent.board.id)
    winner = next(
        token_of(r["link"])
        for r in (first, second)
        if hash_token(token_of(r["link"])) == hashes["facilitator"]
    )
    for copy in copies:
        assert await opens(service, copy, derived_token(winner, copy, "participant")) == (
            "participant"
        )


async def test_copies_made_while_the_link_is_replaced_are_undone(service: BoardService) -> None:
    parent, old = await new_board(service)
    store: Any = service.store
    real_add = store.add_breakouts
    copies_made = asyncio.Event()
    rotated = asyncio.Event()

    async def add_after_the_rotation(*args: Any) -> bool:
        copies_made.set()
        await rotated.wait()
        return bool(await real_add(*args))

    store.add_breakouts = add_after_the_rotation
    making = asyncio.create_task(service.make_breakouts(parent, old, 2, None))
    await copies_made.wait()
    await service.rotate(parent.board.id, "facilitator")
    rotated.set()
    with pytest.raises(ProtocolError) as refused:
        await making
    assert refused.value.code == "unauthorized"
    meta = await service.store.board(parent.board.id)
    assert meta is not None and meta.settings.get("breakouts", []) == []
    async with service.store.engine.connect() as conn:  # type: ignore[attr-defined]
        from sqlalchemy import func, select

        from server.storage.tables import boards

        count = (await conn.execute(select(func.count()).select_from(boards))).scalar()
    assert count == 1  # the two half-made copies were deleted


async def test_settings_cannot_make_a_strangers_board_a_copy(live_server: LiveServer) -> None:
    """Only the server writes `breakouts` and `parent`; a PATCH keeps them as they were."""
    victim = await live_server.create_board("Offer")
    attacker = await live_server.create_board("Angriper")
    auth = {"Authorization": f"Bearer {token_of(attacker['links']['facilitator'])}"}
    owner = {"Authorization": f"Bearer {token_of(victim['links']['facilitator'])}"}
    forged = {"breakouts": [{"id": victim["id"], "title": "x"}, {"title": "no id"}], "x": 1}
    async with httpx.AsyncClient(base_url=live_server.url) as http:
        patched = await http.patch(
            f"/api/boards/{attacker['id']}", json={"settings": forged}, headers=auth
        )
        assert patched.status_code == 400  # server-owned keys are refused, nothing changes
        assert (
            patched.json()["message"]
            == "settings.breakouts is kept by the server and cannot be set"
        )
        rotated = await http.post(
            f"/api/boards/{attacker['id']}/links/facilitator/rotate", headers=auth
        )
        assert rotated.status_code == 200
        new_auth = {"Authorization": f"Bearer {token_of(rotated.json()['link'])}"}
        listed = await http.get(f"/api/boards/{attacker['id']}/breakouts", headers=new_auth)
        assert listed.json()["breakouts"] == []
        assert (await http.get(f"/api/boards/{victim['id']}", headers=owner)).status_code == 200
        stolen = derived_token(token_of(rotated.json()["link"]), victim["id"], "facilitator")
        assert (
            await http.delete(
                f"/api/boards/{victim['id']}", headers={"Authorization": f"Bearer {stolen}"}
            )
        ).status_code == 404
        assert (await http.get(f"/api/boards/{victim['id']}", headers=owner)).status_code == 200
