"""What the sync services need from the outside world, as small protocols and records.

`create_app` wires concrete adapters (server.storage, server.pubsub) into these;
tests can wire others. Nothing here does I/O.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, Protocol

from server.domain.errors import ProtocolError
from server.domain.ops import Op, Record
from server.domain.revert import LogEntry

ROLES = ("facilitator", "participant", "viewer")


@dataclass(frozen=True, slots=True)
class BoardMeta:
    id: str
    title: str
    settings: dict[str, Any]
    seq: int
    object_count: int
    created_at: int
    updated_at: int


@dataclass(frozen=True, slots=True)
class Snapshot:
    board: BoardMeta
    objects: list[dict[str, Any]]


@dataclass(frozen=True, slots=True)
class LoggedBatch:
    """One committed batch as the log keeps it: the applied ops, in wire shape."""

    seq: int
    batch_id: str
    client: str
    ops: list[dict[str, Any]]
    skipped: list[int] = field(default_factory=list)  # for the sender's ack (rule S17)

    def message(self) -> dict[str, Any]:
        return {
            "type": "ops",
            "seq": self.seq,
            "by": self.client,
            "batch": self.batch_id,
            "ops": self.ops,
        }


@dataclass(slots=True)
class PendingBatch:
    """A batch waiting for commit. What the sender may do is decided inside the
    commit transaction, from the role and the board's current session settings."""

    batch_id: str
    client: str
    author: str
    ops: list[Op]
    role: str
    # The hash of the link the sender joined with, re-checked against the board's links
    # in the commit transaction (rule S13); empty for batches the server makes itself.
    link_hash: str = ""


@dataclass(frozen=True, slots=True)
class RawBatch:
    """A logged batch with its ops as the stored JSON text (read for catch-ups)."""

    seq: int
    batch_id: str
    client: str
    ops: str


class CommitStatus(StrEnum):
    APPLIED = "applied"
    DUPLICATE = "duplicate"  # the batch id was committed before: ack with its seq
    NOOP = "noop"  # nothing changed: no seq taken, ack with the current seq
    REFUSED = "refused"


@dataclass(slots=True)
class CommitResult:
    status: CommitStatus
    seq: int
    skipped: list[int] = field(default_factory=list)
    applied: LoggedBatch | None = None
    error: ProtocolError | None = None


@dataclass(frozen=True, slots=True)
class Asset:
    id: str
    mime: str
    width: int
    height: int
    data: bytes


@dataclass(frozen=True, slots=True)
class VersionInfo:
    """A saved version of a board (rule V1), without its objects."""

    id: str
    seq: int
    kind: str  # auto, step, manual, before_restore
    label: str
    by: str
    objects: int
    size: int  # stored bytes (compressed)
    at: int  # ms since the epoch

    def public(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "seq": self.seq,
            "at": self.at,
            "label": self.label,
            "by": self.by,
            "kind": self.kind,
            "objects": self.objects,
            "bytes": self.size,
        }


class BoardGone(Exception):
    """The board was deleted while something was still being done to it."""


# (parent's facilitator token, copy's id) -> (the copy's facilitator token, role -> hash):
# how a breakout copy's links follow from its parent's (services/access.py).
BreakoutKeys = Callable[[str, str], tuple[str, dict[str, str]]]


class BoardStore(Protocol):
    async def create_board(
        self,
        board_id: str,
        title: str,
        settings: dict[str, Any],
        token_hashes: dict[str, str],
        objects: list[dict[str, Any]],
        assets: list[Asset] | None = None,
    ) -> BoardMeta: ...

    async def board(self, board_id: str) -> BoardMeta | None: ...

    async def token_hashes(self, board_id: str) -> dict[str, str]: ...

    async def replace_link(
        self,
        board_id: str,
        role: str,
        token: str,
        token_hash: str,
        breakout_keys: BreakoutKeys | None = None,
    ) -> list[str] | None:
        """Store a role's new link hash; with `breakout_keys`, re-key the board's breakout
        copies (and theirs) in the same transaction, under the board's lock. A copy
        counts only where both sides agree: it is in the board's `breakouts` and names
        the board as its `parent`. Returns the re-keyed copies; None: no such board."""
        ...

    async def add_breakouts(
        self, board_id: str, facilitator_hash: str, made: list[dict[str, Any]]
    ) -> bool:
        """Append `made` to the board's `breakouts` under its lock, only while its
        facilitator link still has `facilitator_hash` (False: replaced, or no board)."""
        ...

    async def update_board(
        self, board_id: str, *, title: str | None = None, settings: dict[str, Any] | None = None
    ) -> BoardMeta | None: ...

    async def delete_board(self, board_id: str) -> bool: ...

    async def touch(self, board_id: str) -> None:
        """Remember that the board was opened now."""
        ...

    async def boards_idle_since(self, cutoff_ms: int) -> list[str]: ...

    async def snapshot(self, board_id: str) -> Snapshot | None: ...

    async def spend_daily(self, address: str, kind: str, cost: int, limit: int) -> bool:
        """Count toward an address's allowance for today, shared by all processes."""
        ...

    async def snapshot_text(self, board_id: str) -> tuple[BoardMeta, list[str]] | None: ...

    async def batch_texts_since(
        self, board_id: str, since: int
    ) -> tuple[int, list[RawBatch]] | None: ...

    async def batches_since(
        self, board_id: str, since: int
    ) -> tuple[int, list[LoggedBatch]] | None:
        """(current seq, batches after `since`), or None when the log no longer reaches back."""
        ...

    async def claim_seat(self, board_id: str, secret_hash: str) -> str | None:
        """The seat (client id) whose resume secret hashes to `secret_hash` (rule S18)."""
        ...

    async def add_seat(self, board_id: str, client: str, secret_hash: str) -> bool:
        """Store a new seat; False when the board is gone."""
        ...

    async def drop_unused_seat(self, board_id: str, client: str) -> None:
        """Delete a seat nobody claimed again since it was made (it owns nothing)."""
        ...

    async def seat_removed(self, board_id: str, secret_hash: str) -> bool:
        """Whether the secret names a seat the facilitator removed (rule M5)."""
        ...

    async def remove_seat(self, board_id: str, client: str) -> bool:
        """Mark a seat removed; False when there is no such seat (rule M5)."""
        ...

    async def seat_number(self, board_id: str, client: str) -> int:
        """The seat's number, 1, 2, 3 ... on its board (rule M7); 0 if there is no seat."""
        ...

    async def log_entries(self, board_id: str) -> list[LogEntry]:
        """The ops log, oldest first (what `revert` replays, rule M1)."""
        ...

    async def records(self, board_id: str, ids: set[str]) -> dict[str, Record]:
        """Stored records of `ids`, tombstones included."""
        ...

    async def record(
        self, board_id: str, kind: str, client: str, name: str, detail: dict[str, Any]
    ) -> None:
        """Note something for the activity view (rule A1); never object contents.
        Best effort: never raises."""
        ...

    async def activity(self, board_id: str, since: int) -> dict[str, Any]:
        """{"events": [...], "edits": [...]} since `since` (ms), rule A1."""
        ...

    async def save_version(
        self, board_id: str, kind: str, label: str, by: str, *, unless_since: int | None = None
    ) -> VersionInfo | None:
        """Snapshot the board now (rule V1); None if it is gone or (with `unless_since`)
        a version since then exists or the newest one has the current seq."""
        ...

    async def versions(self, board_id: str) -> list[VersionInfo]:
        """Newest first."""
        ...

    async def version(
        self, board_id: str, version_id: str
    ) -> tuple[VersionInfo, list[dict[str, Any]]] | None: ...

    async def commit(self, board_id: str, pending: list[PendingBatch]) -> list[CommitResult]:
        """Apply batches in order in one transaction; raises BoardGone."""
        ...

    async def object_meta(self, board_id: str) -> dict[str, dict[str, Any]]: ...

    async def update_settings(
        self, board_id: str, change: Callable[[dict[str, Any]], dict[str, Any]]
    ) -> BoardMeta | None:
        """Read-modify-write the settings under the board's lock (`change` may raise)."""
        ...

    async def private_owners(self, board_id: str) -> list[str]:
        """The owner of each private object, one entry per object."""
        ...

    async def cast_vote(
        self,
        board_id: str,
        voter: str,
        object_id: str,
        delta: int,
        check: Callable[[dict[str, Any], dict[str, int]], None],
    ) -> dict[str, int]:
        """Change one vote atomically after `check(settings, my_votes)`; returns my votes."""
        ...

    async def votes_of(self, board_id: str, voter: str) -> dict[str, int]: ...

    async def vote_totals(self, board_id: str) -> dict[str, int]: ...

    async def clear_votes(self, board_id: str) -> None: ...

    async def put_asset(self, board_id: str, asset: Asset) -> None: ...

    async def get_asset(self, board_id: str, asset_id: str) -> Asset | None: ...

    async def assets(self, board_id: str) -> list[Asset]: ...

    async def board_bytes(self, board_id: str) -> int:
        """Stored size of a board: objects (tombstones too), images, its log and versions."""
        ...

    async def ping(self) -> None: ...

    async def close(self) -> None: ...


Handler = Callable[[bytes], Awaitable[None] | None]


class Broker(Protocol):
    """Pub/sub between app processes. Delivery is a hint; the database is the truth."""

    async def publish(self, channel: str, data: bytes) -> None: ...

    async def subscribe(self, channel: str, handler: Handler) -> None: ...

    async def unsubscribe(self, channel: str, handler: Handler) -> None: ...

    def on_reconnect(self, callback: Callable[[], None]) -> None: ...

    @property
    def connected(self) -> bool: ...

    @property
    def shared(self) -> bool:
        """Whether another process may hear what this one publishes. Every subscriber
        ignores its own process's messages, so a process alone publishes nothing."""
        ...

    async def close(self) -> None: ...
