"""S11: `make audit` fails on a known vulnerability and never calls "unchecked" clean.

tools/audit.py runs the real pip-audit on a small lock of made-up package names (no
index knows them, so pip-audit can never check them, here or anywhere), then asks a
stand-in for PyPI's project endpoint (/pypi/NAME/json, which describes the newest
release) served on 127.0.0.1. What the stand-in answers decides the outcome.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
LOCK = "samskap-probe-alpha==1.0.0\nsamskap-probe-beta==2.0.0\n"


def project(newest: str, vulns: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    return {"info": {"version": newest, "requires_python": ">=3.12"}, "vulnerabilities": vulns}


def vuln(ident: str, fixed: str, withdrawn: str | None = None) -> dict[str, Any]:
    return {"id": ident, "fixed_in": [fixed], "withdrawn": withdrawn, "source": "osv"}


class StandInPyPI:
    """Serves /pypi/NAME/json from `projects`; an int there is the HTTP status to answer."""

    def __init__(self) -> None:
        self.projects: dict[str, dict[str, Any] | int] = {}
        pypi = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                name = self.path.removeprefix("/pypi/").removesuffix("/json")
                answer = pypi.projects.get(name, 404)
                body = b"" if isinstance(answer, int) else json.dumps(answer).encode()
                self.send_response(answer if isinstance(answer, int) else 200)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/pypi"


@pytest.fixture
def pypi() -> Iterator[StandInPyPI]:
    stand_in = StandInPyPI()
    thread = threading.Thread(target=stand_in.server.serve_forever, daemon=True)
    thread.start()
    yield stand_in
    stand_in.server.shutdown()
    stand_in.server.server_close()


def audit(
    tmp_path: Path, pypi: StandInPyPI, required: bool = False
) -> subprocess.CompletedProcess[str]:
    lock = tmp_path / "requirements.lock"
    lock.write_text(LOCK)
    env = {**os.environ, "SAMSKAP_AUDIT_PYPI_URL": pypi.url}
    env.pop("SAMSKAP_AUDIT_REQUIRED", None)
    if required:
        env["SAMSKAP_AUDIT_REQUIRED"] = "1"
    cmd = [sys.executable, "tools/audit.py", "-r", str(lock), "--disable-pip", "--no-deps"]
    return subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)


def test_a_known_vulnerability_fails_the_audit_and_is_named(tmp_path, pypi) -> None:
    pypi.projects["samskap-probe-alpha"] = project("1.0.0")
    pypi.projects["samskap-probe-beta"] = project(
        "2.0.0", [vuln("GHSA-0000-test-0001", "2.0.1"), vuln("PYSEC-0-0", "2.0.2", "2026-01-01")]
    )
    done = audit(tmp_path, pypi)
    assert done.returncode == 1, done.stdout + done.stderr
    assert "samskap-probe-beta 2.0.0: GHSA-0000-test-0001 (fixed in: 2.0.1)" in done.stdout
    assert "PYSEC-0-0" not in done.stdout, "a withdrawn advisory is not a vulnerability"
    assert "FAILED: 1 known vulnerabilities in 1 packages" in done.stdout


def test_every_package_checked_and_clean_passes(tmp_path, pypi) -> None:
    pypi.projects["samskap-probe-alpha"] = project("1.0.0", [])
    pypi.projects["samskap-probe-beta"] = project("2.0.0")
    done = audit(tmp_path, pypi, required=True)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "audit: OK: 2 packages checked, 0 known vulnerabilities" in done.stdout
    assert "NOT AUDITED" not in done.stdout


def test_an_older_pin_is_not_audited_and_strict_mode_fails(tmp_path, pypi) -> None:
    pypi.projects["samskap-probe-alpha"] = project("1.0.0")
    pypi.projects["samskap-probe-beta"] = project("3.0.0")  # PyPI speaks of 3.0.0 only
    done = audit(tmp_path, pypi)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "1 of 2 packages checked, 0 known vulnerabilities" in done.stdout
    assert "NOT AUDITED: 1 of 2 packages: samskap-probe-beta 2.0.0: locked 2.0.0" in done.stdout
    assert "audit: OK" not in done.stdout
    strict = audit(tmp_path, pypi, required=True)
    assert strict.returncode == 1
    assert "FAILED: SAMSKAP_AUDIT_REQUIRED=1" in strict.stdout


def test_a_failing_or_unknown_service_answer_is_not_audited(tmp_path, pypi) -> None:
    pypi.projects["samskap-probe-alpha"] = 500
    # samskap-probe-beta: 404
    done = audit(tmp_path, pypi, required=True)
    assert done.returncode == 1, done.stdout + done.stderr
    assert "samskap-probe-alpha 1.0.0: " in done.stdout and "answered HTTP 500" in done.stdout
    assert "samskap-probe-beta 2.0.0: " in done.stdout and "answered HTTP 404" in done.stdout
    assert "0 of 2 packages checked" in done.stdout
    assert "audit: OK" not in done.stdout
