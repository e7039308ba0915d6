"""Excalidraw import: real files from other people, and made-up scenes for each rule."""

from __future__ import annotations

import base64
import io
import json
import math
import re
from collections import Counter
from pathlib import Path

import pytest
from PIL import Image

from server.domain.formats.common import ALLOWED_MIMES
from server.domain.formats.excalidraw import parse_excalidraw
from server.domain.objects import validate_new
from tests.formats.images import bomb_png, png_bytes, png_header_only

DATA = Path(__file__).parent.parent / "data" / "excalidraw"
FIXTURES = sorted(DATA.glob("*.excalidraw"))
LIMITS = {"max_bytes": 2_000_000, "max_image_pixels": 40_000_000}


def _sources_table() -> dict[str, dict[str, int]]:
    """Element and deleted counts per file, as SOURCES.md states them."""
    rows = {}
    for line in (DATA / "SOURCES.md").read_text().splitlines():
        cells = [cell.strip() for cell in line.strip("|").split("|")]
        if len(cells) > 8 and cells[1].startswith("`") and cells[1].endswith(".excalidraw`"):
            rows[cells[1].strip("`")] = {"elements": int(cells[5]), "deleted": int(cells[7])}
    return rows


def _check_objects(parsed) -> None:
    ids = [obj["id"] for obj in parsed.objects]
    assert len(ids) == len(set(ids))
    for obj in parsed.objects:
        assert validate_new(obj) == obj
        if obj["kind"] == "connector":
            for end in (obj["from"], obj["to"]):
                assert "id" not in end or end["id"] in ids
        if obj["kind"] == "image":
            assert obj["asset"] in parsed.assets
    assert all(mime in ALLOWED_MIMES for mime, _ in parsed.assets.values())


def test_every_fixture_is_listed_in_sources():
    assert len(FIXTURES) == 10
    assert sorted(_sources_table()) == sorted(path.name for path in FIXTURES)


@pytest.mark.parametrize("path", FIXTURES, ids=lambda p: p.name[:2])
def test_fixture_imports_and_counts_match_the_report(path):
    scene = json.loads(path.read_bytes())
    parsed = parse_excalidraw(path.read_bytes(), **LIMITS)
    report = parsed.report
    _check_objects(parsed)

    live = [el for el in scene["elements"] if not el.get("isDeleted")]
    by_id = {el["id"]: el for el in live}
    types = Counter(el["type"] for el in live)
    stated = _sources_table()[path.name]
    assert report["elements"] == dict(types)
    assert report["deleted"] == stated["deleted"]
    assert sum(types.values()) + report["deleted"] == stated["elements"]

    imported, skipped = Counter(report["imported"]), Counter(report["skipped"])
    merged = report["merged"].get("text", 0)
    # Every live element is imported, merged into its container or reported skipped.
    assert sum(imported.values()) + merged + sum(skipped.values()) == len(live)
    assert Counter(obj["kind"] for obj in parsed.objects) == imported

    assert imported["shape"] == types["rectangle"] + types["ellipse"] + types["diamond"]
    assert imported["frame"] == types["frame"]

    def is_path(el):
        unbound = not el.get("startBinding") and not el.get("endBinding")
        return el["type"] == "freedraw" or (
            el["type"] == "line" and unbound and len(el["points"]) >= 3
        )

    linear = [el for el in live if el["type"] in ("arrow", "line", "freedraw")]
    assert imported["path"] == sum(map(is_path, linear))
    assert imported["connector"] == len(linear) - imported["path"]

    def labels(el):
        container = by_id.get(el.get("containerId"))
        return container is not None and (
            container["type"] in ("rectangle", "ellipse", "diamond", "arrow")
            or (container["type"] == "line" and not is_path(container))
        )

    texts = [el for el in live if el["type"] == "text"]
    assert merged == sum(map(labels, texts))
    assert imported["text"] == len(texts) - merged

    files = scene.get("files") or {}
    raster = [
        el
        for el in live
        if el["type"] == "image" and files[el["fileId"]]["mimeType"] != "image/svg+xml"
    ]
    assert imported["image"] == len(raster)
    assert skipped["image"] == types["image"] - len(raster)
    assert report["assets"] == len({el["fileId"] for el in raster})


def test_svg_images_are_reported_not_dropped():
    parsed = parse_excalidraw(
        (DATA / "05-webinar-architecture-images.excalidraw").read_bytes(), **LIMITS
    )
    assert parsed.report["skipped"] == {"image": 16}
    assert any("16 image(s) in a format other than" in note for note in parsed.report["notes"])


def test_import_is_deterministic():
    data = (DATA / "04-excalidrawz-groundwater-ui-zh-images.excalidraw").read_bytes()
    first, second = parse_excalidraw(data, **LIMITS), parse_excalidraw(data, **LIMITS)
    assert first.objects == second.objects
    assert first.assets == second.assets


# --- made-up scenes, one rule each ---------------------------------------------------


def _el(kind: str, id: str, **fields) -> dict:
    base = {"id": id, "type": kind, "x": 0, "y": 0, "width": 100, "height": 50, "angle": 0}
    base.update(strokeColor="#1e1e1e", backgroundColor="transparent", isDeleted=False)
    return {**base, **fields}


def _scene(*elements, files=None) -> bytes:
    doc = {"type": "excalidraw", "version": 2, "elements": list(elements), "files": files or {}}
    return json.dumps(doc).encode()


def _parse(*elements, files=None, **limits):
    return parse_excalidraw(_scene(*elements, files=files), **{**LIMITS, **limits})


def _by_source(parsed) -> dict:
    return {obj["id"]: obj for obj in parsed.objects}


def test_shapes_text_colours_and_rotation():
    parsed = _parse(
        _el("rectangle", "r", backgroundColor="#ffec99", strokeColor="white", angle=math.pi / 2),
        _el("ellipse", "e", backgroundColor="#abc", strokeColor="transparent", angle=-0.5),
        _el("diamond", "d", backgroundColor="rgb(255, 0, 0)", strokeColor="#ffff", locked=True),
        _el(
            "text",
            "t",
            text="Hei\nverden",
            originalText="Hei verden",
            fontSize=28,
            textAlign="center",
            strokeColor="#e03131",
        ),
    )
    objs = _by_source(parsed)
    assert objs["r"]["shape"] == "rectangle"
    assert (objs["r"]["color"], objs["r"]["stroke"]) == ("#ffec99", "#ffffff")
    assert objs["r"]["rotation"] == 90
    assert objs["e"]["color"] == "#aabbcc" and objs["e"]["stroke"] == "#aabbcc"
    assert objs["e"]["rotation"] == pytest.approx(-28.647890)
    assert objs["d"]["color"] == "#ff0000" and objs["d"]["locked"] is True
    text = objs["t"]
    assert (text["kind"], text["text"], text["font_size"], text["align"], text["color"]) == (
        "text",
        "Hei verden",
        28,
        "center",
        "#e03131",
    )
    assert [obj["id"] for obj in parsed.objects][-1] == "t"  # z keeps Excalidraw's order


def test_transparent_shapes_become_white_and_go_behind():
    parsed = _parse(
        _el("rectangle", "filled", backgroundColor="#a5d8ff"),
        _el("rectangle", "outline"),
        _el("frame", "f", name="Gruppe 1", width=800, height=600),
    )
    assert [obj["id"] for obj in parsed.objects] == ["f", "outline", "filled"]
    assert _by_source(parsed)["outline"]["color"] == "#ffffff"
    assert _by_source(parsed)["f"]["title"] == "Gruppe 1"
    assert any("without fill became white" in note for note in parsed.report["notes"])


def test_bound_text_becomes_the_containers_text():
    parsed = _parse(
        _el("rectangle", "box", boundElements=[{"id": "label", "type": "text"}]),
        _el("text", "label", text="Bibliotek\n-et", originalText="Biblioteket", containerId="box"),
        _el(
            "arrow",
            "a",
            points=[[0, 0], [200, 0]],
            endArrowhead="arrow",
            endBinding={"elementId": "box", "focus": 0, "gap": 4},
        ),
        _el("text", "arrowlabel", text="låner", containerId="a"),
        _el("text", "orphan", text="alene", containerId="gone"),
    )
    objs = _by_source(parsed)
    assert objs["box"]["text"] == "Biblioteket"
    assert objs["a"]["text"] == "låner"
    assert "label" not in objs and "arrowlabel" not in objs
    assert objs["orphan"]["kind"] == "text"
    assert parsed.report["merged"] == {"text": 2}
    assert any("1 label(s)" in note for note in parsed.report["notes"])


def test_arrows_and_lines_become_connectors_with_bindings():
    parsed = _parse(
        _el("rectangle", "A"),
        _el("ellipse", "B", x=400),
        _el("text", "Alabel", text="A", containerId="A"),
        _el(
            "arrow",
            "ab",
            x=100,
            y=25,
            points=[[0, 0], [300, 0]],
            startArrowhead="dot",
            endArrowhead="triangle",
            strokeStyle="dashed",
            startBinding={"elementId": "Alabel"},
            endBinding={"elementId": "B"},
        ),
        _el(
            "arrow",
            "free",
            x=10,
            y=10,
            points=[[0, 0], [50, 50], [100, 0]],
            endArrowhead="arrow",
            startBinding={"elementId": "embed"},
        ),
        _el("line", "l", x=5, y=5, points=[[0, 0], [10, 10]]),
        _el("embeddable", "embed", link="https://example.org"),
    )
    objs = _by_source(parsed)
    ab = objs["ab"]
    assert (ab["from"], ab["to"], ab["arrow"], ab["dashed"]) == (
        {"id": "A"},
        {"id": "B"},
        "both",
        True,
    )
    free = objs["free"]
    assert free["from"] == {"x": 10, "y": 10} and free["to"] == {"x": 110, "y": 10}
    assert free["arrow"] == "end"
    assert objs["l"]["kind"] == "connector" and objs["l"]["arrow"] == "none"
    assert objs["l"]["to"] == {"x": 15, "y": 15}
    report = parsed.report
    assert report["skipped"] == {"embeddable": 1}
    notes = " ".join(report["notes"])
    assert "1 bent arrow(s)" in notes and "1 arrow end(s) bound to something not imported" in notes
    assert "1 element(s) of a type Samskap has no counterpart" in notes


def test_lines_with_more_points_and_freedraw_become_paths_with_rotation_baked_in():
    parsed = _parse(
        _el("line", "zig", x=100, y=100, points=[[0, 0], [10, 20], [20, 0]], strokeWidth=2),
        _el(
            "freedraw", "pen", x=0, y=0, points=[[0, 0], [100, 0]], strokeWidth=2, angle=math.pi / 2
        ),
    )
    objs = _by_source(parsed)
    assert objs["zig"] == validate_new(
        {
            "id": "zig",
            "kind": "path",
            "x": 100,
            "y": 100,
            "points": [[0, 0], [10, 20], [20, 0]],
            "width": 2,
            "color": "#1e1e1e",
            "z": 0,
        }
    )
    pen = objs["pen"]
    # A horizontal stroke turned a quarter round its centre (50, 0) stands upright.
    assert (pen["x"], pen["y"]) == (pytest.approx(50), pytest.approx(-50))
    assert pen["points"] == [[0, 0], [0, 100]]
    assert pen["rotation"] == 0 and pen["width"] == 6


def test_long_paths_are_thinned_to_the_limit():
    points = [[i, i % 7] for i in range(12_000)]
    parsed = _parse(_el("freedraw", "long", points=points))
    path = parsed.objects[0]["points"]
    assert len(path) == 5_000 and path[0] == [0, 0] and path[-1] == [11_999, 11_999 % 7]
    assert any("thinned" in note for note in parsed.report["notes"])


def test_odd_ids_map_to_valid_unique_ids_deterministically():
    long_id = "é" * 80
    parsed = _parse(
        _el("rectangle", long_id),
        _el("rectangle", "has space"),
        _el("rectangle", "ok_id-1"),
        _el("arrow", "a", points=[[0, 0], [1, 1]], startBinding={"elementId": long_id}),
    )
    ids = [obj["id"] for obj in parsed.objects]
    assert "ok_id-1" in ids and len(set(ids)) == 4
    assert all(re.fullmatch(r"[A-Za-z0-9_-]{1,64}", i) for i in ids)
    assert _by_source(parsed)["a"]["from"]["id"] == ids[0]
    assert [obj["id"] for obj in _parse(_el("rectangle", long_id)).objects] == ids[:1]


def test_deleted_elements_are_skipped_and_counted():
    parsed = _parse(_el("rectangle", "gone", isDeleted=True), _el("ellipse", "kept"))
    assert [obj["id"] for obj in parsed.objects] == ["kept"]
    assert parsed.report["deleted"] == 1 and parsed.report["elements"] == {"ellipse": 1}


def test_text_is_cleaned_for_the_object_model():
    parsed = _parse(_el("text", "t", text="a\x00b\x0bc\ud800", fontSize=1000))
    assert parsed.objects[0]["text"] == "abc"
    assert parsed.objects[0]["font_size"] == 512


def _image_scene(blob: bytes, mime: str = "image/png", **limits):
    url = f"data:{mime};base64,{base64.b64encode(blob).decode()}"
    files = {"f1": {"mimeType": mime, "id": "f1", "dataURL": url}}
    return _parse(_el("image", "img", fileId="f1", status="saved"), files=files, **limits)


def test_images_bring_their_bytes_checked_by_content():
    parsed = _image_scene(png_bytes(30, 20), mime="image/jpeg")  # the declared type is not trusted
    assert parsed.objects[0]["kind"] == "image"
    [(mime, data)] = parsed.assets.values()
    assert mime == "image/png"
    assert parsed.objects[0]["asset"] in parsed.assets
    with Image.open(io.BytesIO(data)) as image:
        assert image.size == (30, 20)


def test_images_are_cleaned_like_uploads():
    exif = Image.Exif()
    exif[0x8825] = {2: (59.0, 55.0, 0.0)}  # GPS latitude: where the phone was
    photo = io.BytesIO()
    Image.new("RGB", (16, 16), "green").save(photo, "JPEG", exif=exif.tobytes())
    assert b"Exif" in photo.getvalue()
    parsed = _image_scene(photo.getvalue(), mime="image/jpeg")
    [(mime, data)] = parsed.assets.values()
    assert mime == "image/jpeg" and b"Exif" not in data


def test_an_image_without_its_file_is_reported():
    parsed = _parse(_el("image", "img", fileId="missing", status="pending"))
    assert parsed.objects == [] and parsed.report["skipped"] == {"image": 1}
    assert any("had no embedded file" in note for note in parsed.report["notes"])


def test_huge_images_and_bombs_are_refused():
    with pytest.raises(
        ValueError,
        match=r"^files\['f1'\]: the image is too large: more than \d+ pixels when decoded",
    ):
        _image_scene(png_header_only(100_000, 100_000))
    # 89 Mpx < 144 Mpx < 179 Mpx: Pillow only warns, and the warning counts as an error.
    with pytest.raises(
        ValueError,
        match=r"^files\['f1'\]: the image is too large: more than \d+ pixels when decoded",
    ):
        _image_scene(bomb_png(12_000, 12_000), max_image_pixels=10**12)
    with pytest.raises(ValueError, match=r"^files\['f1'\]: the image has more than 100 pixels"):
        _image_scene(png_bytes(30, 20), max_image_pixels=100)


def test_a_non_image_file_is_refused():
    with pytest.raises(ValueError, match=r"files\['f1'\]: not a PNG, JPEG, GIF or WebP image"):
        _image_scene(b"%PDF-1.7 not an image")


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ((DATA / "06-pilotgo-mysql-design-zh.excalidraw").read_bytes()[:5000], "broken JSON"),
        (b'{"type": "excalidrawlib", "libraryItems": []}', "type is 'excalidrawlib'"),
        (b'{"type": "excalidraw"}', '"elements" must be a list'),
        (b'{"elements": [42]}', r"elements\[0\]: must be an object with a type"),
        (b'{"elements": [{"type": "rectangle"}]}', r"elements\[0\]\.id: must be a non-empty"),
        (_scene(_el("rectangle", "r", x="10")), r"^elements\[0\]\.x: must be a number$"),
        (_scene(_el("rectangle", "r", x=1e9)), r"elements\[0\]\.x: must be a finite number"),
        (_scene(_el("line", "l", points=[[0, 0], [1]])), r"elements\[0\]\.points\[1\]"),
    ],
)
def test_bad_files_raise_a_clear_error(data, message):
    with pytest.raises(ValueError, match=message):
        parse_excalidraw(data, **LIMITS)


def test_too_large_file_is_refused():
    data = (DATA / "05-webinar-architecture-images.excalidraw").read_bytes()
    with pytest.raises(ValueError, match="the limit is 100,000 bytes"):
        parse_excalidraw(data, max_bytes=100_000, max_image_pixels=1_000_000)
