"""Who is on a board in the other processes, kept true by heartbeats (presence that heals).

Peers are keyed by socket (`conn`), not by seat: a seat that moved to a new socket
(a reconnect, maybe on another process) is never removed by its old socket's late
`leave`. Each process announces its whole list now and then; the directory reconciles
an origin's peers with it and says who appeared and who went, so browsers hear of
people whose `join` or `leave` message was lost, and of processes that died.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

Peer = dict[str, Any]  # {client, conn, name, role, color, seat}


@dataclass(slots=True)
class Changes:
    joined: list[Peer] = field(default_factory=list)
    left: list[Peer] = field(default_factory=list)


class PeerDirectory:
    """Remote peers by origin (one room instance in another process) and socket."""

    def __init__(self) -> None:
        self._by_origin: dict[str, dict[str, Peer]] = {}
        self._heard: dict[str, float] = {}

    @property
    def peers(self) -> list[Peer]:
        return [p for peers in self._by_origin.values() for p in peers.values()]

    def heard(self, origin: str, now: float) -> None:
        self._heard[origin] = now

    def joined(self, origin: str, peer: Peer) -> None:
        self._by_origin.setdefault(origin, {})[peer["conn"]] = peer

    def left(self, origin: str, conn: str) -> Peer | None:
        """Remove one socket; None if it was not known (a late or repeated leave)."""
        return self._by_origin.get(origin, {}).pop(conn, None)

    def reconcile(self, origin: str, announced: list[Any]) -> Changes:
        """Replace an origin's peers with its announced list; report the difference."""
        now = {
            p["conn"]: p
            for p in announced
            if isinstance(p, dict) and isinstance(p.get("conn"), str) and "client" in p
        }
        before = self._by_origin.get(origin, {})
        changes = Changes(
            joined=[p for c, p in now.items() if c not in before],
            left=[p for c, p in before.items() if c not in now],
        )
        self._by_origin[origin] = now
        return changes

    def expire(self, silent_since: float) -> list[Peer]:
        """Forget origins not heard from since `silent_since` (a crashed process)."""
        gone: list[Peer] = []
        for origin in [o for o, t in self._heard.items() if t < silent_since]:
            del self._heard[origin]
            gone.extend(self._by_origin.pop(origin, {}).values())
        return gone
