"""The JSON backup of a whole board, and its import as a new board.

One self-contained file (objects, settings and image bytes) so a facilitator can keep
a board outside the server or move it to another library's server. The import trusts
nothing: every object passes the same `validate_new` a live client's create does, and
every image is checked by content (and cleaned by the caller, as uploads are).
Export -> import -> export gives the same bytes for boards whose images are PNG.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections import Counter
from collections.abc import Mapping
from typing import Any

from ..errors import ProtocolError
from ..objects import FIELDS, MAX_OBJECTS_PER_BOARD, MAX_TITLE, Object
from ..settings import editable_part, from_file
from .common import (
    ALLOWED_MIMES,
    DEFAULT_MAX_ASSET_BYTES,
    DEFAULT_MAX_IMAGE_PIXELS,
    Assets,
    ParsedBoard,
    check_image,
    is_valid_id,
    load_json,
    valid_object,
)

FORMAT = "samskap-board"
VERSION = 1
_TOP_KEYS = {"format", "version", "title", "settings", "objects", "assets"}
# Keys the board store may carry next to an object's fields; they are not board data.
_RUNTIME_KEYS = ("private",)


def _exportable(obj: Mapping[str, Any]) -> bool:
    return obj.get("private") is not True


def export_backup(board: Mapping[str, Any], assets: Mapping[str, tuple[str, bytes]]) -> bytes:
    """Serialise a board (title, settings, objects) with the images its objects use.

    Private (unrevealed) objects are left out, as in every export. Only the assets that
    an exported image uses are embedded. Raises ValueError when an object is invalid or
    an image's asset is missing, because such a backup could never be imported.
    """
    objects: list[Object] = []
    used: list[str] = []
    for index, obj in enumerate(board.get("objects", [])):
        if not _exportable(obj):
            continue
        clean = {k: v for k, v in obj.items() if k not in _RUNTIME_KEYS}
        checked = valid_object(clean, f"objects[{index}]")
        objects.append(checked)
        if checked["kind"] == "image" and checked["asset"] not in used:
            if checked["asset"] not in assets:
                raise ValueError(f"objects[{index}].asset: no asset {checked['asset']!r}")
            used.append(checked["asset"])
    doc = {
        "format": FORMAT,
        "version": VERSION,
        "title": board.get("title", ""),
        # Only what a facilitator may set: the live session, agenda and copies are
        # the server's own state and are never restored from a file.
        "settings": editable_part(board.get("settings") or {}),
        "objects": objects,
        "assets": {
            asset_id: {
                "mime": assets[asset_id][0],
                "data": base64.b64encode(assets[asset_id][1]).decode("ascii"),
            }
            for asset_id in sorted(used)
        },
    }
    return json.dumps(doc, ensure_ascii=False, sort_keys=True, indent=1).encode("utf-8")


def _check_header(doc: Any) -> None:
    if not isinstance(doc, dict):
        raise ValueError("not a Samskap backup: the file is not a JSON object")
    if doc.get("format") != FORMAT:
        raise ValueError(f'not a Samskap backup: "format" must be "{FORMAT}"')
    version = doc.get("version")
    if isinstance(version, bool) or version != VERSION:
        raise ValueError(f"version: this server reads version {VERSION}, not {version!r}")
    unknown = sorted(set(doc) - _TOP_KEYS)
    if unknown:
        raise ValueError(f"{unknown[0]}: unknown field")


def _title(value: Any) -> str:
    try:
        return FIELDS["title"]("title", value)
    except Exception:
        raise ValueError(
            f"title: must be a string of at most {MAX_TITLE} characters without control characters"
        ) from None


def _assets(raw: Any, *, max_asset_bytes: int, max_image_pixels: int) -> Assets:
    if not isinstance(raw, dict):
        raise ValueError("assets: must be an object")
    out: Assets = {}
    for asset_id, entry in raw.items():
        where = f"assets[{asset_id!r}]"
        if not is_valid_id(asset_id):
            raise ValueError(f"{where}: an asset id must be 1-64 characters of A-Z a-z 0-9 _ -")
        if not isinstance(entry, dict) or set(entry) != {"mime", "data"}:
            raise ValueError(f'{where}: must be {{"mime": ..., "data": ...}}')
        mime, data = entry["mime"], entry["data"]
        if mime not in ALLOWED_MIMES:
            raise ValueError(f"{where}.mime: must be one of {', '.join(sorted(ALLOWED_MIMES))}")
        if not isinstance(data, str) or len(data) > (max_asset_bytes * 4) // 3 + 4:
            raise ValueError(f"{where}.data: must be base64 of at most {max_asset_bytes:,} bytes")
        try:
            blob = base64.b64decode(data, validate=True)
        except (binascii.Error, ValueError):
            raise ValueError(f"{where}.data: not valid base64") from None
        actual = check_image(blob, max_pixels=max_image_pixels, where=where)
        if actual != mime:
            raise ValueError(f"{where}.mime: says {mime} but the data is {actual}")
        out[asset_id] = (mime, blob)
    return out


def parse_backup(
    data: bytes,
    *,
    max_bytes: int,
    max_asset_bytes: int = DEFAULT_MAX_ASSET_BYTES,
    max_image_pixels: int = DEFAULT_MAX_IMAGE_PIXELS,
) -> ParsedBoard:
    """Check a backup file completely; raise ValueError naming the first bad place."""
    doc = load_json(data, max_bytes, "Samskap backup")
    _check_header(doc)
    title = _title(doc.get("title", ""))
    raw_settings = doc.get("settings", {})
    if not isinstance(raw_settings, dict):
        raise ValueError("settings: must be an object")
    try:
        settings, dropped = from_file(raw_settings)
    except ProtocolError as exc:
        raise ValueError(exc.message) from None
    raw_objects = doc.get("objects")
    if not isinstance(raw_objects, list):
        raise ValueError("objects: must be a list")
    if len(raw_objects) > MAX_OBJECTS_PER_BOARD:
        raise ValueError(f"objects: a board holds at most {MAX_OBJECTS_PER_BOARD:,} objects")
    assets = _assets(
        doc.get("assets", {}), max_asset_bytes=max_asset_bytes, max_image_pixels=max_image_pixels
    )

    objects: list[Object] = []
    seen: set[str] = set()
    for index, raw in enumerate(raw_objects):
        obj = valid_object(raw, f"objects[{index}]")
        if obj["id"] in seen:
            raise ValueError(f"objects[{index}].id: {obj['id']!r} is used twice")
        seen.add(obj["id"])
        if obj["kind"] == "image" and obj["asset"] not in assets:
            raise ValueError(f"objects[{index}].asset: no asset {obj['asset']!r} in the file")
        objects.append(obj)

    notes = []
    if dropped:
        notes.append(f"settings not restored (kept by the server or unknown): {', '.join(dropped)}")
    # A live board keeps a connector when its object is deleted; keep it, but say so.
    dangling = sum(
        1
        for obj in objects
        if obj["kind"] == "connector"
        for end in (obj["from"], obj["to"])
        if "id" in end and end["id"] not in seen
    )
    if dangling:
        notes.append(f"{dangling} connector end(s) point to objects that are not in the file")
    used = {obj["asset"] for obj in objects if obj["kind"] == "image"}
    unused = sorted(set(assets) - used)
    if unused:
        notes.append(f"{len(unused)} asset(s) no image uses were left out")
    report = {
        "source": FORMAT,
        "imported": dict(Counter(obj["kind"] for obj in objects)),
        "assets": len(used),
        "skipped": {"asset": len(unused)} if unused else {},
        "notes": notes,
    }
    kept = {asset_id: assets[asset_id] for asset_id in sorted(used)}
    return ParsedBoard(title, settings, objects, kept, report)
