"""Bad template files are refused with messages that say file, place and problem,
and nothing but TemplateError ever escapes."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from server.domain.templates import MAX_BYTES, TemplateError, instantiate, load_template
from server.files import check_files, load_folder

GOOD = """\
id: mini
category: ideas
name: {nb: Mini, en: Mini}
description: {nb: Liten mal., en: A small template.}
size: {w: 1000, h: 800}
objects:
  - {id: board, kind: frame, x: 0, y: 0, w: 1000, h: 800, locked: true, title: {nb: Mini, en: Mini}}
  - {id: zone, kind: shape, x: 40, y: 40, w: 600, h: 400, locked: true, text: {nb: Sone, en: Zone}}
  - {id: note, kind: note, x: 60, y: 120, tag: {nb: BIB, en: LIB}, text: {nb: Hei, en: Hello}}
  - {id: link, kind: connector, from: {id: zone}, to: {x: 900, y: 700}, text: {nb: til, en: to}}
agenda:
  - title: {nb: Skriv, en: Write}
    instructions: {nb: Skriv stille., en: Write silently.}
    minutes: 5
    actions:
      - focus_frame: board
      - private: true
      - timer: 5
      - voting: {votes: 3, per_note: 1}
      - permissions: {add: true, move: false, vote: true}
  - title: {nb: Slutt, en: End}
    instructions: {nb: Ferdig., en: Done.}
    minutes: 1
    actions:
      - voting: close
"""


def problems(text: str, source: str = "bad.yaml") -> list[str]:
    with pytest.raises(TemplateError) as info:
        load_template(text, source)
    assert info.value.problems
    assert all(p.startswith(f"{source}: ") for p in info.value.problems)
    return info.value.problems


def one(text: str) -> str:
    found = problems(text)
    assert len(found) == 1, found
    return found[0]


def test_the_good_one_loads() -> None:
    template = load_template(GOOD, "mini.yaml")
    assert template.id == "mini"
    assert template.minutes == 6


def test_a_writable_object_goes_on_the_board_unlocked() -> None:
    text = GOOD.replace("locked: true, text: {nb: Sone", "writable: true, text: {nb: Sone")
    template = load_template(text, "mini.yaml")
    (zone,) = [o for o in instantiate(template, "nn", (0, 0), "x-") if o["id"] == "x-zone"]
    assert zone["locked"] is False and "writable" not in zone


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        ("w: 1000, h: 800}", "w: big, h: 800}", "size.w (line 5): must be a number, not text"),
        ("minutes: 5", "minutes: [5]", "agenda[0].minutes (line 14): must be a number, not a list"),
        ("category: ideas", "category: fun", "category (line 2): must be one of: opening"),
        (
            "{nb: Skriv, en: Write}",
            "{nb: Skriv}",
            "agenda[0].title (line 12): missing the English (en)",
        ),
        (
            "{nb: Skriv, en: Write}",
            "Write",
            "agenda[0].title (line 12): must give the text per language",
        ),
        (
            "{nb: Sone, en: Zone}",
            '{nb: Sone, en: ""}',
            "objects[1].text (line 8): the English (en) text is empty",
        ),
        ("- timer: 5", "- alarm: 5", "agenda[0].actions[2] (line 18): unknown action 'alarm'"),
        (
            "- timer: 5",
            "- {timer: 5, private: false}",
            "agenda[0].actions[2] (line 18): an action is one key",
        ),
        ("- timer: 5", "- timer: -1", "agenda[0].actions[2].timer (line 18): must be more than 0"),
        (
            "- voting: close",
            "- voting: open",
            "agenda[1].actions[0].voting (line 25): must be close or",
        ),
        (
            "per_note: 1}",
            "per_note: 4}",
            "agenda[0].actions[3].voting.per_note (line 19): per_note must not be more",
        ),
        (
            "add: true, move: false, vote: true",
            "add: true",
            "agenda[0].actions[4].permissions (line 20): missing 'move', 'vote'",
        ),
        (
            "focus_frame: board",
            "focus_frame: zone",
            "agenda[0].actions[0].focus_frame (line 16): no frame with id 'zone'",
        ),
        (
            "id: link",
            "id: note",
            "objects[3].id (line 10): id 'note' is already used by objects[2]",
        ),
        (
            "to: {x: 900, y: 700}",
            "to: {id: ghost}",
            "objects[3].to (line 10): no object with id 'ghost'",
        ),
        (
            "to: {x: 900, y: 700}",
            "to: {x: 900}",
            "objects[3] (line 10): (connector 'link') to must be",
        ),
        (
            "x: 60, y: 120,",
            "x: 900, y: 120,",
            "objects[2] (line 9): (note 'note') lies outside the template's size",
        ),
        (
            "kind: note, x: 60",
            "kind: note, font_size: 9, x: 60",
            "objects[2] (line 9): (note 'note') a note has no field 'font_size'",
        ),
        ("kind: note,", "kind: sticky,", "objects[2].kind (line 9): must be one of: frame, shape"),
        (
            "locked: true, text: {nb: Sone",
            "colour: red, text: {nb: Sone",
            "objects[1] (line 8): unknown field 'colour'",
        ),
        (
            "{nb: Hei, en: Hello}",
            "{nb: Hei, en: no}",
            "objects[2].text.en (line 9): must be text, not true/false (YAML reads yes/no",
        ),
        (
            "locked: true, text: {nb: Sone",
            'writable: "yes", text: {nb: Sone',
            "objects[1].writable (line 8): must be true or false, not text",
        ),
        (
            "kind: note, x: 60",
            "kind: note, writable: true, x: 60",
            "objects[2].writable (line 9): (note 'note') writable is for a text or a shape",
        ),
        (
            "locked: true, text: {nb: Sone",
            "locked: true, writable: true, text: {nb: Sone",
            "objects[1].writable (line 8): (shape 'zone') writable and locked: true contradict",
        ),
        ("id: mini", "id: Mini Template", "id (line 1): 'Mini Template' is not a valid id"),
        ("id: mini\n", "", "(top level) (line 1): missing 'id'"),
        ("id: mini", "id: mini\nversion: 2", "(top level) (line 1): unknown field 'version'"),
    ],
)
def test_clear_messages(old: str, new: str, expected: str) -> None:
    assert old in GOOD
    message = one(GOOD.replace(old, new, 1))
    assert message.startswith(f"bad.yaml: {expected}"), message


def test_all_problems_are_reported_in_file_order() -> None:
    text = GOOD.replace("focus_frame: board", "focus_frame: nope").replace("id: link", "id: note")
    found = problems(text)
    assert [p.split(": ")[1] for p in found] == [
        "objects[3].id (line 10)",
        "agenda[0].actions[0].focus_frame (line 16)",
    ]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", "a template must be a mapping"),
        ("just words", "a template must be a mapping"),
        ("[1, 2, 3]", "a template must be a mapping"),
        ("id: [unclosed", "line 1, column 14: not valid YAML"),
        ("a: 1\n  b: 2\n", "not valid YAML"),
        ("\x00\x01binary", "not valid YAML"),
        ("{nb: Hei, nb: Hallo}", "line 1, column 11: the key 'nb' appears twice"),
        ("a: !!python/object/apply:os.system ['true']", "not valid YAML"),
        ("a: &x [1]\nb: *x\n", "line 2, column 4: aliases (*x) are not allowed"),
        ("a: &a [x]\nb: &b [*a, *a]\nc: [*b, *b]\n", "aliases (*a) are not allowed"),
        ("base: &b {x: 1}\nother:\n  <<: *b\n", "aliases (*b) are not allowed"),
        ("a: " + "[" * 200 + "]" * 200, "nested deeper than 32 levels"),
        ("--- {a: 1}\n--- {b: 2}\n", "not valid YAML"),
        ("? [a, b]\n: c\n", "not valid YAML"),
        ("a: 2024-13-45\n", "a template must be a mapping" if False else "not valid YAML"),
    ],
)
def test_not_a_template(text: str, expected: str) -> None:
    message = one(text)
    assert expected in message, message


def test_a_yaml_bomb_is_refused_fast() -> None:
    lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for i in range(1, 9):
        prev, cur = chr(ord("a") + i - 1), chr(ord("a") + i)
        lines.append(f"{cur}: &{cur} [{', '.join([f'*{prev}'] * 9)}]")
    start = time.perf_counter()
    assert "aliases" in one("\n".join(lines))
    assert time.perf_counter() - start < 1


def test_a_huge_file_is_refused_before_parsing() -> None:
    huge = GOOD + "#" * (MAX_BYTES + 1)
    assert f"a template may be at most {MAX_BYTES} bytes" in one(huge)


def test_text_that_is_not_a_string() -> None:
    with pytest.raises(TemplateError):
        load_template(b"id: x", "bytes.yaml")  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "mutate",
    [
        lambda t: t.replace("minutes: 5", "minutes: 1e999"),
        lambda t: t.replace("minutes: 5", "minutes: .nan"),
        lambda t: t.replace("x: 60", "x: .inf"),
        lambda t: t.replace("{nb: Hei, en: Hello}", '{nb: "\\uD800", en: Hello}'),
        lambda t: t.replace("{nb: Hei, en: Hello}", '{nb: "a\\x07b", en: Hello}'),
        lambda t: t.replace("{nb: Hei, en: Hello}", "{nb: " + "x" * 6000 + ", en: Hello}"),
        lambda t: t.replace("- timer: 5", "- timer: true"),
        lambda t: t.replace("votes: 3", "votes: 2.5"),
        lambda t: t.replace("id: board", "id: 12"),
        lambda t: t.replace("objects:\n", "objects: {}\nx:\n"),
        lambda t: t.replace("agenda:\n", "agenda: []\nx:\n"),
        lambda t: t.replace("size: {w: 1000, h: 800}", "size: null"),
        lambda t: t.replace("from: {id: zone}", "from: {id: link}"),
        lambda t: t.replace("- voting: close", "- null"),
        lambda t: t.replace("{nb: Mini, en: Mini}", "{nb: Mini, en: Mini, de: Mini}", 1),
    ],
)
def test_odd_values_give_problems_not_crashes(mutate) -> None:
    text = mutate(GOOD)
    assert text != GOOD
    problems(text)


def test_folder_skips_bad_files_and_reports_them(tmp_path: Path) -> None:
    (tmp_path / "mini.yaml").write_text(GOOD, encoding="utf-8")
    (tmp_path / "broken.yaml").write_text("id: [", encoding="utf-8")
    (tmp_path / "latin1.yaml").write_bytes("name: bl\xe5b\xe6r".encode("latin-1"))
    (tmp_path / "big.yml").write_bytes(b"#" * (MAX_BYTES + 10))
    (tmp_path / "copy.yaml").write_text(GOOD, encoding="utf-8")  # same id as mini.yaml
    (tmp_path / "notes.txt").write_text("not a template", encoding="utf-8")
    (tmp_path / "dir.yaml").mkdir()
    templates, found = load_folder(tmp_path)
    assert list(templates) == ["mini"]
    assert templates["mini"].source == "copy.yaml"  # first by file name wins
    text = "\n".join(found)
    assert "broken.yaml: line 1" in text
    assert "latin1.yaml: not UTF-8 text" in text
    assert "big.yml: file is larger than" in text
    assert "mini.yaml: id: 'mini' is already used by copy.yaml" in text
    assert "notes.txt" not in text and "dir.yaml" not in text


def test_a_later_folder_overrides_ids(tmp_path: Path) -> None:
    shipped, operator = tmp_path / "shipped", tmp_path / "operator"
    shipped.mkdir()
    operator.mkdir()
    (shipped / "mini.yaml").write_text(GOOD, encoding="utf-8")
    (operator / "my-mini.yaml").write_text(
        GOOD.replace("{nb: Mini, en: Mini}", "{nb: Vår, en: Ours}", 1), encoding="utf-8"
    )
    templates, found = load_folder(shipped, operator, tmp_path / "missing")
    assert templates["mini"].name == {"nb": "Vår", "en": "Ours"}
    assert len(found) == 1 and "missing: cannot read the folder" in found[0]


def test_check_files_names_the_path_it_was_given(tmp_path: Path) -> None:
    good, bad = tmp_path / "good.yaml", tmp_path / "bad.yaml"
    good.write_text(GOOD, encoding="utf-8")
    bad.write_text(GOOD.replace("- timer: 5", "- timr: 5"), encoding="utf-8")
    assert check_files([good]) == []
    found = check_files([good, bad, tmp_path / "nowhere.yaml"])
    assert found[0].startswith(f"{bad}: agenda[0].actions[2] (line 18): unknown action 'timr'")
    assert found[1].startswith(f"{tmp_path / 'nowhere.yaml'}: cannot read the file")
