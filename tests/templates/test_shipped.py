"""Every template we ship loads, is valid on a board in every language (nb, nn, en), and reads well:
no label covers another, all text fits, text has contrast, background is locked."""

from __future__ import annotations

import itertools
import json
from pathlib import Path

import jsonschema
import pytest
import yaml

from server.domain.objects import validate_new
from server.domain.templates import (
    CATEGORIES,
    LOCALES,
    agenda,
    instantiate,
    summary,
)
from server.domain.templates.schema import schema_json
from server.files import load_folder, read_file

from .labels import contrast, ends, is_zone, labels, overlap, segment_hits

ROOT = Path(__file__).resolve().parents[2]
FOLDER = ROOT / "workshop_templates"
FILES = sorted(FOLDER.glob("*.yaml"))
CASES = [(path, locale) for path in FILES for locale in LOCALES]
INK = "#1f2937"
PARTY_COLOURS = {"#bbdefb", "#c8e6c9"}  # library blue, others green (yellow is the default)
REQUIRED = {
    "check-in", "check-out", "meeting-frame", "power-interest-grid", "stakeholder-onion",
    "actor-map", "partner-map", "how-might-we", "brainstorming", "brainwriting-635", "crazy-8s",
    "affinity-clustering", "dot-voting", "impact-effort", "empathy-map", "persona",
    "user-journey", "co-creation-canvas", "prototype-plan", "action-plan", "retrospective",
}  # fmt: skip


def _objects(path: Path, locale: str) -> list[dict]:
    return instantiate(read_file(path), locale, (0, 0), "")


def _ids(case: tuple[Path, str]) -> str:
    return f"{case[0].stem}-{case[1]}"


def test_the_folder_loads_without_problems() -> None:
    templates, problems = load_folder(FOLDER)
    assert problems == []
    assert len(templates) >= 18
    assert set(templates) >= REQUIRED
    assert {t.category for t in templates.values()} == set(CATEGORIES)
    for path in FILES:
        assert read_file(path).id == path.stem, "file name and id agree"


def test_docs_schema_is_the_one_the_server_uses() -> None:
    assert (ROOT / "docs" / "template.schema.json").read_text(encoding="utf-8") == schema_json()


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.stem)
def test_file_passes_the_published_schema(path: Path) -> None:
    schema = json.loads((ROOT / "docs" / "template.schema.json").read_text(encoding="utf-8"))
    jsonschema.validate(yaml.safe_load(path.read_text(encoding="utf-8")), schema)


@pytest.mark.parametrize("case", CASES, ids=_ids)
def test_instantiated_objects_are_valid_board_objects(case: tuple[Path, str]) -> None:
    objects = _objects(*case)
    assert [validate_new(o) for o in objects] == objects
    ids = [o["id"] for o in objects]
    assert len(set(ids)) == len(ids)
    for obj in objects:
        for end in (obj.get("from"), obj.get("to")):
            if end and "id" in end:
                assert end["id"] in ids


@pytest.mark.parametrize("case", CASES, ids=_ids)
def test_all_text_fits_its_box(case: tuple[Path, str]) -> None:
    bad = [(lab.id, lab.text) for lab in labels(_objects(*case)) if not lab.fits]
    assert bad == []


@pytest.mark.parametrize("case", CASES, ids=_ids)
def test_no_two_labels_overlap(case: tuple[Path, str]) -> None:
    found = labels(_objects(*case))
    clashes = [(a.id, b.id) for a, b in itertools.combinations(found, 2) if overlap(a.box, b.box)]
    assert clashes == []


@pytest.mark.parametrize("case", CASES, ids=_ids)
def test_lines_do_not_cross_labels(case: tuple[Path, str]) -> None:
    objects = _objects(*case)
    by_id = {o["id"]: o for o in objects}
    found = labels(objects)
    crossed = []
    for obj in objects:
        if obj["kind"] != "connector":
            continue
        own = {obj["id"], obj["from"].get("id"), obj["to"].get("id")}
        p, q = ends(obj, by_id)
        crossed += [
            (obj["id"], lab.id)
            for lab in found
            if lab.id not in own and segment_hits(p, q, lab.box)
        ]
    assert crossed == []


@pytest.mark.parametrize("case", CASES, ids=_ids)
def test_everything_lies_inside_the_template(case: tuple[Path, str]) -> None:
    template = read_file(case[0])
    w, h = template.size
    for obj in _objects(*case):
        if "w" in obj:
            assert obj["x"] >= 0 and obj["x"] + obj["w"] <= w, obj["id"]
            assert obj["y"] >= 0 and obj["y"] + obj["h"] <= h, obj["id"]


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.stem)
def test_text_has_enough_contrast(path: Path) -> None:
    objects = _objects(path, "nb")
    shapes = [o for o in objects if o["kind"] in ("shape", "frame")]
    for obj in objects:
        if obj["kind"] == "shape" and obj["text"]:
            assert contrast(obj["stroke"], obj["color"]) >= 4.5, obj["id"]
        elif obj["kind"] == "note":
            assert contrast(INK, obj["color"]) >= 4.5, obj["id"]
        elif obj["kind"] == "text":
            behind = [
                s for s in shapes
                if s["x"] <= obj["x"] and s["y"] <= obj["y"]
                and obj["x"] + obj["w"] <= s["x"] + s["w"] and obj["y"] + obj["h"] <= s["y"] + s["h"]
            ]  # fmt: skip
            fill = min(behind, key=lambda s: s["w"] * s["h"])["color"]
            assert contrast(obj["color"], fill) >= 4.5, obj["id"]


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.stem)
def test_conventions(path: Path) -> None:
    """Title, instructions and parking lot; background locked (but for the question the
    facilitator writes, `writable`); colour never alone."""
    objects = _objects(path, "nb")
    ids = {o["id"] for o in objects}
    writable = {o["id"] for o in read_file(path).objects if o.get("writable")}
    assert {"frame", "title", "instructions", "steps", "parking"} <= ids
    for obj in objects:
        if obj["id"] in writable:
            assert not obj["locked"], f"{obj['id']} is writable and must not be locked"
        elif obj["kind"] != "note":
            assert obj["locked"], f"{obj['id']} is background and must be locked"
        else:
            assert obj["tag"], f"{obj['id']}: a coloured note needs a tag"
        if obj["kind"] == "shape" and is_zone(obj):
            assert obj["text"], f"{obj['id']}: a zone needs a name"
    if any(o["kind"] == "note" and o["color"] in PARTY_COLOURS for o in objects):
        assert "legend" in ids, "party colours need a colour key"
    # every zone title differs within a template, so CSV zone names are unambiguous
    names = [o["text"] for o in objects if o["kind"] == "shape" and is_zone(o)]
    assert len(names) == len(set(names))


@pytest.mark.parametrize("name", ["brainstorming", "crazy-8s", "how-might-we"])
def test_the_idea_templates_have_a_question_to_write_in(name: str) -> None:
    """The question is the one writable object; it sits in its zone, below the name band."""
    template = read_file(FOLDER / f"{name}.yaml")
    assert [o["id"] for o in template.objects if o.get("writable")] == ["question-text"]
    for locale in LOCALES:
        objects = instantiate(template, locale, (0, 0), "")
        (text,) = [o for o in objects if o["id"] == "question-text"]
        assert text["kind"] == "text" and text["locked"] is False and "writable" not in text
        assert text["text"] in ("Skriv spørsmålet her …", "Write the question here …")


@pytest.mark.parametrize("case", CASES, ids=_ids)
def test_agenda_is_ready_for_the_server(case: tuple[Path, str]) -> None:
    path, locale = case
    template = read_file(path)
    objects = instantiate(template, locale, (500, 500), "b7-")
    frames = {o["id"] for o in objects if o["kind"] == "frame"}
    steps = agenda(template, locale, "b7-")
    assert json.loads(json.dumps(steps)) == steps
    assert steps and all(s["title"] and s["instructions"] for s in steps)
    focused = [a["focus_frame"] for s in steps for a in s["actions"] if "focus_frame" in a]
    assert focused and set(focused) <= frames
    info = summary(template, locale)
    assert info["steps"] == len(steps)
    assert info["minutes"] == sum(s["minutes"] for s in steps)
    assert set(info) == {"id", "name", "description", "category", "minutes", "steps"}


def test_languages_differ_where_they_should() -> None:
    """A sanity check that nb texts are not English copies."""
    for path in FILES:
        template = read_file(path)
        nb = {o["id"]: o["text"] for o in instantiate(template, "nb", (0, 0), "") if o.get("text")}
        en = {o["id"]: o["text"] for o in instantiate(template, "en", (0, 0), "") if o.get("text")}
        assert sum(nb[k] != en[k] for k in nb) > len(nb) / 2, path.name
