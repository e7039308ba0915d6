"""Display names as people type them, made safe to show beside other people's names.

A name is shown in the people list, on cursors, in "Kari is editing" and in reports.
Bidirectional controls (U+202A-U+202E, U+2066-U+2069, U+200E/F, U+061C) can make one
name look like another or reverse the text after it; other invisible format characters
(zero-width spaces, soft hyphens, BOM) make look-alikes. `display_name` removes them,
folds whitespace and keeps what emoji need (ZWJ sequences, tag flags).
"""

from __future__ import annotations

import unicodedata

# Format characters that are part of legitimate text: zero-width (non-)joiner for
# emoji sequences and Persian/Indic scripts, and the tag characters of flag emoji.
_KEEP = frozenset({"\u200c", "\u200d"}) | frozenset(chr(c) for c in range(0xE0020, 0xE0080))


def _shown(char: str) -> bool:
    if char in _KEEP:
        return True
    category = unicodedata.category(char)
    # Cf: format (bidi controls, zero-width space...), Cc: control, Cs: lone surrogate,
    # Co/Cn: private use and unassigned (may render as anything, or be assigned later).
    return category not in ("Cf", "Cc", "Cs", "Co", "Cn") or char in " \t\n\r"


def display_name(raw: str) -> str:
    """`raw` without invisible format and control characters, whitespace folded."""
    return " ".join("".join(c for c in raw if _shown(c)).split())
