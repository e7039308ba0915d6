"""R1 and R2: seeded convergence fuzzing over the real protocol (see fuzz_engine.py).

R1: 2-5 clients on one process; the test decides the order of every send, commit and
delivery, and drops clients at random (they come back with `since` and resend their
unacknowledged batches). R2: two processes on one in-memory bus that drops, duplicates
and holds back (reorders) messages; rooms must fill the gaps from the database (S10).
After every run all clients, the server's store and a fresh load are identical,
`seq` has no gaps, and every acknowledged batch is in the database exactly once.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.reliability.fuzz_engine import Fuzz, run_seed
from tests.reliability.fuzz_js import run_js_seed
from tests.support.jsengine import node_available

OPS = 100
BUS_FAULTS = {"drop": 0.15, "dup": 0.15, "hold": 0.2}


@pytest.mark.parametrize("seed", range(50))
async def test_r1_s2_s7_s11_clients_converge(seed: int, tmp_path: Path) -> None:
    await run_seed(seed, tmp_path, OPS, log_file=tmp_path / "ops.log")


@pytest.mark.parametrize("seed", range(10))
async def test_r2_s10_faulty_bus_between_two_processes(seed: int, tmp_path: Path) -> None:
    await run_seed(
        10_000 + seed, tmp_path, OPS, processes=2, faults=BUS_FAULTS, log_file=tmp_path / "ops.log"
    )


# --- pinned seeds that once failed (2 clients, heavy churn: 15 % disconnects) -------------


async def _churn(seed: int, tmp_path: Path) -> None:
    fuzz = Fuzz(seed, tmp_path, clients=2, disconnect=0.15)
    try:
        await fuzz.setup()
        await fuzz.run(60)
        await fuzz.verify()
    except AssertionError as exc:
        tail = "\n".join(fuzz.log[-40:])
        raise AssertionError(f"churn seed {seed}: {exc}\nlast steps:\n{tail}") from exc
    finally:
        await fuzz.close()


async def test_r1_pinned_churn_seed_35(tmp_path: Path) -> None:
    await _churn(35, tmp_path)


async def test_r1_pinned_churn_seed_40(tmp_path: Path) -> None:
    await _churn(40, tmp_path)


async def test_r1_pinned_churn_seed_0_passes(tmp_path: Path) -> None:
    await _churn(0, tmp_path)


async def test_r1_s10_batch_committed_after_its_room_closed_reaches_the_new_room(
    tmp_path: Path,
) -> None:
    """The mechanism behind seeds 35 and 40, step by step."""
    fuzz = Fuzz(1, tmp_path, clients=2)
    try:
        await fuzz.setup()
        a, b = fuzz.clients
        note = {"id": "n1", "kind": "note", "x": 0, "y": 0}
        await fuzz.send_batch(a, [{"op": "create", "object": note}])  # waits at the gate
        assert len(fuzz.gate.commits) == 1
        await fuzz.leave(a)
        await fuzz.leave(b)  # the last one out: the room is closed
        await fuzz.connect(b)  # a new room for the board in the same process
        fuzz.gate.release(0)  # the old room's committer now commits seq 1
        await fuzz.settle()
        await fuzz.connect(a)  # resends its batch: acknowledged with seq 1 (S11)
        await fuzz.drain_quiet()
        fuzz.deliver(a, 100)
        fuzz.deliver(b, 100)
        assert a.seq == 1
        assert b.seq == 1, "the other client never received seq 1"
    finally:
        await fuzz.close()


# --- the same, with the pages people use: web/js's engine under Node ---------------------

needs_node = pytest.mark.skipif(not node_available(), reason="node is not installed")


@needs_node
@pytest.mark.parametrize("seed", range(50))
async def test_r1_s17_pages_converge(seed: int, tmp_path: Path) -> None:
    """R1 with the shipped engine: refusals, resends, duplicates, reloads, offline edits."""
    await run_js_seed(seed, tmp_path, OPS, log_file=tmp_path / "ops.log")


@needs_node
@pytest.mark.parametrize("seed", range(10))
async def test_r2_s10_s17_pages_over_a_faulty_bus(seed: int, tmp_path: Path) -> None:
    await run_js_seed(
        10_000 + seed, tmp_path, OPS, processes=2, faults=BUS_FAULTS, log_file=tmp_path / "ops.log"
    )


@needs_node
async def test_r1_pinned_page_seed_8_resends_from_the_earliest_refusal(tmp_path: Path) -> None:
    """Seed 8 once livelocked: a batch was rate-limited while an earlier one's commit was
    still out; that commit then failed, and the server waited for the later batch while
    the page (rightly) resent from the earlier one. The socket now waits for the batch
    it received first (Session.hold_retries)."""
    fuzz = await run_js_seed(8, tmp_path, OPS)
    assert fuzz.refusals.get("unavailable") and fuzz.refusals.get("rate_limited")


@needs_node
async def test_r1_pages_meet_both_refusals(tmp_path: Path) -> None:
    """The fuzzer really exercises "try again": over a few seeds both kinds occur."""
    seen: dict[str, int] = {}
    for seed in range(3):
        fuzz = await run_js_seed(seed, tmp_path, OPS)
        for code, n in fuzz.refusals.items():
            seen[code] = seen.get(code, 0) + n
    assert seen.get("rate_limited", 0) > 0 and seen.get("unavailable", 0) > 0, seen
