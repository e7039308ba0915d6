"""What a socket may learn about other people (rule M7): in anonymous mode, no names.

A message that carries a person's name (the welcome's `peers`, `peer_joined`,
`presence`, `summon`, `session.follow`) is made once with the name and once without:
a facilitator's socket gets the first, everyone else the second, and their page shows
"Deltaker N" from the seat number every person carries. The bus between processes
carries the named form; each process decides for its own sockets, with its own copy
of the session, so no name reaches a participant by way of another process either.
"""

from __future__ import annotations

from typing import Any

Message = dict[str, Any]


def sees_names(role: str, anonymous: bool) -> bool:
    """The facilitator keeps names (to revert and remove the right person)."""
    return not anonymous or role == "facilitator"


def _nameless(person: Any) -> Any:
    if isinstance(person, dict) and "name" in person:
        return {k: v for k, v in person.items() if k != "name"}
    return person


def unnamed(message: Message) -> Message:
    """`message` as a participant or viewer may see it in anonymous mode."""
    kind = message.get("type")
    if kind in ("presence", "summon"):
        return _nameless(message)  # type: ignore[no-any-return]
    if kind == "peer_joined":
        return {**message, "peer": _nameless(message.get("peer"))}
    out = dict(message)
    if isinstance(out.get("peers"), list):  # the welcome, a `peers` list
        out["peers"] = [_nameless(p) for p in out["peers"]]
    session = out.get("session")
    if isinstance(session, dict) and isinstance(session.get("follow"), dict):
        out["session"] = {**session, "follow": _nameless(session["follow"])}
    return out


def for_role(message: Message, role: str, anonymous: bool) -> Message:
    return message if sees_names(role, anonymous) else unnamed(message)
