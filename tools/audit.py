"""Run pip-audit and tell "vulnerable" apart from "not audited".

    python tools/audit.py -r requirements.lock --disable-pip [more pip-audit options]

pip-audit prints "No known vulnerabilities found" and exits 0 even when its vulnerability
service could not be asked about any package. This reads its JSON output instead:

- a known vulnerability: listed, exit 1;
- every package checked and none vulnerable: one OK line, exit 0;
- packages that could not be checked (service unreachable or without data): a loud
  NOT AUDITED line with the reason, exit 0, or exit 1 when SAMSKAP_AUDIT_REQUIRED=1;
- pip-audit failing for another reason: its error output, exit 1.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

# Words in pip-audit's error output when the vulnerability service could not be reached.
UNREACHABLE = ("ConnectionError", "NameResolution", "Max retries", "Timeout", "ServiceError")


def not_audited(reason: str) -> int:
    print(f"audit: WARNING: dependencies NOT AUDITED: {reason}")
    if os.environ.get("SAMSKAP_AUDIT_REQUIRED") == "1":
        print("audit: FAILED: SAMSKAP_AUDIT_REQUIRED=1 and the audit could not be done")
        return 1
    print("audit: passing anyway, unchecked (SAMSKAP_AUDIT_REQUIRED=1 makes this fail)")
    return 0


def main(args: list[str]) -> int:
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "audit.json"
        cmd = [sys.executable, "-m", "pip_audit", *args, "--progress-spinner", "off"]
        cmd += ["-f", "json", "--desc", "off", "-o", str(out)]
        proc = subprocess.run(cmd, capture_output=True, text=True, check=False)  # noqa: S603
        report: dict[str, Any] | None = json.loads(out.read_text()) if out.exists() else None
    if report is None:
        err = proc.stderr.strip()
        last = err.splitlines()[-1] if err else f"exit code {proc.returncode}"
        if any(word in err for word in UNREACHABLE):
            return not_audited(f"the vulnerability service could not be reached or failed: {last}")
        print(err, file=sys.stderr)
        print(f"audit: FAILED: pip-audit exited {proc.returncode}, no report")
        return 1

    deps: list[dict[str, Any]] = report.get("dependencies", [])
    skipped = [d for d in deps if "skip_reason" in d]
    vulnerable = [d for d in deps if d.get("vulns")]
    for dep in vulnerable:
        for vuln in dep["vulns"]:
            fixes = ", ".join(vuln.get("fix_versions") or []) or "none"
            print(f"audit: {dep['name']} {dep['version']}: {vuln['id']} (fixed in: {fixes})")
    if vulnerable:
        count = sum(len(d["vulns"]) for d in vulnerable)
        print(f"audit: FAILED: {count} known vulnerabilities in {len(vulnerable)} packages")
        return 1
    if proc.returncode != 0:
        print(proc.stderr.strip(), file=sys.stderr)
        print(f"audit: FAILED: pip-audit exited {proc.returncode}")
        return 1
    if not deps:
        return not_audited("pip-audit found no packages to check")
    if skipped:
        what = "none" if len(skipped) == len(deps) else f"only {len(deps) - len(skipped)}"
        return not_audited(
            f"the vulnerability service answered for {what} of the {len(deps)} packages "
            f"(unreachable or without data); the first refusal: {skipped[0]['skip_reason']}"
        )
    print(f"audit: OK: {len(deps)} packages checked, 0 known vulnerabilities")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
