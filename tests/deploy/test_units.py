"""The systemd units in deploy/systemd/ pass `systemd-analyze verify` (where it exists)."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
UNITS = ROOT / "deploy" / "systemd"


def test_units_verify(tmp_path: Path) -> None:
    analyze = shutil.which("systemd-analyze")
    if analyze is None:
        pytest.skip("systemd-analyze not found")
    # The program is installed by the operator (docs/operations.md); here a stand-in.
    names = {"samskap@.service": "samskap@8001.service"}
    for unit in ("samskap@.service", "samskap-backup.service", "samskap-backup.timer"):
        text = (UNITS / unit).read_text().replace("/opt/samskap/.venv/bin/samskap", "/bin/true")
        (tmp_path / names.get(unit, unit)).write_text(text)
    result = subprocess.run(
        [analyze, "verify", *sorted(str(p) for p in tmp_path.iterdir())],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=tmp_path,
    )
    problems = [
        line
        for line in (result.stdout + result.stderr).splitlines()
        # Outside a booted systemd (containers, CI) these are about the host, not the unit.
        if line.strip() and "Failed to connect to bus" not in line
    ]
    assert result.returncode == 0 and not problems, problems
    service = (UNITS / "samskap@.service").read_text()
    assert "KillSignal=SIGTERM" in service and "TimeoutStopSec=15" in service
    # The app ends its children itself, after its last commit (server/storage/writer_process.py).
    assert "KillMode=mixed" in service
