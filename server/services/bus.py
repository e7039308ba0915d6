"""The messages one process's room sends another's over pub/sub, as one typed value.

A bus message is a JSON header line and the payload (already-encoded client text,
passed through untouched so it is serialised once). The header names what happened,
which room instance sent it (`origin`), and, where it matters, the batch's `seq` and
id, the seat (`client`) and the socket (`conn`).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

import orjson


class Kind(StrEnum):
    OPS = "ops"  # a committed batch (payload: its public `ops` message)
    # A committed batch with someone else's private ops (a restore): payload is the whole
    # `ops` message, owners included, which the receiving room splits per seat.
    OPS_PRIVATE = "ops_private"
    PRESENCE = "presence"  # a cursor/selection (payload: the `presence` message)
    JOIN = "join"  # someone joined (payload: `peer_joined`)
    LEAVE = "leave"  # a socket left (payload: `peer_left`)
    HELLO = "hello"  # a room opened: everyone, tell me your people
    PEERS = "peers"  # heartbeat: the sender's people, whole (payload: a JSON list)
    SEAT = "seat"  # a seat was claimed by socket `conn`: older sockets on it close (4009)
    BOARD = "board"  # title/settings changed (payload: the `board` message)
    SESSION = "session"  # facilitation state changed (payload: {"settings": ...})
    SUMMON = "summon"  # "bring everyone here" (payload: the `summon` message)
    CLOSE = "close"  # close sockets (payload: {"code", "reason", "role"})
    REMOVE = "remove"  # seat `client` was removed: its sockets close with 4010 (rule M5)
    LINK = "link"  # a link was replaced keeping seats (payload: the `link` message, M6)


@dataclass(frozen=True, slots=True)
class BusMessage:
    kind: Kind
    origin: str
    data: str = ""
    seq: int = 0
    batch: str = ""
    client: str = ""
    conn: str = ""

    def encode(self) -> bytes:
        header = {"k": self.kind.value, "o": self.origin}
        if self.seq:
            header["s"] = self.seq  # type: ignore[assignment]
        for key, value in (("b", self.batch), ("c", self.client), ("n", self.conn)):
            if value:
                header[key] = value
        return orjson.dumps(header) + b"\n" + self.data.encode()

    @classmethod
    def decode(cls, raw: bytes) -> BusMessage:
        """Parse one message; raises ValueError on anything malformed."""
        head, sep, data = raw.partition(b"\n")
        if not sep:
            raise ValueError("bus message without a header line")
        header = orjson.loads(head)
        if not isinstance(header, dict):
            raise ValueError("bus header is not an object")
        seq = header.get("s", 0)
        if not isinstance(seq, int):
            raise ValueError("bus seq is not a number")
        return cls(
            kind=Kind(header["k"]),
            origin=str(header["o"]),
            data=data.decode(),
            seq=seq,
            batch=str(header.get("b", "")),
            client=str(header.get("c", "")),
            conn=str(header.get("n", "")),
        )


def board_channel(prefix: str, board_id: str) -> str:
    return f"{prefix}:board:{board_id}"
