"""Facilitation controls over the real protocol, with their refusals (issue 4)."""

from __future__ import annotations

import time

import pytest

from tests.server.test_sync_rules import fresh_read, note
from tests.support.client import Client
from tests.support.servers import LiveServer, token_of


async def room(server: LiveServer, **board: object) -> tuple[dict, Client, Client, Client]:
    created = await server.create_board(**board)
    boss = await server.join(created, "facilitator", "Fasilitator")
    kari = await server.join(created, "participant", "Kari")
    ola = await server.join(created, "participant", "Ola")
    return created, boss, kari, ola


async def facilitate(client: Client, action: str, **body: object) -> dict:
    reply = await client.request({"type": "facilitate", "action": action, **body})
    assert reply["type"] == "session", reply
    return reply


async def test_timer_is_the_same_for_everyone(live_server: LiveServer) -> None:
    _, boss, kari, ola = await room(live_server)
    sent = await facilitate(boss, "timer_start", seconds=300)
    timer = sent["session"]["timer"]
    assert timer["running"] and timer["duration"] == 300_000
    assert abs(timer["ends_at"] - (time.time() * 1000 + 300_000)) < 5_000
    for other in (kari, ola):
        seen = await other.expect("session")
        assert seen["session"]["timer"] == timer and "now" in seen
    paused = (await facilitate(boss, "timer_pause"))["session"]["timer"]
    assert not paused["running"] and 295_000 < paused["remaining"] <= 300_000
    added = (await facilitate(boss, "timer_add", seconds=60))["session"]["timer"]
    assert added["remaining"] == paused["remaining"] + 60_000
    resumed = (await facilitate(boss, "timer_resume"))["session"]["timer"]
    assert resumed["running"] and resumed["ends_at"] > time.time() * 1000 + 350_000
    assert (await facilitate(boss, "timer_stop"))["session"]["timer"] is None
    # A late joiner gets the state in its welcome.
    await facilitate(boss, "timer_start", seconds=60)
    late = await Client.connect(live_server.url, _["id"], token_of(_["links"]["viewer"]))
    assert late.welcome["session"]["timer"]["duration"] == 60_000


async def test_participant_cannot_run_the_session(live_server: LiveServer) -> None:
    _, _, kari, _ = await room(live_server)
    for action in ("timer_start", "private_on", "voting_open", "lock_board", "summon", "reveal"):
        await kari.send({"type": "facilitate", "action": action, "seconds": 60})
        error = await kari.expect("error")
        assert error["code"] == "forbidden"


async def test_bad_facilitation_input(live_server: LiveServer) -> None:
    _, boss, _, _ = await room(live_server)
    for body, code in (
        ({"action": "timer_start", "seconds": -5}, "bad_message"),
        ({"action": "timer_start", "seconds": "soon"}, "bad_message"),
        ({"action": "dance"}, "bad_message"),
        ({"action": "voting_open", "votes": 2, "per_note": 3}, "bad_message"),
        ({"action": "timer_pause"}, "not_found"),
        ({"action": "agenda_step", "step": 0}, "bad_message"),
        ({"action": "summon", "view": {"x": 0}}, "bad_message"),
        ({"action": "insert_template", "template": "nope"}, "bad_message"),
    ):
        await boss.send({"type": "facilitate", **body})
        error = await boss.expect("error")
        assert error["code"] == code, (body, error)
    assert (await facilitate(boss, "private_on"))["session"]["private"] is True


async def test_private_notes_appear_only_on_reveal(live_server: LiveServer) -> None:
    board, boss, kari, ola = await room(live_server)
    await facilitate(boss, "private_on")
    await kari.expect("session")
    await ola.expect("session")
    ack = await kari.ops([note("secret", text="Bare meg")])
    assert ack["type"] == "ack"
    # Ola gets the seq but not the note; a fresh viewer and the HTTP API don't see it either.
    seen = await ola.expect("ops")
    assert seen["seq"] == ack["seq"] and seen["ops"] == []
    viewer = await Client.connect(live_server.url, board["id"], token_of(board["links"]["viewer"]))
    assert viewer.objects == {}
    # Ola cannot touch it (it does not exist for him).
    assert (await ola.ops([{"op": "update", "id": "secret", "set": {"x": 5}}]))["skipped"] == [0]
    # Kari sees her own note after reconnecting.
    await kari.close()
    await ola.expect("peer_left")
    again = await Client.connect(
        live_server.url, board["id"], token_of(board["links"]["participant"]), resume=kari.resume
    )
    assert again.me == kari.me and again.objects["secret"]["private"] is True
    await facilitate(boss, "reveal")
    revealed = await ola.expect("ops", where=lambda m: bool(m["ops"]))
    assert revealed["ops"][0]["op"] == "create"
    assert revealed["ops"][0]["object"]["text"] == "Bare meg"
    assert "private" not in revealed["ops"][0]["object"]
    assert (await fresh_read(live_server, board["id"]))["secret"].get("private") is None


async def test_dot_voting_with_budget_and_hidden_totals(live_server: LiveServer) -> None:
    _, boss, kari, ola = await room(live_server)
    await boss.ops(
        [
            note("a"),
            note("b"),
            note("c"),
            {"op": "create", "object": {"id": "f", "kind": "frame", "x": 0, "y": 0}},
        ]
    )
    opened = await facilitate(boss, "voting_open", votes=3, per_note=2)
    assert opened["session"]["voting"] == {"open": True, "votes": 3, "per_note": 2, "results": None}
    assert (await kari.expect("session"))["session"]["voting"]["votes"] == 3

    async def vote(client: Client, object_id: str, kind: str = "vote") -> dict:
        await client.send({"type": kind, "id": object_id})
        return await client.next_of(("votes", "error"))

    assert (await vote(kari, "a"))["remaining"] == 2
    assert (await vote(kari, "a"))["mine"] == {"a": 2}
    assert (await vote(kari, "a"))["code"] == "forbidden"  # per-note limit
    assert (await vote(kari, "b"))["remaining"] == 0
    assert (await vote(kari, "c"))["code"] == "forbidden"  # budget used
    assert (await vote(kari, "b", "unvote"))["remaining"] == 1
    assert (await vote(kari, "f"))["code"] == "not_found"  # frames are not voted on
    assert (await vote(kari, "ghost"))["code"] == "not_found"
    assert (await vote(ola, "c"))["remaining"] == 2
    # Nobody has seen totals yet.
    assert all(
        m.get("type") != "session" or m["session"]["voting"]["results"] is None for m in ola.seen
    )
    closed = await facilitate(boss, "voting_close")
    assert closed["session"]["voting"]["results"] == [
        {"id": "a", "votes": 2},
        {"id": "c", "votes": 1},
    ]
    assert (await ola.expect("session"))["session"]["voting"]["results"][0] == {
        "id": "a",
        "votes": 2,
    }
    assert (await vote(ola, "a"))["code"] == "forbidden"  # closed


async def test_viewer_cannot_vote(live_server: LiveServer) -> None:
    board, boss, _, _ = await room(live_server)
    await boss.ops([note("a")])
    await facilitate(boss, "voting_open", votes=3)
    viewer = await Client.connect(live_server.url, board["id"], token_of(board["links"]["viewer"]))
    await viewer.send({"type": "vote", "id": "a"})
    assert (await viewer.expect("error"))["code"] == "forbidden"


async def test_lock_board_and_permissions(live_server: LiveServer) -> None:
    _, boss, kari, _ = await room(live_server)
    await kari.ops([note("k1")])
    await facilitate(boss, "lock_board", locked=True)
    assert (await kari.ops([note("k2")]))["code"] == "forbidden"
    assert (await boss.ops([note("b1")]))["type"] == "ack"  # the facilitator still can
    await facilitate(boss, "lock_board", locked=False)
    await facilitate(boss, "permissions", add=False, move=False)
    assert (await kari.ops([note("k3")]))["code"] == "forbidden"
    assert (await kari.ops([{"op": "update", "id": "k1", "set": {"x": 50}}]))["code"] == "forbidden"
    assert (await kari.ops([{"op": "update", "id": "k1", "set": {"text": "still editable"}}]))[
        "type"
    ] == "ack"
    await facilitate(boss, "permissions", add=True, move=True)
    assert (await kari.ops([{"op": "update", "id": "k1", "set": {"x": 50}}]))["type"] == "ack"


async def test_summon_and_follow(live_server: LiveServer) -> None:
    _, boss, kari, ola = await room(live_server)
    view = {"x": 10, "y": 20, "zoom": 1.5, "w": 960, "h": 600}
    await boss.send({"type": "facilitate", "action": "summon", "view": view})
    summon = await kari.expect("summon")
    assert summon["view"] == view and summon["by"] == boss.me
    assert (await ola.expect("summon"))["name"] == "Fasilitator"
    state = await facilitate(boss, "follow_start")
    assert state["session"]["follow"] == {"client": boss.me, "name": "Fasilitator"}
    assert (await kari.expect("session"))["session"]["follow"]["client"] == boss.me


async def test_agenda_step_runs_its_actions(live_server: LiveServer) -> None:
    _, boss, kari, _ = await room(live_server, template="brainstorming", locale="nb")
    agenda = boss.welcome["agenda"]
    assert agenda and all(step["title"] and step["instructions"] for step in agenda)
    private_step = next(i for i, s in enumerate(agenda) if {"private": True} in s["actions"])
    await boss.send({"type": "facilitate", "action": "agenda_step", "step": private_step})
    final = await boss.expect("session", where=lambda m: m["session"]["step"] == private_step)
    assert final["session"]["private"] is True
    if any("timer" in a for a in agenda[private_step]["actions"]):
        assert final["session"]["timer"]["running"]
    assert await kari.expect("session", where=lambda m: m["session"]["step"] == private_step)


async def test_a_closed_vote_says_the_step_it_closed_in(live_server: LiveServer) -> None:
    """`voting.closed_in`: a page opened later shows the results only during that step."""
    _, boss, _, _ = await room(live_server, template="brainstorming", locale="nb")
    agenda = boss.welcome["agenda"]
    opens = next(i for i, s in enumerate(agenda) if any("voting" in a for a in s["actions"]))
    closes = next(i for i, s in enumerate(agenda) if {"voting": "close"} in s["actions"])
    await facilitate(boss, "voting_open", votes=3)
    by_hand = await facilitate(boss, "voting_close")
    assert by_hand["session"]["voting"]["closed_in"] is None  # outside the agenda
    await boss.send({"type": "facilitate", "action": "agenda_step", "step": opens})
    await boss.expect("session", where=lambda m: m["session"]["step"] == opens)
    await boss.send({"type": "facilitate", "action": "agenda_step", "step": closes})
    final = await boss.expect("session", where=lambda m: m["session"]["step"] == closes)
    assert final["session"]["voting"]["open"] is False
    assert final["session"]["voting"]["closed_in"] == closes


async def test_insert_template_as_a_new_frame(live_server: LiveServer) -> None:
    _, boss, kari, _ = await room(live_server)
    await boss.ops([note("existing", x=0, y=0)])
    await kari.wait_seq(1)
    await boss.send(
        {
            "type": "facilitate",
            "action": "insert_template",
            "template": "power-interest-grid",
            "locale": "en",
        }
    )
    inserted = await kari.expect("ops", where=lambda m: len(m["ops"]) > 3)
    objects = [op["object"] for op in inserted["ops"]]
    assert any(o["kind"] == "frame" for o in objects)
    assert all(o["x"] >= 200 for o in objects)  # beside what was there
    assert any(o["locked"] for o in objects)
    # The facilitator sees it too (it is the server's batch, not an echo of theirs).
    assert await boss.expect("ops", where=lambda m: m["seq"] == inserted["seq"])
    session = await kari.expect("session")
    assert session["agenda"] and session["agenda"][0]["title"]
    summon = await kari.expect("summon")
    assert summon["frame"] in {o["id"] for o in objects}
    with pytest.raises(TimeoutError):
        await kari.expect("error", timeout=0.2)
    # A participant cannot insert.
    await kari.send(
        {"type": "facilitate", "action": "insert_template", "template": "power-interest-grid"}
    )
    assert (await kari.expect("error"))["code"] == "forbidden"


async def test_closed_vote_totals_reach_the_csv_export(live_server: LiveServer) -> None:
    import csv
    import io

    import httpx

    board, boss, kari, _ = await room(live_server)
    await boss.ops([note("a", text="Idé A"), note("b", text="Idé B")])
    await facilitate(boss, "voting_open", votes=2, per_note=2)
    for _ in range(2):
        await kari.send({"type": "vote", "id": "b"})
        await kari.next_of(("votes",))
    headers = {"Authorization": f"Bearer {token_of(board['links']['viewer'])}"}
    async with httpx.AsyncClient(base_url=live_server.url) as http:
        hidden = (await http.get(f"/api/boards/{board['id']}/export.csv", headers=headers)).content
        await facilitate(boss, "voting_close")
        shown = (await http.get(f"/api/boards/{board['id']}/export.csv", headers=headers)).content

    def votes(data: bytes) -> dict[str, str]:
        rows = csv.DictReader(io.StringIO(data.decode("utf-8-sig")))
        return {row["id"]: row["votes"] for row in rows}

    assert votes(hidden)["b"] in ("", "0")  # open votes never leak
    assert votes(shown)["b"] == "2"


async def test_breakout_copies_with_their_own_links(live_server: LiveServer) -> None:
    import httpx

    board, boss, _, _ = await room(live_server)
    await boss.ops(
        [
            {
                "op": "create",
                "object": {"id": "f1", "kind": "frame", "x": 0, "y": 0, "w": 1000, "h": 800},
            },
            note("in", x=100, y=100),
            note("out", x=5000, y=0),
        ]
    )
    auth = {"Authorization": f"Bearer {token_of(board['links']['facilitator'])}"}
    async with httpx.AsyncClient(base_url=live_server.url) as http:
        made = await http.post(
            f"/api/boards/{board['id']}/breakouts", json={"count": 3, "frame": "f1"}, headers=auth
        )
        assert made.status_code == 201
        groups = made.json()["breakouts"]
        assert len(groups) == 3 and len({g["links"]["participant"] for g in groups}) == 3
        listed = (await http.get(f"/api/boards/{board['id']}/breakouts", headers=auth)).json()[
            "breakouts"
        ]
        assert listed == groups
        participant = {"Authorization": f"Bearer {token_of(board['links']['participant'])}"}
        assert (
            await http.post(
                f"/api/boards/{board['id']}/breakouts", json={"count": 1}, headers=participant
            )
        ).status_code == 403
        assert (
            await http.post(f"/api/boards/{board['id']}/breakouts", json={"count": 0}, headers=auth)
        ).status_code == 400
        assert (
            await http.post(
                f"/api/boards/{board['id']}/breakouts",
                json={"count": 1, "frame": "nope"},
                headers=auth,
            )
        ).status_code == 400
    group = groups[0]
    member = await Client.connect(
        live_server.url, group["id"], token_of(group["links"]["participant"])
    )
    assert set(member.objects) == {"f1", "in"}
    assert member.welcome["you"]["role"] == "participant"
    # A breakout link does not open the parent board.
    stranger = await Client.connect(
        live_server.url, board["id"], token_of(group["links"]["facilitator"]), expect_welcome=False
    )
    assert (await stranger.expect("error"))["code"] == "unauthorized"


async def test_rotating_the_facilitator_link_rekeys_the_breakout_copies(
    live_server: LiveServer,
) -> None:
    """Breakout links derive from the facilitator's token: the replaced one opens none."""
    import httpx

    board, _boss, _, _ = await room(live_server)
    auth = {"Authorization": f"Bearer {token_of(board['links']['facilitator'])}"}
    async with httpx.AsyncClient(base_url=live_server.url) as http:
        made = await http.post(
            f"/api/boards/{board['id']}/breakouts", json={"count": 2}, headers=auth
        )
        old_groups = made.json()["breakouts"]
        member = await Client.connect(
            live_server.url, old_groups[0]["id"], token_of(old_groups[0]["links"]["participant"])
        )
        rotated = await http.post(
            f"/api/boards/{board['id']}/links/facilitator/rotate", headers=auth
        )
        assert rotated.status_code == 200
        new_auth = {"Authorization": f"Bearer {token_of(rotated.json()['link'])}"}
        listed = await http.get(f"/api/boards/{board['id']}/breakouts", headers=new_auth)
        new_groups = listed.json()["breakouts"]
        # The old facilitator link can't list them (an invalid link reads as "no such
        # board"), nor derive working links any more (below).
        assert (
            await http.get(f"/api/boards/{board['id']}/breakouts", headers=auth)
        ).status_code == 404
    assert await member.wait_closed() == 4001
    for old, new in zip(old_groups, new_groups, strict=True):
        assert old["id"] == new["id"]
        for role in ("facilitator", "participant", "viewer"):
            assert old["links"][role] != new["links"][role]
            stale = await Client.connect(
                live_server.url, old["id"], token_of(old["links"][role]), expect_welcome=False
            )
            assert (await stale.expect("error"))["code"] == "unauthorized"
            fresh = await Client.connect(live_server.url, new["id"], token_of(new["links"][role]))
            assert fresh.welcome["you"]["role"] == role
            await fresh.close()


async def test_template_listing_and_preview(live_server: LiveServer) -> None:
    import httpx

    async with httpx.AsyncClient(base_url=live_server.url) as http:
        listing = (await http.get("/api/templates?locale=en")).json()["templates"]
        assert len(listing) >= 18
        grid = next(t for t in listing if t["id"] == "power-interest-grid")
        assert grid["name"] and grid["steps"] > 0
        picture = await http.get(grid["preview"])
        assert picture.status_code == 200 and picture.content.startswith(b"\x89PNG")
        assert (await http.get("/api/templates/nope/preview.png")).status_code == 404


async def test_an_agenda_step_arrives_as_one_session_message(live_server: LiveServer) -> None:
    _, boss, kari, _ = await room(live_server, template="brainstorming", locale="en")
    agenda = boss.welcome["agenda"]
    busy = max(range(len(agenda)), key=lambda i: len(agenda[i]["actions"]))
    assert len(agenda[busy]["actions"]) >= 2
    await boss.send({"type": "facilitate", "action": "agenda_step", "step": busy})
    first = await kari.expect("session")
    assert first["session"]["step"] == busy  # already complete: no half-applied step
    with pytest.raises(TimeoutError):
        await kari.expect("session", timeout=0.3)


async def test_presence_view_may_carry_the_viewport_size(live_server: LiveServer) -> None:
    _, boss, kari, _ = await room(live_server)
    view = {"x": 1, "y": 2, "zoom": 0.5, "w": 2880, "h": 1800}
    await boss.send({"type": "presence", "view": view})
    assert (await kari.expect("presence"))["view"] == view
