"""Facilitation state of a board and the facilitator's commands, as pure data.

The state lives in the board's settings under "session", so it survives restarts and
is shared by every process. `apply_command` is a reducer: it returns the new state and
the side effects the service must carry out (reveal private notes, summon views...).
Times are server milliseconds; clients correct for their clock skew with `now`.
"""

from __future__ import annotations

import copy
import math
from dataclasses import dataclass
from typing import Any

from .errors import ErrorCode, ProtocolError
from .objects import ID_RE, MAX_COORD
from .ops import SERVER_CLIENT, Policy

MAX_TIMER_SEC = 4 * 3600
MAX_VOTES = 100

State = dict[str, Any]


def initial_state() -> State:
    return {
        "timer": None,
        "private": False,
        "voting": None,
        "permissions": {"add": True, "move": True, "vote": True},
        "locked": False,
        "follow": None,
        "step": None,
        "anonymous": False,
    }


class BadSession(ValueError):
    """The stored session state is not the shape this code writes (a damaged row)."""


def current(settings: dict[str, Any]) -> State:
    """The session state in a board's settings, parsed: defaults filled in, every field
    of the shape `apply_command` writes, or `BadSession` naming the first bad field.

    This is the one door stored state comes through, so nothing downstream (the commit's
    `policy_for`, votes, the welcome) meets a string where it expects an object.
    """
    raw = settings.get("session")
    if raw is None:
        return initial_state()
    if not isinstance(raw, dict):
        raise BadSession("session: must be an object")
    state = {**initial_state(), **raw}
    for key, check in _SHAPE.items():
        if not check(state[key]):
            raise BadSession(f"session.{key}: not a valid value")
    return state


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _opt_int(value: Any) -> bool:
    return value is None or _is_int(value)


def _timer_ok(t: Any) -> bool:
    return t is None or (
        isinstance(t, dict)
        and _is_int(t.get("duration"))
        and _opt_int(t.get("ends_at"))
        and _opt_int(t.get("remaining"))
        and isinstance(t.get("running"), bool)
        and (t["ends_at"] is not None if t["running"] else t["remaining"] is not None)
    )


def _voting_ok(v: Any) -> bool:
    return v is None or (
        isinstance(v, dict)
        and isinstance(v.get("open"), bool)
        and _is_int(v.get("votes"))
        and _is_int(v.get("per_note"))
        and (v.get("results") is None or _results_ok(v["results"]))
        and (v.get("closed_in") is None or _is_int(v["closed_in"]))
    )


def _results_ok(results: Any) -> bool:
    return isinstance(results, list) and all(
        isinstance(r, dict) and isinstance(r.get("id"), str) and _is_int(r.get("votes"))
        for r in results
    )


def _permissions_ok(p: Any) -> bool:
    return isinstance(p, dict) and all(isinstance(p.get(k, True), bool) for k in PERMISSIONS)


def _follow_ok(f: Any) -> bool:
    return f is None or (
        isinstance(f, dict) and isinstance(f.get("client"), str) and isinstance(f.get("name"), str)
    )


PERMISSIONS = ("add", "move", "vote")
_SHAPE: dict[str, Any] = {
    "timer": _timer_ok,
    "private": lambda v: isinstance(v, bool),
    "voting": _voting_ok,
    "permissions": _permissions_ok,
    "locked": lambda v: isinstance(v, bool),
    "follow": _follow_ok,
    "step": _opt_int,
    "anonymous": lambda v: isinstance(v, bool),
}


def bad(message: str) -> ProtocolError:
    return ProtocolError(ErrorCode.BAD_MESSAGE, message)


@dataclass(slots=True)
class Effects:
    """What the service does after storing the new state."""

    reveal: bool = False
    clear_votes: bool = False
    close_votes: bool = False
    summon: dict[str, Any] | None = None


def _seconds(body: dict[str, Any], key: str = "seconds") -> int:
    value = body.get(key)
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise bad(f"{key} must be a number of seconds")
    if not 1 <= value <= MAX_TIMER_SEC:
        raise bad(f"{key} must be between 1 and {MAX_TIMER_SEC}")
    return int(value * 1000)


def _count(body: dict[str, Any], key: str, default: int) -> int:
    value = body.get(key, default)
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= MAX_VOTES:
        raise bad(f"{key} must be a whole number from 1 to {MAX_VOTES}")
    return value


def _flag(body: dict[str, Any], key: str) -> bool:
    value = body.get(key)
    if not isinstance(value, bool):
        raise bad(f"{key} must be true or false")
    return value


def summon_target(body: dict[str, Any]) -> dict[str, Any]:
    """`{"frame": id}` or `{"view": {x, y, zoom}}`: where everyone's view goes."""
    frame = body.get("frame")
    if frame is not None:
        if not isinstance(frame, str) or not ID_RE.match(frame):
            raise bad("frame must be an object id")
        return {"frame": frame}
    view = body.get("view")
    if not isinstance(view, dict):
        raise bad("summon needs a frame or a view")
    out = {}
    for key, lo, hi in (
        ("x", -MAX_COORD, MAX_COORD),
        ("y", -MAX_COORD, MAX_COORD),
        ("zoom", 0.01, 100),
    ):
        number = view.get(key)
        if (
            isinstance(number, bool)
            or not isinstance(number, int | float)
            or not lo <= number <= hi
        ):
            raise bad(f"view.{key} must be a number between {lo:g} and {hi:g}")
        out[key] = number
    for key in ("w", "h"):  # the leader's viewport size, so followers can fit it
        if key in view:
            number = view[key]
            if isinstance(number, bool) or not isinstance(number, int | float):
                raise bad(f"view.{key} must be a number")
            if not 0 < number <= 2 * MAX_COORD:
                raise bad(f"view.{key} must be between 0 and {2 * MAX_COORD:g}")
            out[key] = number
    return {"view": out}


def _timer(state: State, action: str, body: dict[str, Any], now: int) -> None:
    timer = state["timer"]
    if action == "timer_start":
        duration = _seconds(body)
        state["timer"] = {
            "duration": duration,
            "ends_at": now + duration,
            "remaining": None,
            "running": True,
        }
        return
    if timer is None:
        raise ProtocolError(ErrorCode.NOT_FOUND, "no timer is running")
    if action == "timer_pause" and timer["running"]:
        timer.update(running=False, remaining=max(0, timer["ends_at"] - now), ends_at=None)
    elif action == "timer_resume" and not timer["running"]:
        timer.update(running=True, ends_at=now + timer["remaining"], remaining=None)
    elif action == "timer_add":
        extra = _seconds(body)
        timer["duration"] += extra
        if timer["running"]:
            timer["ends_at"] = max(timer["ends_at"], now) + extra
        else:
            timer["remaining"] += extra
    elif action == "timer_stop":
        state["timer"] = None


def apply_command(
    state: State, action: str, body: dict[str, Any], now: int
) -> tuple[State, Effects]:
    """Apply one facilitator command; raises `ProtocolError` and changes nothing when bad."""
    state = copy.deepcopy(state)
    effects = Effects()
    if action.startswith("timer_") and action in TIMER_ACTIONS:
        _timer(state, action, body, now)
    elif action == "private_on":
        state["private"] = True
    elif action == "reveal":
        state["private"] = False
        effects.reveal = True
    elif action == "voting_open":
        votes = _count(body, "votes", 3)
        per_note = _count(body, "per_note", 1)
        if per_note > votes:
            raise bad("per_note cannot be more than votes")
        state["voting"] = {"open": True, "votes": votes, "per_note": per_note, "results": None}
        effects.clear_votes = True
    elif action == "voting_close":
        if not state["voting"] or not state["voting"]["open"]:
            raise ProtocolError(ErrorCode.NOT_FOUND, "no vote is open")
        state["voting"]["open"] = False
        # The agenda step it closed in: a page opened later shows the results only then.
        state["voting"]["closed_in"] = state["step"]
        effects.close_votes = True
    elif action == "voting_clear":
        state["voting"] = None
        effects.clear_votes = True
    elif action == "permissions":
        perms = dict(state["permissions"])
        for key in ("add", "move", "vote"):
            if key in body:
                perms[key] = _flag(body, key)
        state["permissions"] = perms
    elif action == "lock_board":
        state["locked"] = _flag(body, "locked")
    elif action == "follow_start":
        state["follow"] = {"client": body["_client"], "name": body["_name"]}
    elif action == "follow_stop":
        state["follow"] = None
    elif action == "summon":
        effects.summon = summon_target(body)
    elif action == "anonymous":  # rule M7: others' names stay on the server
        state["anonymous"] = _flag(body, "on")
    else:
        raise bad(f"unknown facilitation action {action!r}")
    return state, effects


TIMER_ACTIONS = ("timer_start", "timer_pause", "timer_resume", "timer_add", "timer_stop")
ACTIONS = (
    *TIMER_ACTIONS,
    "private_on",
    "reveal",
    "voting_open",
    "voting_close",
    "voting_clear",
    "permissions",
    "lock_board",
    "follow_start",
    "follow_stop",
    "summon",
    "anonymous",
    "agenda_step",
    "insert_template",
)


def step_commands(agenda: list[dict[str, Any]], step: int) -> list[tuple[str, dict[str, Any]]]:
    """The commands an agenda step runs, in the template's action vocabulary."""
    if not isinstance(step, int) or isinstance(step, bool) or not 0 <= step < len(agenda):
        raise bad(f"step must be 0-{len(agenda) - 1}")
    commands: list[tuple[str, dict[str, Any]]] = []
    for action in agenda[step].get("actions", []):
        ((name, value),) = action.items()
        if name == "focus_frame":
            commands.append(("summon", {"frame": value}))
        elif name == "timer":
            commands.append(("timer_start", {"seconds": value * 60}))
        elif name == "private":
            commands.append(("private_on", {}) if value else ("reveal", {}))
        elif name == "voting" and value == "close":
            commands.append(("voting_close", {}))
        elif name == "voting":
            commands.append(
                ("voting_open", {"votes": value["votes"], "per_note": value.get("per_note", 1)})
            )
        elif name == "permissions":
            commands.append(("permissions", dict(value)))
    return commands


def ranked(totals: dict[str, int]) -> list[dict[str, Any]]:
    """Vote results, most votes first, ties in id order so every client agrees."""
    return [
        {"id": k, "votes": v}
        for k, v in sorted(totals.items(), key=lambda kv: (-kv[1], kv[0]))
        if v > 0
    ]


def check_vote(state: State, mine: dict[str, int], object_id: str, delta: int) -> None:
    """Refuse a vote the budget or the rules do not allow."""
    voting = state["voting"]
    if not voting or not voting["open"]:
        raise ProtocolError(ErrorCode.FORBIDDEN, "voting is not open")
    if not state["permissions"].get("vote", True):
        raise ProtocolError(ErrorCode.FORBIDDEN, "voting is paused")
    if delta == 1:
        if sum(mine.values()) >= voting["votes"]:
            raise ProtocolError(ErrorCode.FORBIDDEN, f"you have used all {voting['votes']} votes")
        if mine.get(object_id, 0) >= voting["per_note"]:
            raise ProtocolError(
                ErrorCode.FORBIDDEN, f"at most {voting['per_note']} vote(s) per note"
            )
    elif mine.get(object_id, 0) <= 0:
        raise ProtocolError(ErrorCode.NOT_FOUND, "you have no vote on that note")


@dataclass(frozen=True, slots=True)
class Rules:
    """The part of the session a commit enforces, as a typed value (F2)."""

    locked: bool = False
    private: bool = False
    may_add: bool = True
    may_move: bool = True


def rules_of(settings: dict[str, Any]) -> Rules:
    """Parse stored settings into the rules a commit needs; `BadSession` when damaged."""
    state = current(settings)
    perms = state["permissions"]
    return Rules(
        locked=state["locked"],
        private=state["private"],
        may_add=perms.get("add", True),
        may_move=perms.get("move", True),
    )


def policy_for(role: str, client: str, rules: Rules) -> Policy:
    """What a sender may do now: from the role and the facilitator's switches."""
    if role == "facilitator":
        return Policy(client=client, may_lock=True, server=client == SERVER_CLIENT)
    if role != "participant" or rules.locked:
        return Policy(client=client, frozen=True)
    return Policy(
        client=client, may_add=rules.may_add, may_move=rules.may_move, private=rules.private
    )


def is_anonymous(settings: dict[str, Any]) -> bool:
    """Whether anonymous mode is on (rule M7). Only a literal `true` counts; it runs for
    every presence message, so it reads this one field, not the whole state."""
    raw = settings.get("session")
    return isinstance(raw, dict) and raw.get("anonymous") is True
