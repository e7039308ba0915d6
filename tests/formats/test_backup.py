"""JSON backup: export -> import -> export is equal, and bad files change nothing."""

from __future__ import annotations

import base64
import json

import pytest

from server.domain.formats.backup import export_backup, parse_backup
from tests.formats.images import bomb_png, png_bytes, png_header_only

LIMIT = 5_000_000


def _doc(board, assets) -> dict:
    return json.loads(export_backup(board, assets))


def _parse(doc: dict, **kwargs):
    return parse_backup(json.dumps(doc).encode(), max_bytes=LIMIT, **kwargs)


def test_export_import_export_is_equal(board, assets):
    first = export_backup(board, assets)
    parsed = parse_backup(first, max_bytes=LIMIT)
    again = export_backup(
        {"title": parsed.title, "settings": parsed.settings, "objects": parsed.objects},
        parsed.assets,
    )
    assert again == first
    assert parsed.title == "Samskaping på biblioteket"
    # Only editable settings travel in a backup; the rest is the server's own state.
    assert parsed.settings == {"locale": "nb"}
    assert parsed.assets == {"a1": assets["a1"], "a2": assets["a2"]}


def test_the_file_names_its_format_and_keeps_private_things_out(board, assets):
    doc = _doc(board, assets)
    assert doc["format"] == "samskap-board"
    assert doc["version"] == 1
    assert set(doc) == {"format", "version", "title", "settings", "objects", "assets"}
    ids = [obj["id"] for obj in doc["objects"]]
    assert "secret" not in ids and "secretimg" not in ids
    assert sorted(doc["assets"]) == ["a1", "a2"]  # a3 is private, "unused" is unused
    assert base64.b64decode(doc["assets"]["a1"]["data"]) == assets["a1"][1]
    assert all("private" not in obj for obj in doc["objects"])


def test_report_counts_kinds_and_dangling_connector_ends(board, assets):
    parsed = parse_backup(export_backup(board, assets), max_bytes=LIMIT)
    assert parsed.report["imported"] == {
        "frame": 1,
        "shape": 2,
        "note": 3,
        "text": 1,
        "connector": 3,
        "path": 1,
        "image": 2,
    }
    # arrow3 points at the private note, which is not in the file.
    assert parsed.report["notes"] == [
        "1 connector end(s) point to objects that are not in the file"
    ]


def test_export_refuses_an_image_without_its_asset(board, assets):
    del assets["a1"]
    with pytest.raises(ValueError, match=r"objects\[12\]\.asset: no asset 'a1'"):
        export_backup(board, assets)


def test_unused_assets_are_left_out_and_reported(board, assets):
    doc = _doc(board, assets)
    doc["assets"]["extra"] = {"mime": "image/png", "data": base64.b64encode(png_bytes()).decode()}
    parsed = _parse(doc)
    assert "extra" not in parsed.assets
    assert parsed.report["skipped"] == {"asset": 1}


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b'{"format": "samskap-board", "version": 1, "objects": [', "broken JSON at line 1"),
        (b"\xff\xfe\x00garbage", "not a valid Samskap backup file"),
        (b"[]", "not a Samskap backup: the file is not a JSON object"),
        (b'{"format": "miro", "version": 1}', 'not a Samskap backup: "format" must be'),
        (b'{"format": "samskap-board", "version": 2}', "version: this server reads version 1"),
        (b'{"format": "samskap-board", "version": true}', "version: this server reads"),
        (b'{"format": "samskap-board", "version": 1, "x": NaN}', "NaN is not valid JSON"),
        (b"[" * 100_000 + b"]" * 100_000, "JSON nested too deeply"),
    ],
)
def test_corrupt_or_foreign_files(data, message):
    with pytest.raises(ValueError, match=message):
        parse_backup(data, max_bytes=LIMIT)


def test_too_large_is_refused_before_parsing(board, assets):
    data = export_backup(board, assets)
    with pytest.raises(ValueError, match=rf"the file is {len(data):,} bytes; the limit is 100"):
        parse_backup(data, max_bytes=100)


def test_an_object_with_a_bad_field_names_the_place(board, assets):
    doc = _doc(board, assets)
    doc["objects"][3]["x"] = "left"
    with pytest.raises(ValueError, match=r"^objects\[3\]\.x: must be a number$"):
        _parse(doc)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda d: d["objects"][0].update(colour="#fff"), r"objects\[0\]: a frame has no field"),
        (
            lambda d: d["objects"][1].update(kind="sticky"),
            r"objects\[1\]\.kind: must be one of note,",
        ),
        (lambda d: d["objects"][2].update(id="has space"), r"objects\[2\]\.id: must be 1-64"),
        (lambda d: d["objects"].append(dict(d["objects"][0])), "'frame1' is used twice"),
        (lambda d: d["objects"][-1].update(asset="nope"), "asset: no asset 'nope' in the file"),
        (lambda d: d.update(objects={}), "objects: must be a list"),
        (lambda d: d.update(settings=[]), "settings: must be an object"),
        (
            lambda d: d.update(settings={"locale": "xx"}),
            "settings.locale must be one of nb, nn, en",
        ),
        (lambda d: d.update(title="x" * 201), "title: must be a string of at most 200"),
        (lambda d: d.update(extra=1), "extra: unknown field"),
        (lambda d: d.update(assets=[]), "assets: must be an object"),
        (lambda d: d["assets"].update({"bad id": d["assets"]["a1"]}), "an asset id must be"),
        (lambda d: d["assets"]["a1"].update(mime="image/svg+xml"), r"\.mime: must be one of"),
        (lambda d: d["assets"]["a1"].update(data="***"), r"\.data: not valid base64"),
        (lambda d: d["assets"]["a1"].update(mime="image/gif"), "says image/gif but the data"),
        (lambda d: d["assets"]["a1"].update(size=3), r"must be \{\"mime\": \.\.\., \"data\""),
    ],
)
def test_bad_objects_and_assets(board, assets, change, message):
    doc = _doc(board, assets)
    change(doc)
    with pytest.raises(ValueError, match=message):
        _parse(doc)


def _with_asset(board, assets, blob: bytes, mime: str = "image/png") -> dict:
    doc = _doc(board, assets)
    doc["assets"]["a1"] = {"mime": mime, "data": base64.b64encode(blob).decode()}
    return doc


def test_a_non_image_asset_is_refused(board, assets):
    doc = _with_asset(board, assets, b"<script>alert(1)</script>")
    with pytest.raises(ValueError, match=r"assets\['a1'\]: not a PNG, JPEG, GIF or WebP image"):
        _parse(doc)


def test_a_truncated_image_is_refused(board, assets):
    doc = _with_asset(board, assets, png_bytes(200, 200)[:-40])
    with pytest.raises(ValueError, match=r"assets\['a1'\]: the image is corrupt"):
        _parse(doc)


def test_an_image_of_100000_by_100000_pixels_is_refused(board, assets):
    doc = _with_asset(board, assets, png_header_only(100_000, 100_000))
    # Pillow's own bomb check refuses it in Image.open, without decoding anything.
    with pytest.raises(
        ValueError,
        match=r"assets\['a1'\]: the image is too large \(10,000,000,000 pixels, a possible",
    ):
        _parse(doc)


def test_our_pixel_limit_applies_below_pillows(board, assets):
    doc = _with_asset(board, assets, png_bytes(2000, 1000))
    with pytest.raises(ValueError, match=r"too large \(2000 x 1000 pixels; the limit is 1,000,000"):
        _parse(doc, max_image_pixels=1_000_000)
    assert _parse(doc, max_image_pixels=2_000_000).assets["a1"][0] == "image/png"


def test_a_real_decompression_bomb_is_refused(board, assets):
    bomb = bomb_png(12_000, 12_000)  # 144 Mpx in a few kilobytes
    assert len(bomb) < 100_000
    doc = _with_asset(board, assets, bomb)
    # 89 Mpx < 144 Mpx < 179 Mpx: Pillow only warns, and the warning counts as an error.
    with pytest.raises(ValueError, match=r"too large \(144,000,000 pixels, a possible decomp"):
        _parse(doc, max_image_pixels=10**12)


def test_an_asset_over_the_byte_limit_is_refused(board, assets):
    doc = _doc(board, assets)
    with pytest.raises(ValueError, match=r"\.data: must be base64 of at most 10 bytes"):
        _parse(doc, max_asset_bytes=10)
