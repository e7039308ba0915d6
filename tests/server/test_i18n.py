"""Languages: nynorsk beside bokmål and English, per-key fallback to bokmål, and
`samskap i18n check` (which fails the suite when nb, nn or en has a gap)."""

from __future__ import annotations

import io
import json
import shutil
from pathlib import Path

import httpx
import pytest
from pypdf import PdfReader
from starlette.applications import Starlette

from server.cli import main as cli_main
from server.config import Settings, from_env
from server.domain.languages import chain, choose, match
from server.domain.render.report import render_report
from server.domain.templates import TemplateError, load_template, localise, summary
from server.http.pages import page_routes
from server.i18n_check import run_check, unused_keys
from tests.support.servers import LiveServer, serve_in_process

ROOT = Path(__file__).resolve().parents[2]
TEMPLATES = sorted((ROOT / "workshop_templates").glob("*.yaml"))


# --- the check ------------------------------------------------------------------------


def test_i18n_check_is_green_for_nb_nn_and_en(capsys: pytest.CaptureFixture[str]) -> None:
    """The suite fails on any gap: `make test` runs this."""
    code = cli_main(["i18n", "check"])
    out = capsys.readouterr().out
    assert code == 0, out
    for line in (
        "nb (Norsk bokmål): complete",
        "nn (Norsk nynorsk): complete",
        "en (English): complete",
    ):
        assert line in out


def _copy_root(tmp_path: Path) -> Path:
    root = tmp_path / "root"
    for part in ("web/i18n", "web/js", "web/pages"):
        shutil.copytree(ROOT / part, root / part)
    (root / "server").mkdir()
    (root / "server" / "empty.py").write_text("")
    return root


def test_check_lists_missing_empty_placeholder_and_unused_keys(tmp_path: Path) -> None:
    root = _copy_root(tmp_path)
    path = root / "web" / "i18n" / "nn.json"
    table = json.loads(path.read_text(encoding="utf-8"))
    del table["fac.prev"]
    table["fac.next"] = " "
    table["vote.left"] = "{n} att"
    table["fac.typo"] = "Skrivefeil"
    path.write_text(json.dumps(table, ensure_ascii=False), encoding="utf-8")
    report = run_check(root=root, template_paths=[])
    lines = list(report.lines())
    assert "nn: missing key 'fac.prev'" in lines
    assert "nn: key 'fac.next' is empty" in lines
    assert "nn: key 'vote.left' must use the placeholders {n}, {of}" in lines
    assert "nn: unused key 'fac.typo' (not in nb.json)" in lines
    assert "nn (Norsk nynorsk): 3 gap(s)" in lines
    assert report.failed()


def test_a_language_being_written_is_listed_but_does_not_fail(tmp_path: Path) -> None:
    root = _copy_root(tmp_path)
    (root / "web" / "i18n" / "se.json").write_text('{"a11y.skip": "Njuikes sisdollui"}')
    report = run_check(root=root, template_paths=[])
    assert report.missing["se"] and not report.failed()
    assert any(line.startswith("se (not in LANGUAGES):") for line in report.lines())


def test_a_missing_language_file_fails(tmp_path: Path) -> None:
    root = _copy_root(tmp_path)
    (root / "web" / "i18n" / "nn.json").unlink()
    report = run_check(root=root, template_paths=[])
    assert "nn: no file i18n/nn.json" in list(report.lines()) and report.failed()


def test_unused_keys_know_keys_built_at_run_time() -> None:
    source = 'x = t(`kind.${obj.kind}`); y = t("tool." ~ name); t("fac.prev")'
    keys = ["kind.note", "tool.pen", "fac.prev", "fac.gone"]
    assert unused_keys(keys, source) == ["fac.gone"]


def test_check_finds_a_template_text_without_nynorsk(tmp_path: Path) -> None:
    text = (ROOT / "workshop_templates" / "check-in.yaml").read_text(encoding="utf-8")
    broken = text.replace('nn: "Regn", ', "", 1)
    assert broken != text
    path = tmp_path / "check-in.yaml"
    path.write_text(broken, encoding="utf-8")
    report = run_check(template_paths=[path])
    lines = [line for line in report.lines() if "check-in.yaml" in line]
    assert len(lines) == 1 and lines[0].startswith("nn: template check-in.yaml: objects[")
    assert "no text" in lines[0] and report.failed()


def test_every_shipped_template_speaks_nynorsk() -> None:
    for path in TEMPLATES:
        template = load_template(path.read_text(encoding="utf-8"), path.name)
        nn, nb = summary(template, "nn"), summary(template, "nb")
        assert nn["name"] and nn["description"] != nb["description"], path.name


# --- templates: nn is optional in a file, falls back to bokmål ------------------------

SMALL = """
id: tiny
category: opening
name: {nb: Liten, en: Small}
description: {nb: En liten mal., en: A small template.}
size: {w: 400, h: 400}
objects:
  - {id: f, kind: frame, x: 0, y: 0, w: 400, h: 400, title: {nb: Ramme, nn: "%s", en: Frame}}
agenda:
  - {title: {nb: Start, en: Start}, instructions: {nb: Gjør det., en: Do it.}, minutes: 1}
"""


def test_a_template_without_nynorsk_loads_and_shows_bokmal() -> None:
    template = load_template(SMALL % "Ramme", "tiny.yaml")
    assert summary(template, "nn-NO")["name"] == "Liten"
    assert localise(template.objects[0]["title"], "nn") == "Ramme"


def test_an_empty_nynorsk_text_is_refused() -> None:
    with pytest.raises(TemplateError) as caught:
        load_template(SMALL % " ", "tiny.yaml")
    assert "the nynorsk (nn) text is empty" in str(caught.value)


def test_an_unknown_language_in_a_template_is_refused() -> None:
    text = SMALL.replace("{nb: Liten, en: Small}", "{nb: Liten, en: Small, de: Klein}")
    with pytest.raises(TemplateError) as caught:
        load_template(text % "Ramme", "tiny.yaml")
    assert "unknown field 'de'" in str(caught.value)


# --- choosing a language --------------------------------------------------------------


@pytest.mark.parametrize(
    ("tag", "code"),
    [("nn-NO", "nn"), ("nn", "nn"), ("nno", "nn"), ("nb-NO", "nb"), ("no", "nb"),
     ("no-NO", "nb"), ("en-GB", "en"), ("se-NO", None), ("", None), (None, None)],
)  # fmt: skip
def test_match(tag: str | None, code: str | None) -> None:
    assert match(tag) == code


def test_choose_and_chain() -> None:
    assert choose(["de", "nn-NO", "nb"]) == "nn"
    assert choose(["sv"]) == "en"
    assert chain("nn") == ("nn", "nb", "en")
    assert chain("nb") == ("nb", "en")
    assert chain("en") == ("en", "nb")


async def _get(web_dir: Path, path: str, statement: str | None = None, **headers: str) -> str:
    """One page from the page routes alone (no database needed)."""
    app = Starlette(routes=page_routes(web_dir))
    app.state.accessibility_url = statement
    app.state.settings = Settings()  # the start page asks whether creating needs a code
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as http:
        response = await http.get(path, headers=headers)
    return response.text


@pytest.mark.parametrize(
    ("header", "lang", "heading"),
    [
        ("nn-NO,nn;q=0.9,nb;q=0.8", "nn", "Arbeid saman på éi tavle"),
        ("nb-NO,nb;q=0.9,en;q=0.5", "nb", "Jobb sammen på én tavle"),
        ("no", "nb", "Jobb sammen på én tavle"),
        ("de-DE,nn;q=0.5", "nn", "Arbeid saman på éi tavle"),
        ("nn;q=0,en", "en", "Work together on one board"),
        ("fr", "en", "Work together on one board"),
    ],
)
async def test_page_language_follows_the_browser(header: str, lang: str, heading: str) -> None:
    html = await _get(ROOT / "web", "/", **{"Accept-Language": header})
    assert f'<html lang="{lang}">' in html
    assert heading in html


async def test_language_menu_offers_the_three_in_their_own_names() -> None:
    html = await _get(ROOT / "web", "/b/abc", Cookie="samskap_lang=nn", **{"Accept-Language": "en"})
    assert '<html lang="nn">' in html
    for code, name in (("nb", "Norsk bokmål"), ("nn", "Norsk nynorsk"), ("en", "English")):
        assert f'<option value="{code}" lang="{code}"' in html and f">{name}</option>" in html
    assert 'value="nn" lang="nn" selected' in html
    assert "Styr økta" in html and "Oversyn" in html


async def test_a_key_missing_in_a_language_is_shown_in_bokmal(tmp_path: Path) -> None:
    web = tmp_path / "web"
    shutil.copytree(ROOT / "web" / "pages", web / "pages")
    shutil.copytree(ROOT / "web" / "i18n", web / "i18n")
    path = web / "i18n" / "nn.json"
    table = json.loads(path.read_text(encoding="utf-8"))
    del table["start.heading"]
    table["start.how.heading"] = ""
    path.write_text(json.dumps(table, ensure_ascii=False), encoding="utf-8")
    html = await _get(web, "/", **{"Accept-Language": "nn"})
    assert "Jobb sammen på én tavle" in html  # bokmål for the missing key
    assert "Slik fungerer det" in html  # and for the empty one
    assert "start.heading" not in html.replace('data-i18n="start.heading"', "")


# --- the accessibility statement link ------------------------------------------------


async def test_statement_link_is_in_every_page_when_set() -> None:
    url = "https://uustatus.no/nb/erklaringar/publisert/0000-eksempel"
    for path in ("/", "/b/abc", "/b/bad%20id"):
        html = await _get(ROOT / "web", path, statement=url, **{"Accept-Language": "nn"})
        assert f'href="{url}"' in html, path
        assert "Tilgjengeerklæring" in html
    plain = await _get(ROOT / "web", "/")
    assert "statement-link" not in plain


async def test_statement_url_is_escaped_and_checked() -> None:
    html = await _get(ROOT / "web", "/", statement='https://x.no/"><script>')
    assert "<script>" not in html.split("</head>")[1].split('type="module"')[0]
    assert 'href="https://x.no/&#34;&gt;&lt;script&gt;"' in html
    with pytest.raises(ValueError, match="SAMSKAP_ACCESSIBILITY_URL must be a full http"):
        from_env({"SAMSKAP_ACCESSIBILITY_URL": "javascript:alert(1)"})
    assert from_env({"SAMSKAP_ACCESSIBILITY_URL": " "}).accessibility_url is None
    assert Settings(accessibility_url="https://a.no/x").accessibility_url == "https://a.no/x"


# --- server: boards, templates and the report in nynorsk -----------------------------


@pytest.fixture
async def server(tmp_path: Path) -> LiveServer:
    async with serve_in_process(Settings(data_dir=tmp_path, port=0)) as live:
        yield live  # type: ignore[misc]


async def test_board_template_and_report_in_nynorsk(server: LiveServer) -> None:
    async with httpx.AsyncClient(base_url=server.url) as http:
        listing = (await http.get("/api/templates", params={"locale": "nn"})).json()
        names = {t["id"]: t["name"] for t in listing["templates"]}
        assert names["stakeholder-onion"] == "Interessentlauk"
        assert names["impact-effort"] == "Vinst og innsats"
        made = await http.post(
            "/api/boards",
            json={"title": "Kartet", "template": "power-interest-grid", "locale": "nn"},
        )
        assert made.status_code == 201, made.text
        board = made.json()
        token = board["links"]["participant"].split("#t=")[1]
        auth = {"Authorization": f"Bearer {token}"}
        got = (await http.get(f"/api/boards/{board['id']}", headers=auth)).json()
        texts = {o.get("text") for o in got["objects"]}
        assert "Nøkkelaktørar \u2013 involver tett" in texts
        report = await http.get(f"/api/boards/{board['id']}/report.pdf", headers=auth)
        assert report.status_code == 200, report.text
        assert "rapport" in report.headers["content-disposition"]
        text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(report.content)).pages)
        assert "Nøkkelaktørar \u2013 involver tett" in text
        assert "Heile tavla" in text
        refused = await http.post("/api/boards", json={"title": "x", "locale": "de"})
        assert refused.status_code == 400
        assert "locale must be one of nb, nn, en" in refused.text


def test_report_labels_in_nynorsk() -> None:
    board = {
        "title": "Samling 2",
        "objects": [
            {"id": "f", "kind": "frame", "x": 0, "y": 0, "w": 400, "h": 300, "title": ""},
            {"id": "n", "kind": "note", "x": 20, "y": 20, "w": 100, "h": 100,
             "text": "Lesekveld", "color": "#fff59d"},
        ],
        "votes": {"n": 1},
    }  # fmt: skip
    pdf = render_report(board, participants=["Kari"], lang="nn")
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages)
    for word in ("Deltakarar: Kari", "Heile tavla", "Utan tittel", "Utan sone", "1 stemme"):
        assert word in text, word


def test_a_template_that_does_not_load_fails_the_check(tmp_path: Path) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text("id: bad\nname: {nb: Feil, en: Wrong, de: Falsch}\n", encoding="utf-8")
    report = run_check(template_paths=[path])
    broken = [line for line in report.lines() if line.startswith("template: ")]
    assert broken and all("bad.yaml" in line for line in broken)
    assert report.failed()
