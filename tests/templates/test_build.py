"""Instantiating templates on a board: ids, origin, connectors, placement, languages."""

from __future__ import annotations

import pytest

from server.domain.templates import (
    agenda,
    instantiate,
    load_template,
    pick_locale,
    place_beside,
    summary,
)

from .test_bad_files import GOOD


def test_instantiate_prefixes_ids_moves_and_repoints() -> None:
    template = load_template(GOOD, "mini.yaml")
    objects = instantiate(template, "en-GB", (1000, -50), "b2-")
    by_id = {o["id"]: o for o in objects}
    assert list(by_id) == ["b2-board", "b2-zone", "b2-note", "b2-link"]
    assert (by_id["b2-note"]["x"], by_id["b2-note"]["y"]) == (1060, 70)
    assert by_id["b2-note"]["text"] == "Hello" and by_id["b2-note"]["tag"] == "LIB"
    assert by_id["b2-link"]["from"] == {"id": "b2-zone"}
    assert by_id["b2-link"]["to"] == {"x": 1900, "y": 650}
    assert by_id["b2-board"]["title"] == "Mini"
    assert [o["z"] for o in objects] == [0, 1, 2, 3]
    assert instantiate(template, "nb", (0, 0), "")[2]["text"] == "Hei"


def test_instantiating_twice_gives_fresh_ids() -> None:
    template = load_template(GOOD, "mini.yaml")
    first = {o["id"] for o in instantiate(template, "nb", (0, 0), "a-")}
    second = {o["id"] for o in instantiate(template, "nb", (0, 0), "b-")}
    assert not first & second


@pytest.mark.parametrize("prefix", ["x" * 25, "bad prefix", "ø-"])
def test_a_bad_prefix_is_refused(prefix: str) -> None:
    with pytest.raises(ValueError):
        instantiate(load_template(GOOD, "mini.yaml"), "nb", (0, 0), prefix)


def test_agenda_maps_frames_and_localises() -> None:
    steps = agenda(load_template(GOOD, "mini.yaml"), "nb", "b2-")
    assert steps[0]["title"] == "Skriv"
    assert steps[0]["actions"][0] == {"focus_frame": "b2-board"}
    assert steps[0]["actions"][3] == {"voting": {"votes": 3, "per_note": 1}}
    assert steps[1]["actions"] == [{"voting": "close"}]
    assert summary(load_template(GOOD, "mini.yaml"), "en")["description"] == "A small template."


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("nb", "nb"),
        ("nb-NO", "nb"),
        ("no", "nb"),
        ("nn_NO", "nn"),
        ("nn-NO", "nn"),
        ("no-NO", "nb"),
        ("se", "en"),
        ("en", "en"),
        ("en-US", "en"),
        ("de", "en"),
        ("", "en"),
    ],
)
def test_pick_locale(given: str, expected: str) -> None:
    assert pick_locale(given) == expected


def test_place_beside_an_empty_board() -> None:
    assert place_beside([], (1000, 800)) == (0.0, 0.0)


def test_place_beside_goes_right_of_everything() -> None:
    existing = [
        {"id": "a", "kind": "note", "x": 100, "y": -300, "w": 200, "h": 200},
        {"id": "b", "kind": "frame", "x": 0, "y": 0, "w": 2000, "h": 1000},
        {
            "id": "c",
            "kind": "connector",
            "x": 0,
            "y": 0,
            "from": {"id": "a"},
            "to": {"x": 2500, "y": 40},
        },
        {"id": "d", "kind": "path", "x": 10, "y": 10, "points": [[0, 0], [50, 2600]]},
    ]
    x, y = place_beside(existing, (1000, 800))
    assert x >= 2500 + 100 and y == -300
    new = {"x": x, "y": y, "w": 1000, "h": 800}
    for obj in existing[:2]:
        assert obj["x"] + obj["w"] <= new["x"]


def test_place_beside_counts_rotation() -> None:
    rotated = {"id": "a", "kind": "shape", "x": 0, "y": 0, "w": 1000, "h": 100, "rotation": 90}
    x, _ = place_beside([rotated], (10, 10))
    assert x >= 550 + 100


def test_the_example_in_the_docs_loads() -> None:
    from pathlib import Path

    doc = (Path(__file__).resolve().parents[2] / "docs" / "templates.md").read_text(
        encoding="utf-8"
    )
    example = (
        doc.split("## A small complete example", 1)[1].split("```yaml\n", 1)[1].split("```", 1)[0]
    )
    template = load_template(example, "templates.md")
    assert template.id == "quick-retro"
    assert len(instantiate(template, "nb", (0, 0), "")) == 5
