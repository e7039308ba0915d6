"""Pictures of two shipped templates after a workshop, made the way a facilitator makes them.

Starts the real server (SQLite in a temporary folder), creates a board from each
template over HTTP, lets two participants put a dozen notes into the template's
zones over WebSockets, and downloads the PNG export over HTTP into
docs/screenshots/export-template-<id>.png. So the pictures show what the whole
path produces: templates, sync, storage, export route and renderer.

    .venv/bin/python bench/template_pictures.py [--scale 0.5]
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from server.config import Settings  # noqa: E402
from tests.support.client import Client  # noqa: E402
from tests.support.servers import serve_in_process, token_of  # noqa: E402

OUT = ROOT / "docs" / "screenshots"
LIB, VOL, OTHER = "#bbdefb", "#fff59d", "#c8e6c9"
NOTE = 180.0
GAP = 16.0
STEP = 4.0
ZONE_HEADER = 80.0  # a zone's name is drawn at its top; notes go below it

# template id -> board title and (zone id, text, colour, tag) per note
WORKSHOPS: dict[str, tuple[str, list[tuple[str, str, str, str]]]] = {
    "power-interest-grid": (
        "Interessentkart \u2013 Ål bibliotek",
        [
            ("key-players", "Biblioteksjefen", LIB, "BIB"),
            ("key-players", "Frivilligsentralen på Ål", VOL, "FRIV"),
            ("key-players", "Kulturkontoret i kommunen", OTHER, "ANDRE"),
            ("keep-satisfied", "Fylkesbiblioteket i Buskerud", OTHER, "ANDRE"),
            ("keep-satisfied", "Rådmannen", OTHER, "ANDRE"),
            ("keep-satisfied", "Nasjonalbiblioteket", OTHER, "ANDRE"),
            ("keep-informed", "Ungdomsrådet", OTHER, "ANDRE"),
            ("keep-informed", "Pensjonistforeningen vil lese høyt for barn", VOL, "FRIV"),
            ("keep-informed", "Lånere som bruker lesesalen hver dag", OTHER, "ANDRE"),
            ("keep-informed", "Bibliotekarene i skranken", LIB, "BIB"),
            ("monitor", "Lokalavisa «Hallingdølen»", OTHER, "ANDRE"),
            ("monitor", "Nabokommunens bibliotek", LIB, "BIB"),
            ("unsorted", "Skolebiblioteket?", LIB, "BIB"),
            ("parking", "Hvem eier møterommet på kveldstid?", OTHER, ""),
        ],
    ),
    "brainstorming": (
        "Idédugnad \u2013 flere unge på biblioteket",
        [
            ("wall", "Filmklubb med ungdommene som programkomité", VOL, ""),
            ("wall", "Gamingkveld i samarbeid med ungdomsklubben", OTHER, ""),
            ("wall", "📚 Bokbytte-hylle ved inngangen", VOL, ""),
            ("wall", "Lekseverksted med frivillige studenter, to kvelder i uka", VOL, ""),
            ("wall", "Ungdommene velger innkjøp av tegneserier og manga", LIB, ""),
            ("wall", "Lengre åpningstid fredag \u2013 «meråpent» med nøkkelkort", LIB, ""),
            ("wall", "Podkast-studio i et grupperom", OTHER, ""),
            ("wall", "Skrivekurs: «Fortell din historie» med lokal forfatter", VOL, ""),
            ("wall", "Reparasjonskafé for sykler og mobiler", OTHER, ""),
            ("own", "Spør ungdomsrådet hva de savner", LIB, ""),
            ("own", "Kafé-hjørne med sofaer og stikkontakter", VOL, ""),
            ("parking", "Budsjett for pizza? Sjekk med kulturkontoret", OTHER, ""),
        ],
    ),
}

# The question the facilitator writes into a template's writable question text.
QUESTIONS = {"brainstorming": "Hvordan kan vi få flere unge til å bruke biblioteket om kvelden?"}


def _overlaps(a: tuple[float, float, float, float], b: tuple[float, float, float, float]) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def _free_spot(
    zone: dict[str, Any], taken: list[tuple[float, float, float, float]]
) -> tuple[float, float]:
    """The first place, in reading order, where a note fits in the zone without covering
    another note or a text (a zone's hint), GAP apart from both."""
    x0, y0 = zone["x"] + GAP, zone["y"] + ZONE_HEADER
    x1, y1 = zone["x"] + zone["w"] - GAP, zone["y"] + zone["h"] - GAP / 2
    y = y0
    while y + NOTE <= y1:
        x = x0
        while x + NOTE <= x1:
            box = (x - GAP, y - GAP, x + NOTE + GAP, y + NOTE + GAP)
            if not any(_overlaps(box, other) for other in taken):
                return x, y
            x += STEP
        y += STEP
    raise ValueError(f"zone {zone['id']} is full")


def place_notes(
    objects: list[dict[str, Any]], notes: list[tuple[str, str, str, str]], prefix: str
) -> list[dict[str, Any]]:
    """Notes in their zones, on top of the template, as participants would drag them."""
    by_id = {obj["id"]: obj for obj in objects}
    taken = [
        (o["x"], o["y"], o["x"] + o["w"], o["y"] + o["h"])
        for o in objects
        if o["kind"] in ("note", "text")
    ]
    top = max((float(o.get("z", 0)) for o in objects), default=0.0)
    made = []
    for index, (zone_id, text, colour, tag) in enumerate(notes):
        x, y = _free_spot(by_id[zone_id], taken)
        taken.append((x, y, x + NOTE, y + NOTE))
        made.append(
            {
                "id": f"{prefix}{index}",
                "kind": "note",
                "x": x,
                "y": y,
                "w": NOTE,
                "h": NOTE,
                "text": text,
                "color": colour,
                "tag": tag,
                "z": top + 1 + index,  # on top, as the board page puts a new note
            }
        )
    return made


async def picture(url: str, template: str, scale: float) -> Path:
    title, notes = WORKSHOPS[template]
    async with httpx.AsyncClient(base_url=url, timeout=120) as http:
        reply = await http.post(
            "/api/boards", json={"title": title, "template": template, "locale": "nb"}
        )
        reply.raise_for_status()
        board = reply.json()
        token = token_of(board["links"]["participant"])
        auth = {"authorization": f"Bearer {token}"}
        objects = (await http.get(f"/api/boards/{board['id']}", headers=auth)).json()["objects"]
        made = place_notes(objects, notes, "idea")
        half = len(made) // 2
        question = QUESTIONS.get(template)
        for name, part in (("Kari", made[:half]), ("Ola", made[half:])):
            client = await Client.connect(url, board["id"], token, name=name)
            ops = [{"op": "create", "object": obj} for obj in part]
            if question and name == "Kari":  # the question field is writable (unlocked)
                ops.append({"op": "update", "id": "question-text", "set": {"text": question}})
            ack = await client.ops(ops)
            if ack["type"] != "ack":
                raise RuntimeError(f"notes refused: {ack}")
            await client.close()
        started = time.perf_counter()
        png = await http.get(
            f"/api/boards/{board['id']}/export.png", params={"scale": scale}, headers=auth
        )
        png.raise_for_status()
        took = time.perf_counter() - started
    path = OUT / f"export-template-{template}.png"
    path.write_bytes(png.content)
    print(f"{path.relative_to(ROOT)}: {len(made)} notes, {len(png.content):,} bytes, {took:.2f} s")
    return path


async def main(scale: float) -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as data:
        async with serve_in_process(Settings(data_dir=Path(data), port=0)) as server:
            for template in WORKSHOPS:
                await picture(server.url, template, scale)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=0.5)
    asyncio.run(main(parser.parse_args().scale))
