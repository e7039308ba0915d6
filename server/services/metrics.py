"""Counters for /metrics: plain numbers kept by the services, read by the HTTP layer."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

COMMIT_BUCKETS = (0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5)


@dataclass(slots=True)
class Metrics:
    """Counters for /metrics; plain numbers, read by the HTTP layer."""

    batches: int = 0
    joins: int = 0
    commits: int = 0
    gap_reads: int = 0  # seq gaps read from the database (pub/sub did not fill them)
    commit_seconds: float = 0.0
    commit_buckets: list[int] = field(default_factory=lambda: [0] * len(COMMIT_BUCKETS))
    errors: Counter[str] = field(default_factory=Counter)

    def error(self, code: str) -> None:
        self.errors[code] += 1

    def observe_commit(self, seconds: float) -> None:
        self.commits += 1
        self.commit_seconds += seconds
        for i, bound in enumerate(COMMIT_BUCKETS):
            if seconds <= bound:
                self.commit_buckets[i] += 1
                break
