"""Undo one person (rule M1): the ops that take back what one seat did, from the log.

A pure function over the batch log and the objects' current records. The log holds
the applied ops of every batch in `seq` order, not the values they replaced, so the
value a field had before the seat changed it is found by replaying the log from its
start: the last value any earlier batch (or the object's create) gave that field.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from .ops import Create, Delete, Op, Record, Update


@dataclass(frozen=True, slots=True)
class LogEntry:
    """One logged batch: who made it and the ops it applied (wire shape)."""

    seq: int
    client: str
    ops: list[dict[str, Any]]
    at: int = 0  # when it was committed (ms since the epoch)


@dataclass(slots=True)
class RevertPlan:
    """The server batch to commit and what it will do, counted for the facilitator."""

    ops: list[Op] = field(default_factory=list)
    removed: int = 0  # objects the seat created, deleted now
    restored: int = 0  # objects the seat deleted, brought back
    reset: int = 0  # objects whose fields the seat changed, set back
    kept: int = 0  # fields the seat changed that someone changed later: left alone
    unknown: int = 0  # fields whose earlier value the (trimmed) log no longer holds

    def counts(self) -> dict[str, int]:
        return {
            "removed": self.removed,
            "restored": self.restored,
            "reset": self.reset,
            "kept": self.kept,
            "unknown": self.unknown,
        }


_UNKNOWN = object()


def plan_revert(
    log: Iterable[LogEntry],
    records: Mapping[str, Record],
    client: str,
    since: int,
) -> RevertPlan:
    """What to commit so that what `client` did after `since` (a seq) is undone.

    - an object the seat created is deleted, whoever changed it since;
    - a field the seat changed is set back to the value it had before the seat's first
      change, unless another seat (or the server) changed that field later;
    - an object the seat deleted is brought back (a server `create` of its id), with
      the seat's own field changes set back as above.

    `records` are the objects' current stored records, tombstones included.
    """
    state: dict[str, dict[str, Any]] = {}  # the replayed fields of each object
    created: set[str] = set()
    deleted: set[str] = set()  # ids whose last delete was the seat's
    before: dict[tuple[str, str], Any] = {}  # (id, field) -> value before the seat's change
    last_writer: dict[tuple[str, str], str] = {}
    for entry in sorted(log, key=lambda e: e.seq):
        mine = entry.client == client and entry.seq > since
        for op in entry.ops:
            kind = op.get("op")
            if kind == "create":
                obj = op["object"]
                object_id = obj["id"]
                if mine:
                    created.add(object_id)
                known = state.get(object_id, {})
                for name, value in obj.items():  # a reveal or bring-back changes few
                    if known.get(name, _UNKNOWN) != value:
                        last_writer[(object_id, name)] = entry.client
                state[object_id] = {**known, **obj}
                deleted.discard(object_id)
            elif kind == "update":
                object_id = op["id"]
                known = state.setdefault(object_id, {})
                for name, value in op["set"].items():
                    key = (object_id, name)
                    if mine and key not in before:
                        before[key] = known.get(name, _UNKNOWN)
                    known[name] = value
                    last_writer[key] = entry.client
            elif kind == "delete":
                if mine:
                    deleted.add(op["id"])
                else:
                    deleted.discard(op["id"])
    plan = RevertPlan()
    patches: dict[str, dict[str, Any]] = {}
    for (object_id, name), value in before.items():
        if object_id in created:
            continue
        if last_writer.get((object_id, name)) != client:
            plan.kept += 1
        elif value is _UNKNOWN:
            plan.unknown += 1
        else:
            patches.setdefault(object_id, {})[name] = value
    for object_id in sorted(created):
        record = records.get(object_id)
        if record is not None and not record.deleted:
            plan.ops.append(Delete(object_id))
            plan.removed += 1
    for object_id in sorted(deleted - created):
        record = records.get(object_id)
        if record is not None and record.deleted:
            data = {**record.data, **patches.pop(object_id, {})}
            plan.ops.append(Create(data))
            plan.restored += 1
    for object_id, patch in sorted(patches.items()):
        record = records.get(object_id)
        if record is None or record.deleted:
            continue
        changes = {k: v for k, v in patch.items() if record.data.get(k) != v}
        if changes:
            plan.ops.append(Update(object_id, changes))
            plan.reset += 1
    return plan
