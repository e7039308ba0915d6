"""Token buckets: pure rate arithmetic; the caller passes the clock in."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(slots=True)
class TokenBucket:
    """`rate` tokens per second, holding at most `burst`; starts full."""

    rate: float
    burst: float
    tokens: float = -1.0
    stamp: float = 0.0

    def allow(self, now: float, cost: float = 1.0) -> bool:
        if self.tokens < 0:
            self.tokens, self.stamp = self.burst, now
        self.tokens = min(self.burst, self.tokens + (now - self.stamp) * self.rate)
        self.stamp = now
        if self.tokens >= cost:
            self.tokens -= cost
            return True
        return False


class Windowed:
    """At most `limit` events per `window` seconds per key (joins, uploads per address)."""

    def __init__(self, limit: int, window: float) -> None:
        self.limit, self.window = limit, window
        self._buckets: dict[str, TokenBucket] = {}

    def allow(self, key: str, now: float, cost: float = 1.0) -> bool:
        bucket = self._buckets.get(key)
        if bucket is None:
            if len(self._buckets) > 50_000:  # forget full (idle) buckets rather than grow
                self._buckets = {
                    k: b for k, b in self._buckets.items() if now - b.stamp < self.window
                }
                if len(self._buckets) > 50_000:  # still too many: the oldest half goes
                    kept = sorted(self._buckets.items(), key=lambda kb: kb[1].stamp)[25_000:]
                    self._buckets = dict(kept)
            bucket = self._buckets[key] = TokenBucket(self.limit / self.window, self.limit)
        return bucket.allow(now, cost)
