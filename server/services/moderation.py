"""The facilitator's answers to a vandal: undo one person, remove them for good.

`revert` (rule M1) plans one server batch from the ops log (`domain.revert`) and
commits it; `remove` (rule M5) marks the seat removed and closes its sockets on every
process; with `rotate` the participant link is replaced keeping every other seat
(rule M6). Replies echo the command's `req`.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Protocol

from server.domain.errors import ErrorCode, ProtocolError
from server.domain.ops import touched_ids
from server.domain.revert import LogEntry, plan_revert

from .access import hash_token, link, new_token
from .ports import BoardStore, CommitResult, CommitStatus
from .session import Session, encode

REMOVED_REASON = "removed from this board by the facilitator"
KEEP_SEATS_ROLES = ("participant", "viewer")


class ModeratedRoom(Protocol):
    """The part of a room moderation drives (services.room.Room is one)."""

    board_id: str

    @property
    def store(self) -> BoardStore: ...

    @property
    def public_url(self) -> str: ...

    async def submit_server(self, ops: list[Any], author: str) -> CommitResult: ...

    async def remove_seat_sockets(self, client: str) -> None: ...

    async def announce_link(self, role: str, data: str) -> None: ...


def bad(message: str) -> ProtocolError:
    return ProtocolError(ErrorCode.BAD_MESSAGE, message)


def _seat(body: dict[str, Any]) -> str:
    client = body.get("client")
    if not isinstance(client, str) or not 1 <= len(client) <= 64:
        raise bad("client must be the seat id of a person on this board")
    return client


def since_seq(since: Any, log: list[LogEntry]) -> int:
    """`since` as a seq: a whole number is a seq, a string an ISO 8601 time (rule M2)."""
    if since is None:
        return 0
    if isinstance(since, int) and not isinstance(since, bool):
        if since < 0:
            raise bad("since must be a seq >= 0 or an ISO 8601 time")
        return since
    if isinstance(since, str):
        try:
            moment = dt.datetime.fromisoformat(since)
        except ValueError:
            raise bad("since must be a seq >= 0 or an ISO 8601 time") from None
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=dt.UTC)
        at = int(moment.timestamp() * 1000)
        earlier = [e.seq for e in log if e.at < at]
        return max(earlier, default=log[0].seq - 1 if log else 0)
    raise bad("since must be a seq >= 0 or an ISO 8601 time")


async def revert(room: ModeratedRoom, body: dict[str, Any], author: str) -> dict[str, Any]:
    """Undo what one seat did after `since` as one server batch; the counts (rule M1)."""
    client = _seat(body)
    store = room.store
    log = await store.log_entries(room.board_id)
    since = since_seq(body.get("since"), log)
    ids: set[str] = set()
    for entry in log:
        if entry.client == client and entry.seq > since:
            ids |= {op["object"]["id"] if op["op"] == "create" else op["id"] for op in entry.ops}
    plan = plan_revert(log, await store.records(room.board_id, ids), client, since)
    reply: dict[str, Any] = {
        "type": "reverted",
        "client": client,
        "since": since,
        # The log keeps the last batches only: what it no longer holds cannot be undone.
        "complete": not log or log[0].seq <= since + 1,
        **plan.counts(),
        "seq": None,
    }
    if plan.ops:
        assert touched_ids(plan.ops) <= ids
        result = await room.submit_server(plan.ops, author)
        if result.status is not CommitStatus.APPLIED:
            raise result.error or ProtocolError(ErrorCode.INVALID_OP, "nothing could be undone")
        reply["seq"] = result.seq
    return reply


async def rotate_keeping_seats(store: BoardStore, board_id: str, role: str) -> tuple[str, str]:
    """Replace `role`'s link without closing anyone (rule M6): (token, `link` message).

    The message gives the new token to every socket of that role, so a page that
    reconnects later (a network drop) still gets in, on its own seat.
    """
    if role not in KEEP_SEATS_ROLES:
        raise bad("keep_seats works for the participant and viewer links only")
    token = new_token()
    if await store.replace_link(board_id, role, token, hash_token(token), None) is None:
        raise ProtocolError(ErrorCode.NOT_FOUND, "the board was deleted")
    return token, encode({"type": "link", "role": role, "token": token})


async def remove(room: ModeratedRoom, session: Session, body: dict[str, Any]) -> dict[str, Any]:
    """Remove a seat for good (rule M5), optionally replacing the participant link (M6)."""
    client = _seat(body)
    rotate = body.get("rotate", False)
    if not isinstance(rotate, bool):
        raise bad("rotate must be true or false")
    if client == session.client:
        raise bad("you cannot remove yourself")
    if not await room.store.remove_seat(room.board_id, client):
        raise ProtocolError(ErrorCode.NOT_FOUND, "no such person on this board")
    reply: dict[str, Any] = {"type": "removed", "client": client}
    rotated = None
    if rotate:  # the old link dies before the removed sockets close: no way back in
        token, rotated = await rotate_keeping_seats(room.store, room.board_id, "participant")
        url = link(room.public_url, room.board_id, token)
        reply["link"] = {"role": "participant", "token": token, "link": url}
    await room.remove_seat_sockets(client)
    if rotated is not None:  # after the close, on the same channel: never to the removed
        await room.announce_link("participant", rotated)
    return reply
