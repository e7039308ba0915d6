"""The version on every HTTP answer, and the stop path's commit drain (issue 15)."""

from __future__ import annotations

import asyncio
from importlib.metadata import version
from pathlib import Path
from typing import Any

import httpx
import pytest

from server.app import create_app
from server.config import Settings
from server.shutdown import drain_commits
from server.versions import VersionConflict
from tests.support.servers import LiveServer, ServerProcess, free_port, token_of


async def test_every_http_answer_names_the_version(live_server: LiveServer) -> None:
    expected = version("samskap")
    async with httpx.AsyncClient(base_url=live_server.url) as http:
        answers = [
            await http.get("/"),
            await http.get("/healthz"),
            await http.get("/metrics"),
            await http.get("/static/css/base.css"),
            await http.get("/no/such/page"),
            await http.post("/api/boards", content=b"not json"),
            await http.get("/api/boards/nope/assets/nope"),
        ]
    assert {a.status_code for a in answers} >= {200, 404, 400}
    for answer in answers:
        assert answer.headers["x-samskap-version"] == expected, answer.url


async def test_drain_waits_for_commits_in_flight_and_nothing_else() -> None:
    finished: list[str] = []

    async def commit(name: str, seconds: float) -> None:
        await asyncio.sleep(seconds)
        finished.append(name)

    other = asyncio.create_task(commit("other", 5), name="presence-x")
    asyncio.create_task(commit("a", 0.2), name="commit-a")  # noqa: RUF006
    asyncio.create_task(commit("b", 0.3), name="commit-b")  # noqa: RUF006
    assert await drain_commits() == 2
    assert sorted(finished) == ["a", "b"] and not other.done()
    other.cancel()
    assert await drain_commits() == 0


async def test_a_stop_leaves_nothing_for_the_operator_to_worry_about(tmp_path: Path) -> None:
    """SIGTERM, as systemd and docker stop send it: the log ends with the stop, and
    multiprocessing's resource tracker finds nothing left behind by the export workers
    (it used to warn of "10 leaked semaphore objects" on every stop)."""
    server = ServerProcess({"SAMSKAP_DATA_DIR": str(tmp_path)}, free_port())
    await server.start()
    assert server.proc is not None and server.proc.stderr is not None
    async with httpx.AsyncClient(base_url=server.url) as http:  # one export: a worker ran
        board = (await http.post("/api/boards", json={"title": "Stopp"})).json()
        token = token_of(board["links"]["facilitator"])
        png = await http.get(
            f"/api/boards/{board['id']}/export.png", headers={"Authorization": f"Bearer {token}"}
        )
        assert png.status_code == 200, png.text
    server.stop()
    log = server.proc.stderr.read().decode()
    assert server.proc.returncode in (0, -15)
    assert "samskap stopped" in log
    worrying = (" WARNING ", " ERROR ", " CRITICAL ", "Warning", "Traceback", "leaked")
    assert not [line for line in log.splitlines() if any(w in line for w in worrying)], log


@pytest.mark.redis
async def test_a_second_version_refuses_to_start_beside_the_first(
    redis_env: tuple[str, str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    url, prefix = redis_env
    running = version("samskap")

    def started(name: str) -> Any:
        app = create_app(Settings(data_dir=tmp_path / name, redis_url=url, redis_prefix=prefix))
        return app.router.lifespan_context(app)

    async with started("old"):
        monkeypatch.setattr("server.app.VERSION", "9.9.9")
        with pytest.raises(VersionConflict) as refused:
            async with started("new"):
                pass
        assert str(refused.value).startswith(
            f"samskap 9.9.9 will not start: 1 process(es) of {running} still serve this "
            "installation"
        )
        # It refused before migrating: the new database was never created.
        assert not (tmp_path / "new" / "samskap.db").exists()
        monkeypatch.setattr("server.app.VERSION", running)
        async with started("same"):  # the same version is welcome
            pass
    # The old one stopped and took its key along: now the new version starts.
    monkeypatch.setattr("server.app.VERSION", "9.9.9")
    async with started("new"):
        assert (tmp_path / "new" / "samskap.db").exists()
