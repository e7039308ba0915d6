"""Operations on board objects: parsing a batch and applying it to stored records.

`apply_ops` is the one reducer of the server. It takes the current records of the
objects a batch touches and returns what actually changed, so the storage layer
writes exactly that and the sync layer broadcasts exactly that (rule S5).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from .errors import ErrorCode, ProtocolError, invalid
from .objects import (
    ID_RE,
    MAX_OBJECTS_PER_BOARD,
    Object,
    check_patch_fits,
    validate_new,
    validate_patch,
)

MAX_OPS_PER_BATCH = 2_000
SERVER_CLIENT = "_server"  # the `client`/`by` of server-made batches; no seat has it


@dataclass(frozen=True, slots=True)
class Create:
    object: Object


@dataclass(frozen=True, slots=True)
class Update:
    id: str
    set: Object


@dataclass(frozen=True, slots=True)
class Delete:
    id: str


@dataclass(frozen=True, slots=True)
class Reveal:
    """Server-made: a private object becomes visible to all (sent as a `create`),
    at `at` (x, y) when the reveal tidies it (rule F5)."""

    id: str
    at: tuple[int, int] | None = None


Op = Create | Update | Delete | Reveal


@dataclass(slots=True)
class Record:
    """The stored state of one object; a deleted object stays as a tombstone."""

    data: Object
    deleted: bool = False


@dataclass(frozen=True, slots=True)
class Policy:
    """What the sender may do; decided by the sync layer from role and board state."""

    client: str = ""
    may_lock: bool = False
    may_add: bool = True
    may_move: bool = True
    private: bool = False  # creates are private to `client` (private mode)
    frozen: bool = False  # the board is locked for this sender
    max_objects: int = MAX_OBJECTS_PER_BOARD
    server: bool = False  # a server-made batch (reveal, template, revert, restore)


@dataclass(slots=True)
class Outcome:
    """The effect of one batch: wire-shaped applied ops, skipped indices, new records."""

    applied: list[dict[str, Any]] = field(default_factory=list)
    skipped: list[int] = field(default_factory=list)
    changed: dict[str, Record] = field(default_factory=dict)
    live_delta: int = 0

    @property
    def effective(self) -> bool:
        return bool(self.applied)


def _object_id(value: Any) -> str:
    if not isinstance(value, str) or not ID_RE.match(value):
        raise invalid("id must be 1-64 characters of A-Z a-z 0-9 _ -")
    return value


CREATE_KEYS = frozenset(("op", "object"))
UPDATE_KEYS = frozenset(("op", "id", "set"))
DELETE_KEYS = frozenset(("op", "id"))


def _keys(raw: dict[str, Any], allowed: frozenset[str], what: str) -> None:
    # A key view against a prebuilt frozenset: no sets made per op on the hot path.
    if not raw.keys() <= allowed:
        raise invalid(f"{what} has unknown field {sorted(raw.keys() - allowed)[0]!r}")


def parse_op(raw: Any) -> Op:
    """Turn one wire op into a typed, validated op (raises `invalid_op`)."""
    if not isinstance(raw, dict):
        raise invalid("op must be a JSON object")
    kind = raw.get("op")
    if kind == "create":
        _keys(raw, CREATE_KEYS, "create")
        return Create(validate_new(raw.get("object")))
    if kind == "update":
        _keys(raw, UPDATE_KEYS, "update")
        return Update(_object_id(raw.get("id")), validate_patch(raw.get("set")))
    if kind == "delete":
        _keys(raw, DELETE_KEYS, "delete")
        return Delete(_object_id(raw.get("id")))
    raise invalid("op must be create, update or delete")


def parse_ops(raw: Any) -> list[Op]:
    """Validate a whole batch: one bad op rejects all of it (rule S1)."""
    if not isinstance(raw, list) or not raw:
        raise invalid("ops must be a non-empty list")
    if len(raw) > MAX_OPS_PER_BATCH:
        raise ProtocolError(ErrorCode.TOO_LARGE, f"a batch holds at most {MAX_OPS_PER_BATCH} ops")
    ops = []
    for index, item in enumerate(raw):
        try:
            ops.append(parse_op(item))
        except ProtocolError as exc:
            raise invalid(f"op {index}: {exc.message}") from None
    return ops


def touched_ids(ops: list[Op]) -> set[str]:
    """Ids whose records `apply_ops` needs."""
    return {op.object["id"] if isinstance(op, Create) else op.id for op in ops}


MOVE_FIELDS = frozenset(("x", "y"))


def _forbid(index: int, message: str) -> ProtocolError:
    return ProtocolError(ErrorCode.FORBIDDEN, f"op {index}: {message}")


def hidden_from(record: Record, client: str) -> bool:
    """A private object is invisible to everyone but its owner."""
    return bool(record.data.get("private")) and record.data.get("owner") != client


def _create(op: Create, index: int, policy: Policy, out: Outcome, live: int) -> Record:
    obj = dict(op.object)
    if not policy.may_add:
        raise _forbid(index, "adding is paused by the facilitator")
    if obj.get("locked") and not policy.may_lock:
        raise _forbid(index, "only facilitators lock")
    if live + out.live_delta >= policy.max_objects:
        raise ProtocolError(
            ErrorCode.TOO_LARGE, f"a board holds at most {policy.max_objects} objects"
        )
    if policy.private:
        obj["private"], obj["owner"] = True, policy.client
    out.live_delta += 1
    applied: dict[str, Any] = {"op": "create", "object": dict(obj)}
    if obj.get("private") and isinstance(obj.get("owner"), str):
        applied["owner"] = obj["owner"]  # a brought-back private object stays private (M3)
    out.applied.append(applied)
    return Record(obj)


def _change(
    op: Update | Delete, current: Record, index: int, policy: Policy, out: Outcome
) -> Record | None:
    if current.data.get("locked") and not policy.may_lock:
        raise _forbid(index, f"object {current.data['id']} is locked")
    owner = current.data.get("owner") if current.data.get("private") else None
    if isinstance(op, Delete):
        out.live_delta -= 1
        applied: dict[str, Any] = {"op": "delete", "id": op.id}
        record = Record(current.data, deleted=True)
    else:
        try:
            check_patch_fits(current.data["kind"], op.set)
        except ProtocolError as exc:
            raise invalid(f"op {index}: {exc.message}") from None
        if "locked" in op.set and not policy.may_lock:
            raise _forbid(index, "only facilitators lock")
        if not policy.may_move and MOVE_FIELDS & op.set.keys():
            raise _forbid(index, "moving is paused by the facilitator")
        changes = {k: v for k, v in op.set.items() if current.data.get(k) != v}
        if not changes:
            return None
        applied = {"op": "update", "id": op.id, "set": changes}
        record = Record({**current.data, **changes})
    if owner is not None:
        applied["owner"] = owner
    out.applied.append(applied)
    return record


def _reveal(current: Record, out: Outcome, at: tuple[int, int] | None = None) -> Record | None:
    if not current.data.get("private"):
        return None
    data = {k: v for k, v in current.data.items() if k not in ("private", "owner")}
    if at is not None:
        data["x"], data["y"] = at
    out.applied.append({"op": "create", "object": dict(data)})
    return Record(data)


def apply_ops(
    ops: list[Op], records: Mapping[str, Record | None], live_count: int, policy: Policy
) -> Outcome:
    """Apply a batch to the records it touches, in order, all or nothing.

    A create of an id that exists or existed, and an update or delete of an object
    that is gone (or private to someone else), are skipped (S3, S4). An update that
    changes no value applies nothing. Raises `ProtocolError` and changes nothing when
    the batch is refused.

    A server-made batch (`policy.server`) may create a tombstoned id, which brings the
    object back with its own id (rule M3), and sees private objects (it reverts them).
    """
    out = Outcome()
    if policy.frozen:
        raise ProtocolError(ErrorCode.FORBIDDEN, "the board is locked")
    # What this batch changed so far shadows `records`; copying `records` per batch
    # instead made a group commit quadratic in its size (sat50 profile, py-spy).
    changed = out.changed
    for index, op in enumerate(ops):
        record: Record | None
        if isinstance(op, Create):
            object_id = op.object["id"]
            existing = changed.get(object_id, records.get(object_id))
            if existing is not None and not (policy.server and existing.deleted):
                out.skipped.append(index)
                continue
            record = _create(op, index, policy, out, live_count)
        else:
            current = changed.get(op.id, records.get(op.id))
            if (
                current is None
                or current.deleted
                or (
                    not isinstance(op, Reveal)
                    and not policy.server
                    and hidden_from(current, policy.client)
                )
            ):
                out.skipped.append(index)
                continue
            if isinstance(op, Reveal):
                record = _reveal(current, out, op.at)
            else:
                record = _change(op, current, index, policy, out)
            if record is None:
                continue
        changed[record.data["id"]] = record
    return out


def visible_ops(ops: list[dict[str, Any]], client: str | None) -> list[dict[str, Any]]:
    """The ops of a logged batch that `client` may see (private ones only to their owner)."""
    return [op for op in ops if op.get("owner") in (None, client)]


def has_private(ops: list[dict[str, Any]]) -> bool:
    return any("owner" in op for op in ops)
