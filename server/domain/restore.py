"""Versions of a board (rules V1-V6): the ops that make a board equal to a version,
and which automatic versions age out. Pure functions over data."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from .ops import Create, Delete, Op, Record, Update

KINDS = ("auto", "step", "manual", "before_restore")
HOUR_MS = 3_600_000
DAY_MS = 24 * HOUR_MS
KEEP_ALL_MS = DAY_MS  # every automatic version of the last 24 h is kept
KEEP_HOURLY_MS = 30 * DAY_MS  # then one an hour for 30 days, then one a day
AUTO_EVERY_MS = 10 * 60_000  # an automatic version every 10 minutes while the board changes
PRIVATE_FIELDS = ("private", "owner")


@dataclass(slots=True)
class RestorePlan:
    ops: list[Op] = field(default_factory=list)
    deleted: int = 0  # objects made since the version
    restored: int = 0  # objects deleted since, brought back with their own ids
    changed: int = 0  # objects changed since, set back

    def counts(self) -> dict[str, int]:
        return {"deleted": self.deleted, "restored": self.restored, "changed": self.changed}


def _privacy(data: Mapping[str, Any]) -> tuple[Any, Any]:
    return data.get("private"), data.get("owner")


def plan_restore(version: Iterable[dict[str, Any]], current: Mapping[str, Record]) -> RestorePlan:
    """One server batch that makes the live objects equal to `version`'s (rule V3).

    `current` holds the stored records of every id live now or in the version,
    tombstones included. Deletes come first, so a full board has room for what
    comes back. An object whose privacy differs is deleted and created again in the
    same batch (an update cannot change `private` or `owner`).
    """
    plan = RestorePlan()
    wanted = {obj["id"]: obj for obj in version}
    for object_id, record in sorted(current.items()):
        if not record.deleted and object_id not in wanted:
            plan.ops.append(Delete(object_id))
            plan.deleted += 1
    for object_id, obj in sorted(wanted.items()):
        found = current.get(object_id)
        if found is None or found.deleted:
            plan.ops.append(Create(dict(obj)))
            plan.restored += 1
        elif _privacy(found.data) != _privacy(obj) or found.data.get("kind") != obj["kind"]:
            plan.ops += [Delete(object_id), Create(dict(obj))]
            plan.changed += 1
        else:
            changes = {
                k: v
                for k, v in obj.items()
                if k not in PRIVATE_FIELDS and k != "id" and found.data.get(k) != v
            }
            if changes:
                plan.ops.append(Update(object_id, changes))
                plan.changed += 1
    return plan


@dataclass(frozen=True, slots=True)
class Stamp:
    """What retention needs to know of a version."""

    id: str
    kind: str
    at: int


def thinned(versions: Iterable[Stamp], now: int) -> list[str]:
    """Ids of automatic versions to forget (rule V6).

    Manual versions are kept. Of the others, every one younger than 24 hours is kept;
    up to 30 days old, the newest of each hour; older, the newest of each day.
    """
    drop: list[str] = []
    seen: set[tuple[str, int]] = set()
    for version in sorted(versions, key=lambda v: v.at, reverse=True):
        age = now - version.at
        if version.kind == "manual" or age < KEEP_ALL_MS:
            continue
        hourly = age < KEEP_HOURLY_MS
        bucket = ("h", version.at // HOUR_MS) if hourly else ("d", version.at // DAY_MS)
        if bucket in seen:
            drop.append(version.id)
        else:
            seen.add(bucket)
    return drop
