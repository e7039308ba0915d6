"""Run pip-audit and tell "vulnerable" apart from "not audited".

    python tools/audit.py -r requirements.lock --disable-pip [more pip-audit options]

pip-audit prints "No known vulnerabilities found" and exits 0 even when its vulnerability
service could not be asked about any package. This reads its JSON output instead, and
asks PyPI's project endpoint about every package pip-audit could not check:

- a known vulnerability: listed, exit 1;
- every package checked and none vulnerable: one OK line, exit 0;
- packages that could not be checked (service unreachable or without data): a loud
  NOT AUDITED line naming them and why, exit 0, or exit 1 when SAMSKAP_AUDIT_REQUIRED=1;
- pip-audit failing for another reason: its error output, exit 1.

Why the second source: pip-audit asks PyPI per release (/pypi/NAME/VERSION/json). Some
package mirrors serve only the project endpoint (/pypi/NAME/json), which describes the
newest release, its list of known vulnerabilities included. Where the lock pins that
newest release, the list is exactly the one pip-audit would have read; where it pins an
older one, nothing here can say, and the package is reported as not audited.
SAMSKAP_AUDIT_PYPI_URL changes where that endpoint is asked (default https://pypi.org/pypi).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from packaging.utils import canonicalize_name

# Words in pip-audit's error output when the vulnerability service could not be reached.
UNREACHABLE = ("ConnectionError", "NameResolution", "Max retries", "Timeout", "ServiceError")
PYPI_URL = os.environ.get("SAMSKAP_AUDIT_PYPI_URL", "https://pypi.org/pypi").rstrip("/")
PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==([^\s;\\]+)", re.MULTILINE)


@dataclass
class Package:
    """One locked package and what is known of it."""

    name: str
    version: str
    vulns: list[tuple[str, list[str]]] = field(default_factory=list)  # (id, fixed in)
    checked_by: str | None = None  # "pip-audit" or "pypi-newest"; None: not audited
    why_not: str = ""


def not_audited(reason: str) -> int:
    print(f"audit: WARNING: dependencies NOT AUDITED: {reason}")
    if os.environ.get("SAMSKAP_AUDIT_REQUIRED") == "1":
        print("audit: FAILED: SAMSKAP_AUDIT_REQUIRED=1 and the audit could not be done")
        return 1
    print("audit: passing anyway, unchecked (SAMSKAP_AUDIT_REQUIRED=1 makes this fail)")
    return 0


def run_pip_audit(
    args: list[str],
) -> tuple[dict[str, Any] | None, subprocess.CompletedProcess[str]]:
    """pip-audit's JSON report (None when it wrote none) and the finished process."""
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "audit.json"
        cmd = [sys.executable, "-m", "pip_audit", *args, "--progress-spinner", "off"]
        cmd += ["-f", "json", "--desc", "off", "-o", str(out)]
        proc = subprocess.run(cmd, capture_output=True, text=True, check=False)  # noqa: S603
        report = json.loads(out.read_text()) if out.exists() else None
    return report, proc


def ask_pypi_newest(pkg: Package) -> None:
    """Fill in `pkg` from PyPI's project endpoint, if the lock pins the newest release."""
    url = f"{PYPI_URL}/{pkg.name}/json"
    try:
        with urllib.request.urlopen(url, timeout=30) as resp:  # noqa: S310 (https or a test URL)
            data = json.load(resp)
    except urllib.error.HTTPError as exc:
        pkg.why_not = f"{url} answered HTTP {exc.code}"
        return
    except (urllib.error.URLError, TimeoutError, OSError, ValueError) as exc:
        pkg.why_not = f"{url} could not be read ({exc})"
        return
    newest = str(data.get("info", {}).get("version", ""))
    if newest != pkg.version:
        needs = data.get("info", {}).get("requires_python")
        pkg.why_not = f"locked {pkg.version}, PyPI describes only the newest, {newest}" + (
            f" (which needs Python {needs})" if needs else ""
        )
        return
    pkg.checked_by = "pypi-newest"
    pkg.vulns = [
        (str(v.get("id")), [str(f) for f in v.get("fixed_in") or []])
        for v in data.get("vulnerabilities") or []
        if not v.get("withdrawn")
    ]


def from_report(report: dict[str, Any], pins: dict[str, str]) -> list[Package]:
    """The report's packages; a skipped one has no version there, so the lock's is used."""
    packages = []
    for dep in report.get("dependencies", []):
        version = dep.get("version") or pins.get(canonicalize_name(dep["name"]), "")
        pkg = Package(dep["name"], version, why_not=dep.get("skip_reason", ""))
        if "skip_reason" not in dep:
            pkg.checked_by = "pip-audit"
            pkg.vulns = [(v["id"], list(v.get("fix_versions") or [])) for v in dep["vulns"]]
        packages.append(pkg)
    return packages


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(add_help=False)
    parser.add_argument("-r", "--requirement", action="append", default=[])
    own, _ = parser.parse_known_args(argv)
    pins: dict[str, str] = {
        canonicalize_name(name): version
        for req in own.requirement
        for name, version in PIN.findall(Path(req).read_text())
    }
    report, proc = run_pip_audit(argv)
    if report is not None:
        packages = from_report(report, pins)
    else:
        err = proc.stderr.strip()
        if not any(word in err for word in UNREACHABLE):
            print(err, file=sys.stderr)
            print(f"audit: FAILED: pip-audit exited {proc.returncode}, no report")
            return 1
        last = err.splitlines()[-1] if err else f"exit code {proc.returncode}"
        print(f"audit: pip-audit could not reach its vulnerability service: {last}")
        packages = [Package(name, version) for name, version in pins.items()]
    if not packages:
        return not_audited("no packages to check")

    unchecked = [p for p in packages if p.checked_by is None]
    with ThreadPoolExecutor(max_workers=8) as pool:
        list(pool.map(ask_pypi_newest, unchecked))

    vulnerable = [p for p in packages if p.vulns]
    for pkg in vulnerable:
        for vuln_id, fixes in pkg.vulns:
            fixed = ", ".join(fixes) or "none"
            print(f"audit: {pkg.name} {pkg.version}: {vuln_id} (fixed in: {fixed})")
    if vulnerable:
        count = sum(len(p.vulns) for p in vulnerable)
        print(f"audit: FAILED: {count} known vulnerabilities in {len(vulnerable)} packages")
        return 1
    if report is not None and proc.returncode != 0:
        print(proc.stderr.strip(), file=sys.stderr)
        print(f"audit: FAILED: pip-audit exited {proc.returncode}")
        return 1

    checked = [p for p in packages if p.checked_by]
    by_pip_audit = sum(p.checked_by == "pip-audit" for p in checked)
    print(
        f"audit: {len(checked)} of {len(packages)} packages checked, 0 known vulnerabilities "
        f"({by_pip_audit} by pip-audit's service, {len(checked) - by_pip_audit} from PyPI's "
        "data on the newest release, which the lock pins)"
    )
    still = [p for p in packages if p.checked_by is None]
    if still:
        listed = "; ".join(f"{p.name} {p.version}: {p.why_not}" for p in still[:10])
        more = f"; and {len(still) - 10} more" if len(still) > 10 else ""
        return not_audited(f"{len(still)} of {len(packages)} packages: {listed}{more}")
    print(f"audit: OK: {len(packages)} packages checked, 0 known vulnerabilities")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
