"""Link tokens: made with `secrets`, stored only as hashes, compared in constant time."""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets

from .ports import ROLES

TOKEN_BYTES = 32  # 256 bits
BOARD_ID_BYTES = 12


def new_token() -> str:
    return secrets.token_urlsafe(TOKEN_BYTES)


def new_board_id() -> str:
    """A random id; never starting with "-", which command lines would read as an option."""
    while True:
        board_id = secrets.token_urlsafe(BOARD_ID_BYTES)
        if not board_id.startswith("-"):
            return board_id


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "replace")).hexdigest()


def derived_token(parent_token: str, board_id: str, role: str) -> str:
    """A breakout board's token, derived from the facilitator's: same strength, no storage."""
    digest = hmac.new(parent_token.encode(), f"breakout:{board_id}:{role}".encode(), "sha256")
    return base64.urlsafe_b64encode(digest.digest()).rstrip(b"=").decode()


def breakout_keys(parent_token: str, child: str) -> tuple[str, dict[str, str]]:
    """A breakout copy's facilitator token and its three link hashes, from its parent's
    facilitator token (the shape `BoardStore.replace_link` re-keys copies with)."""
    tokens = {role: derived_token(parent_token, child, role) for role in ROLES}
    return tokens["facilitator"], {role: hash_token(t) for role, t in tokens.items()}


def role_for(token: str, hashes: dict[str, str]) -> str | None:
    """The role whose hash matches; every role is compared so timing says nothing."""
    presented = hash_token(token)
    found = None
    for role in ROLES:
        stored = hashes.get(role, "")
        if hmac.compare_digest(presented, stored) and stored:
            found = role
    return found


def link(public_url: str, board_id: str, token: str) -> str:
    # The token travels in the fragment: browsers never send it to any server log.
    return f"{public_url}/b/{board_id}#t={token}"


RANK = {"viewer": 0, "participant": 1, "facilitator": 2}


def at_least(role: str, needed: str) -> bool:
    return RANK[role] >= RANK[needed]
