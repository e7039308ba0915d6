"""The version on every HTTP answer, and the stop path's commit drain (issue 15)."""

from __future__ import annotations

import asyncio
from importlib.metadata import version

import httpx

from server.shutdown import drain_commits
from tests.support.servers import LiveServer


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
