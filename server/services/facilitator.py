"""The facilitator's controls and dot voting for one live room.

State changes go through `store.update_settings`, which runs the pure reducer
(`domain.facilitation.apply_command`) under the board's lock, so two facilitators on
two processes never overwrite each other. Every change is then sent to everyone on
every process as a `session` message.
"""

from __future__ import annotations

import logging
import secrets
import time
from collections.abc import Coroutine
from typing import Any, Protocol

from server.domain import facilitation
from server.domain.errors import CloseCode, ErrorCode, ProtocolError
from server.domain.ops import Create, Op, Reveal
from server.domain.reveal import tidy_positions
from server.domain.templates import agenda, instantiate, place_beside

from . import moderation
from .committer import revoked
from .hidden import HiddenCount
from .ports import BoardStore, CommitResult, CommitStatus
from .session import Session, encode, error_message
from .templates import TemplateCatalog


class LiveRoom(Protocol):
    """The part of a room the facilitator drives (services.room.Room is one)."""

    board_id: str
    settings: dict[str, Any]
    sessions: dict[str, Session]

    def spawn(self, coro: Coroutine[Any, Any, Any]) -> None: ...

    @property
    def store(self) -> BoardStore: ...

    @property
    def templates(self) -> TemplateCatalog | None: ...

    @property
    def public_url(self) -> str: ...

    def send_all(self, data: str) -> None: ...

    def send_others(self, sender: Session | None, data: str) -> None: ...

    def send_session(self, info: dict[str, Any], skip: Session | None = None) -> None: ...

    async def relay(self, kind: str, data: str, sender: str | None) -> None: ...

    async def announce_session(self, settings: dict[str, Any]) -> None: ...

    def session_info(self, settings: dict[str, Any]) -> dict[str, Any]: ...

    async def submit_server(self, ops: list[Any], author: str) -> CommitResult: ...

    async def remove_seat_sockets(self, client: str) -> None: ...

    async def announce_link(self, role: str, data: str) -> None: ...


MODERATION = ("revert", "remove")
AUTO_VERSION = ("agenda_step", "reveal", "insert_template")
# What of a command or its result the activity view keeps: ids, numbers and switches.
ACTIVITY_FIELDS = frozenset(
    [
        "client",
        "since",
        "seq",
        "removed",
        "restored",
        "reset",
        "kept",
        "step",
        "template",
        "seconds",
        "votes",
        "locked",
        "on",
        "rotate",
    ]
)


log = logging.getLogger("samskap.facilitator")


def _now() -> int:
    return int(time.time() * 1000)


def _forbidden(message: str) -> ProtocolError:
    return ProtocolError(ErrorCode.FORBIDDEN, message)


class Reply:
    """Who asked (and their `req`): they get the resulting `session` message with it."""

    def __init__(self, session: Session, req: str | None) -> None:
        self.session = session
        self.req = req
        self.sent = False


class Facilitator:
    def __init__(self, room: LiveRoom) -> None:
        self.room = room
        self.store = room.store
        self.hidden = HiddenCount(room, room.spawn)

    # --- commands ---------------------------------------------------------------------

    async def command(self, session: Session, body: dict[str, Any], req: str | None = None) -> None:
        """Run one facilitation command; the facilitator always gets a `session` reply."""
        if session.role != "facilitator":
            raise _forbidden("only the facilitator runs the session")
        refusal = revoked(session, await self.store.token_hashes(self.room.board_id))
        if refusal is not None:  # the link was replaced, and the close was lost (S13)
            session.send(error_message(refusal, None, req))
            session.close(CloseCode.UNAUTHORIZED, refusal.message)
            return
        action = body.get("action")
        if action in MODERATION:
            await self._moderate(session, action, body, req)
            return
        await self._command(session, action, body, req)
        await self.note(session, str(action), body)

    async def note(self, session: Session, action: str, detail: dict[str, Any]) -> None:
        """Record a facilitation action for the activity view (rule A1): the action and
        its short fields only, never text (labels, names) a person typed."""
        kept = {
            k: v
            for k, v in detail.items()
            if k in ACTIVITY_FIELDS and isinstance(v, (int, str, bool)) and v is not None
        }
        try:
            await self.store.record(
                self.room.board_id,
                "facilitate",
                session.client,
                session.name,
                {**kept, "action": action},
            )
        except Exception:
            log.warning("could not record %s in the activity log", action)

    async def _command(
        self, session: Session, action: Any, body: dict[str, Any], req: str | None
    ) -> None:
        if action not in facilitation.ACTIONS:
            raise facilitation.bad(f"unknown facilitation action {action!r}")
        reply = Reply(session, req)
        if action in AUTO_VERSION:  # taken before the change (rule V5)
            await self.auto_version(action, body, session.name)
        if action == "agenda_step":
            await self._step(session, body.get("step"), reply)
        elif action == "insert_template":
            await self._insert(session, body, reply)
        else:
            await self._run(session, action, body, reply)
        if not reply.sent:  # nothing changed: the answer is the state as it stands
            info = {"type": "session", **self.room.session_info(self.room.settings)}
            session.send(encode(info if req is None else {**info, "req": req}))

    async def auto_version(self, action: str, body: dict[str, Any], by: str) -> None:
        """Save a version before an agenda step, `reveal` or `insert_template` (rule V5).

        A failure is logged, never a reason to refuse the facilitator's command.
        """
        kind = "step" if action == "agenda_step" else "auto"
        label = f"step {body.get('step')}" if action == "agenda_step" else action
        # Bad input changes nothing: the command's own checks run first.
        if action == "insert_template":
            if self.room.templates is None:
                raise ProtocolError(ErrorCode.NOT_FOUND, "no templates here")
            self.room.templates.get(body.get("template"))
        elif action == "agenda_step":
            step: Any = body.get("step")  # checked by step_commands
            facilitation.step_commands(self.room.settings.get("agenda", []), step)
        try:
            await self.store.save_version(self.room.board_id, kind, label, by)
        except Exception:
            log.exception("could not save a version before %s", action)

    async def _moderate(
        self, session: Session, action: str, body: dict[str, Any], req: str | None
    ) -> None:
        """`revert` and `remove` (rules M1, M5): the asker gets the result, with `req`."""
        room = self.room
        if action == "revert":
            reply = await moderation.revert(room, body, session.name)
        else:
            reply = await moderation.remove(room, session, body)
        session.send(encode(reply if req is None else {**reply, "req": req}))
        await self.note(session, action, reply)

    async def _run(
        self,
        session: Session,
        action: str,
        body: dict[str, Any],
        reply: Reply | None,
        *,
        announce: bool = True,
    ) -> None:
        body = {**body, "_client": session.client, "_name": session.name}
        now = _now()
        found: list[facilitation.Effects] = []
        changed: list[bool] = []

        def change(settings: dict[str, Any]) -> dict[str, Any]:
            before = facilitation.current(settings)
            state, effects = facilitation.apply_command(before, action, body, now)
            found.append(effects)
            changed.append(state != before)
            return {**settings, "session": state}

        meta = await self.store.update_settings(self.room.board_id, change)
        if meta is None:
            raise ProtocolError(ErrorCode.NOT_FOUND, "the board was deleted")
        effects = found[-1]
        if effects.reveal:
            await self._reveal(session)
        if effects.clear_votes:
            await self.store.clear_votes(self.room.board_id)
        if effects.close_votes:
            totals = await self.store.vote_totals(self.room.board_id)
            meta = await self.store.update_settings(
                self.room.board_id, lambda s: _with_results(s, totals)
            )
            assert meta is not None
        if announce and (changed[-1] or effects.close_votes):
            await self.broadcast(meta.settings, reply)
        if action == "private_on":  # after the session message: the panel shows it (F6)
            await self.hidden.send()
        if effects.summon is not None:
            summon = {
                "type": "summon",
                "by": session.client,
                "name": session.name,
                **effects.summon,
            }
            await self.room.relay("summon", encode(summon), session.client)

    async def _reveal(self, session: Session) -> None:
        """Every private object appears, as ONE server batch; each author's notes are
        laid out in a column of their own in the zone where they were written (F5)."""
        snapshot = await self.store.snapshot(self.room.board_id)
        if snapshot is None:
            return
        private = [o for o in snapshot.objects if o.get("private")]
        if not private:
            return
        places = tidy_positions(private, snapshot.objects)
        ops: list[Op] = [Reveal(str(o["id"]), places.get(str(o["id"]))) for o in private]
        await self.room.submit_server(ops, session.name)

    async def _step(self, session: Session, step: Any, reply: Reply) -> None:
        meta = await self.store.board(self.room.board_id)
        if meta is None:
            raise ProtocolError(ErrorCode.NOT_FOUND, "the board was deleted")
        commands = facilitation.step_commands(meta.settings.get("agenda", []), step)
        for action, body in commands:  # one `session` message for the whole step
            await self._run(session, action, body, None, announce=False)
        closes = any(action == "voting_close" for action, _ in commands)

        def stepped(settings: dict[str, Any]) -> dict[str, Any]:
            state = {**facilitation.current(settings), "step": step}
            if closes and state["voting"]:  # a vote this step closes closed in this step
                state["voting"] = {**state["voting"], "closed_in": step}
            return {**settings, "session": state}

        meta = await self.store.update_settings(self.room.board_id, stepped)
        assert meta is not None
        await self.broadcast(meta.settings, reply)

    async def _insert(self, session: Session, body: dict[str, Any], reply: Reply) -> None:
        """Insert a template as a new frame beside what is on the board."""
        catalog = self.room.templates
        if catalog is None:
            raise ProtocolError(ErrorCode.NOT_FOUND, "no templates here")
        template = catalog.get(body.get("template"))
        snapshot = await self.store.snapshot(self.room.board_id)
        if snapshot is None:
            raise ProtocolError(ErrorCode.NOT_FOUND, "the board was deleted")
        locale = body.get("locale") or snapshot.board.settings.get("locale", "nb")
        origin = place_beside(snapshot.objects, template.size)
        prefix = "t" + secrets.token_hex(3) + "-"
        objects = instantiate(template, locale, origin, prefix)
        result = await self.room.submit_server([Create(o) for o in objects], session.name)
        if result.status is not CommitStatus.APPLIED:
            raise result.error or ProtocolError(ErrorCode.INVALID_OP, "the template did not fit")
        steps = agenda(template, locale, prefix)
        meta = await self.store.update_settings(
            self.room.board_id,
            lambda s: {
                **s,
                "agenda": steps,
                "template": template.id,
                "session": {**facilitation.current(s), "step": None},
            },
        )
        assert meta is not None
        await self.broadcast(meta.settings, reply)
        frames = [o["id"] for o in objects if o["kind"] == "frame"]
        target = (
            {"frame": frames[0]}
            if frames
            else {"view": {"x": origin[0], "y": origin[1], "zoom": 1}}
        )
        summon = {"type": "summon", "by": session.client, "name": session.name, **target}
        await self.room.relay("summon", encode(summon), None)

    async def broadcast(self, settings: dict[str, Any], reply: Reply | None = None) -> None:
        self.room.settings = settings
        info = {"type": "session", **self.room.session_info(settings)}
        if reply is None or reply.req is None:
            self.room.send_session(info)
        else:
            self.room.send_session(info, skip=reply.session)
            reply.session.send(encode({**info, "req": reply.req}))
        if reply is not None:
            reply.sent = True
        await self.room.announce_session(settings)

    # --- voting -----------------------------------------------------------------------

    async def vote(
        self, session: Session, object_id: Any, delta: int, req: str | None = None
    ) -> None:
        if session.role == "viewer":
            raise _forbidden("viewers cannot vote")
        if not isinstance(object_id, str):
            raise facilitation.bad("id must be a note id")

        def check(settings: dict[str, Any], mine: dict[str, int]) -> None:
            facilitation.check_vote(facilitation.current(settings), mine, object_id, delta)

        mine = await self.store.cast_vote(
            self.room.board_id, session.client, object_id, delta, check
        )
        session.send(self.votes_message(mine, req))

    def votes_message(self, mine: dict[str, int], req: str | None = None) -> str:
        voting = facilitation.current(self.room.settings).get("voting") or {}
        budget = voting.get("votes", 0)
        body: dict[str, Any] = {
            "type": "votes",
            "mine": mine,
            "remaining": budget - sum(mine.values()),
        }
        if req is not None:
            body["req"] = req
        return encode(body)

    def board_changed(self) -> None:
        """A batch was applied: recount the hidden notes for the facilitator (F6)."""
        self.hidden.board_changed()

    async def after_join(self, session: Session) -> None:
        """Tell a (re)joining voter how many votes they have left, and a facilitator how
        many hidden notes there are while people write privately."""
        if session.role == "facilitator" and facilitation.current(self.room.settings).get(
            "private"
        ):
            await self.hidden.send(session)
        voting = facilitation.current(self.room.settings).get("voting")
        if voting and voting.get("open") and session.role != "viewer":
            mine = await self.store.votes_of(self.room.board_id, session.client)
            session.send(self.votes_message(mine))


def _with_results(settings: dict[str, Any], totals: dict[str, int]) -> dict[str, Any]:
    state = facilitation.current(settings)
    voting = dict(state["voting"] or {})
    voting["results"] = facilitation.ranked(totals)
    return {**settings, "session": {**state, "voting": voting}}
