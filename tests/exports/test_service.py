"""ExportService policy without a server: private objects stay out, the pool is bounded."""

from __future__ import annotations

import asyncio
import csv
import io
import json
import threading
import time
from typing import Any

import pypdf
import pytest

from server.config import Limits
from server.domain.errors import ProtocolError
from server.domain.objects import validate_new
from server.services import exports as exports_module
from server.services.exports import ExportOptions, ExportService, safe_filename
from server.services.ports import BoardMeta, Snapshot

SECRET = "Hemmelig lapp fra Per"


# These tests replace `_render` inside this process, so the jobs run in the pool's
# threads (export_seconds=0); tests/exports/test_export_bounds.py runs real worker processes.
IN_THREAD = Limits(export_seconds=0)


class FakeStore:
    """Just the reads an export makes, with one private note on the board."""

    def __init__(self) -> None:
        self.objects: list[dict[str, Any]] = [
            {"id": "f1", "kind": "frame", "x": 0, "y": 0, "w": 600, "h": 400, "title": "Runde 1"},
            {"id": "n1", "kind": "note", "x": 40, "y": 40, "text": "Synlig lapp"},
            {"id": "p1", "kind": "note", "x": 300, "y": 40, "text": SECRET, "private": True},
            {
                "id": "p2",
                "kind": "frame",
                "x": 900,
                "y": 0,
                "w": 300,
                "h": 300,
                "title": SECRET,
                "private": True,
            },
        ]

    async def snapshot(self, board_id: str) -> Snapshot | None:
        if board_id != "b1":
            return None
        meta = BoardMeta("b1", "Privat modus", {"locale": "nb"}, 3, len(self.objects), 1, 1)
        # As the store keeps them: complete objects, `private` next to the fields.
        full = [
            {
                **validate_new({k: v for k, v in o.items() if k != "private"}),
                **({"private": True} if o.get("private") else {}),
            }
            for o in self.objects
        ]
        return Snapshot(meta, full)

    async def object_meta(self, board_id: str) -> dict[str, dict[str, Any]]:
        return {
            "n1": {"author": "Kari", "created": 1_700_000_000_000, "updated": 1_700_000_000_000},
            "p1": {"author": "Per", "created": 1_700_000_000_000, "updated": 1_700_000_000_000},
        }

    async def assets(self, board_id: str) -> list[Any]:
        return []


def _text_of(fmt: str, data: bytes) -> str:
    if fmt == "pdf":
        return " ".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(data)).pages)
    if fmt == "png":
        return ""
    return data.decode("utf-8-sig")


@pytest.mark.parametrize("fmt", ["png", "svg", "pdf", "csv", "json", "canvas"])
async def test_private_objects_are_never_exported(fmt: str) -> None:
    service = ExportService(FakeStore(), IN_THREAD)  # type: ignore[arg-type]
    file = await service.export("b1", fmt, ExportOptions())
    text = _text_of(fmt, file.data)
    assert "Hemmelig" not in text and "p1" not in text.replace("\\", "")
    if fmt == "csv":
        assert [row["id"] for row in csv.DictReader(io.StringIO(text))] == ["n1"]
    if fmt == "json":
        assert [o["id"] for o in json.loads(text)["objects"]] == ["f1", "n1"]
    if fmt == "svg":
        assert "Synlig" in text


async def test_private_frame_cannot_be_exported_alone() -> None:
    service = ExportService(FakeStore(), IN_THREAD)  # type: ignore[arg-type]
    with pytest.raises(ProtocolError, match="unknown frame id 'p2'"):
        await service.export("b1", "png", ExportOptions(frame="p2"))


async def test_report_names_only_people_whose_objects_are_visible() -> None:
    service = ExportService(FakeStore(), IN_THREAD)  # type: ignore[arg-type]
    file = await service.report("b1", names=True)
    text = " ".join(pypdf.PdfReader(io.BytesIO(file.data)).pages[0].extract_text().split())
    assert "Kari" in text and "Per" not in text


async def test_unknown_board_is_not_found() -> None:
    service = ExportService(FakeStore(), IN_THREAD)  # type: ignore[arg-type]
    with pytest.raises(ProtocolError) as raised:
        await service.export("nope", "svg", ExportOptions())
    assert raised.value.code == "not_found"


async def test_at_most_two_jobs_run_at_once_and_the_loop_stays_free(monkeypatch) -> None:
    running, peak, lock = 0, 0, threading.Lock()

    def slow_render(*_args: Any) -> bytes:
        nonlocal running, peak
        with lock:
            running += 1
            peak = max(peak, running)
        time.sleep(0.2)
        with lock:
            running -= 1
        return b"x"

    monkeypatch.setattr(exports_module, "_render", slow_render)
    service = ExportService(FakeStore(), IN_THREAD)  # type: ignore[arg-type]
    ticks = 0

    async def ticker() -> None:
        nonlocal ticks
        while True:
            await asyncio.sleep(0.01)
            ticks += 1

    tick = asyncio.create_task(ticker())
    started = time.monotonic()
    files = await asyncio.gather(*(service.export("b1", "svg", ExportOptions()) for _ in range(6)))
    elapsed = time.monotonic() - started
    tick.cancel()
    assert [f.data for f in files] == [b"x"] * 6
    assert peak == 2
    assert elapsed >= 0.55  # three rounds of two
    assert ticks >= 30  # the event loop kept running meanwhile


async def test_a_full_waiting_line_is_refused_with_503(monkeypatch) -> None:
    gate = threading.Event()

    def blocked(*_args: Any) -> bytes:
        gate.wait(5)
        return b"x"

    monkeypatch.setattr(exports_module, "_render", blocked)
    service = ExportService(FakeStore(), IN_THREAD)  # type: ignore[arg-type]
    limit = exports_module.MAX_RUNNING + exports_module.MAX_WAITING
    jobs = [asyncio.create_task(service.export("b1", "svg", ExportOptions())) for _ in range(limit)]
    await asyncio.sleep(0.05)
    with pytest.raises(ProtocolError) as raised:
        await service.export("b1", "svg", ExportOptions())
    assert raised.value.code == "unavailable"
    gate.set()
    assert len(await asyncio.gather(*jobs)) == limit


@pytest.mark.parametrize(
    ("title", "extra", "expected"),
    [
        ("Samskaping på Ål", "", "Samskaping-pa-Al.png"),
        ('Møte / Ærlig "tale"; ok', "Ø1", "Mote-Aerlig-tale-ok-O1.png"),
        ("😀😀", "", "samskap-board.png"),
        ("a" * 300, "", "a" * 80 + ".png"),
        ("../../etc/passwd", "", "etc-passwd.png"),
    ],
)
def test_safe_filename(title: str, extra: str, expected: str) -> None:
    assert safe_filename(title, "png", extra=extra) == expected
