"""`samskap export` and `samskap import` as an operator runs them: a subprocess on the
server's database, while the server keeps running."""

from __future__ import annotations

import asyncio
import io
import os
import sys
from pathlib import Path

from PIL import Image

from tests.exports.helpers import auth, board_count, get, known_board
from tests.support.servers import LiveServer

ROOT = Path(__file__).resolve().parents[2]


async def samskap(server: LiveServer, *args: str) -> tuple[int, str, str]:
    settings = server.settings
    env = {
        **os.environ,
        "SAMSKAP_DATA_DIR": str(settings.data_dir),
        "SAMSKAP_PUBLIC_URL": server.url,
        "SAMSKAP_LOG_LEVEL": "warning",
    }
    if not settings.is_sqlite:
        env["SAMSKAP_DATABASE_URL"] = settings.database_url
        env["SAMSKAP_DATABASE_SCHEMA"] = settings.database_schema or ""
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "server",
        *args,
        cwd=ROOT,
        env=env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await asyncio.wait_for(proc.communicate(), 120)
    assert proc.returncode is not None
    return proc.returncode, out.decode(), err.decode()


async def test_cli_export_import_round_trip(db_server: LiveServer, tmp_path: Path) -> None:
    board = await known_board(db_server)
    backup = tmp_path / "backup.json"
    code, _, err = await samskap(
        db_server, "export", board["id"], "--format", "json", "-o", str(backup)
    )
    assert code == 0, err
    over_http = await get(db_server, f"/api/boards/{board['id']}/export.json", headers=auth(board))
    assert backup.read_bytes() == over_http.content

    code, out, err = await samskap(db_server, "import", str(backup))
    assert code == 0, err
    lines = out.splitlines()
    assert lines[0].endswith(": Samskaping på Ål bibliotek")
    links = dict(line.split(": ", 1) for line in lines[1:])
    assert set(links) == {"facilitator", "participant", "viewer"}
    assert all(link.startswith(db_server.url + "/b/") for link in links.values())
    assert "imported: 1 connector, 1 frame, 1 image, 5 note, 1 text" in err
    created = {"links": links}
    again = await get(
        db_server,
        links["viewer"].split("#")[0].replace("/b/", "/api/boards/") + "/export.json",
        headers=auth(created, "viewer"),
    )
    assert again.status_code == 200 and again.content == backup.read_bytes()


async def test_cli_picture_options_and_errors(live_server: LiveServer, tmp_path: Path) -> None:
    board = await known_board(live_server)
    png = tmp_path / "frame.png"
    code, _, err = await samskap(
        live_server,
        "export",
        board["id"],
        "--format",
        "png",
        "--frame",
        "f1",
        "--scale",
        "0.5",
        "--padding",
        "0",
        "-o",
        str(png),
    )
    assert code == 0, err
    assert Image.open(io.BytesIO(png.read_bytes())).size == (500, 315)
    for fmt in ("svg", "pdf", "csv", "canvas", "report"):
        code, _, err = await samskap(
            live_server,
            "export",
            board["id"],
            "--format",
            fmt,
            "-o",
            str(tmp_path / f"board.{fmt}"),
        )
        assert code == 0, (fmt, err)

    code, _, err = await samskap(
        live_server,
        "export",
        board["id"],
        "--format",
        "png",
        "--frame",
        "nope",
        "-o",
        str(tmp_path / "x.png"),
    )
    assert code == 1 and "unknown frame id 'nope'" in err
    assert not (tmp_path / "x.png").exists()
    code, _, err = await samskap(
        live_server, "export", "no-such-board", "--format", "svg", "-o", str(tmp_path / "x.svg")
    )
    assert code == 1 and "no such board" in err

    before = await board_count(live_server)
    broken = tmp_path / "broken.excalidraw"
    broken.write_bytes(b'{"type": "excalidraw", "elements": [')
    code, out, err = await samskap(live_server, "import", str(broken))
    assert code == 1 and "broken JSON" in err and out == ""
    code, _, err = await samskap(live_server, "import", str(tmp_path / "missing.json"))
    assert code == 1 and "missing.json" in err
    assert await board_count(live_server) == before


def test_cli_offers_every_export_format() -> None:
    from server import cli_tools
    from server.services.exports import FORMATS

    assert (*FORMATS, "report") == cli_tools.FORMATS
