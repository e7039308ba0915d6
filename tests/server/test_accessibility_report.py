"""docs/accessibility.md stays a complete WCAG 2.1 A/AA report: all 50 criteria once,
with a value for each part, and every test it names exists."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
REPORT = (ROOT / "docs" / "accessibility.md").read_text(encoding="utf-8")
A = """1.1.1 1.2.1 1.2.2 1.2.3 1.3.1 1.3.2 1.3.3 1.4.1 1.4.2 2.1.1 2.1.2 2.1.4 2.2.1 2.2.2 2.3.1
2.4.1 2.4.2 2.4.3 2.4.4 2.5.1 2.5.2 2.5.3 2.5.4 3.1.1 3.2.1 3.2.2 3.3.1 3.3.2 4.1.1 4.1.2"""
AA = """1.2.4 1.2.5 1.3.4 1.3.5 1.4.3 1.4.4 1.4.5 1.4.10 1.4.11 1.4.12 1.4.13 2.4.5 2.4.6 2.4.7
3.1.2 3.2.3 3.2.4 3.3.3 3.3.4 4.1.3"""
ROW = re.compile(r"^\| (\d\.\d+\.\d+) [^|]+\| (A|AA) \| (\w+) \| (\w+) \| (\w+) \| (\w+) \|", re.M)


def test_every_a_and_aa_criterion_once_with_a_value_per_part() -> None:
    rows = ROW.findall(REPORT)
    levels = {sc: level for sc, level, *_ in rows}
    assert len(rows) == len(levels) == 50
    assert levels == {**dict.fromkeys(A.split(), "A"), **dict.fromkeys(AA.split(), "AA")}
    for sc, _, *values in rows:
        assert set(values) <= {"S", "P", "D", "NA"}, sc


def test_the_tests_it_names_exist() -> None:
    tests = {p.name for p in (ROOT / "tests").rglob("test_*.py")}
    named = set(re.findall(r"(test_\w+\.py)", REPORT))
    assert named and named <= tests, named - tests
    source = "\n".join(p.read_text(encoding="utf-8") for p in (ROOT / "tests").rglob("test_*.py"))
    for name in set(re.findall(r"::(test_\w+)", REPORT)):
        assert f"def {name}" in source, name
    for name in set(re.findall(r"`(test_\w+)`", REPORT)):  # whole names in backticks
        assert f"def {name}(" in source, name
    for prefix in set(re.findall(r"`(test_\w+_)\.\.\.`", REPORT)):  # shortened ones
        assert f"def {prefix}" in source, prefix
