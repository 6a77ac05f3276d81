"""Per-client rate limiting: a token bucket per client, in this process (the API runs one worker).

A client is its API key's name, its token's subject, or its address when anonymous.
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable

# Forget clients whose bucket has refilled, once this many are tracked.
_MAX_TRACKED = 10_000


class RateLimiter:
    def __init__(
        self,
        per_second: float,
        burst: int,
        clock: Callable[[], float] = time.monotonic,
    ):
        self.per_second = per_second
        self.burst = max(burst, 1)
        self._clock = clock
        self._lock = threading.Lock()
        self._buckets: dict[str, tuple[float, float]] = {}  # client -> (tokens, at)

    @property
    def enabled(self) -> bool:
        return self.per_second > 0

    def acquire(self, client: str) -> float | None:
        """Take one request's token: None if allowed, else seconds until one is free."""
        if not self.enabled:
            return None
        now = self._clock()
        with self._lock:
            tokens, at = self._buckets.get(client, (float(self.burst), now))
            tokens = min(float(self.burst), tokens + (now - at) * self.per_second)
            if tokens >= 1:
                self._buckets[client] = (tokens - 1, now)
                if len(self._buckets) > _MAX_TRACKED:
                    self._forget_full(now)
                return None
            self._buckets[client] = (tokens, now)
            return (1 - tokens) / self.per_second

    def _forget_full(self, now: float) -> None:
        for client, (tokens, at) in list(self._buckets.items()):
            if tokens + (now - at) * self.per_second >= self.burst:
                del self._buckets[client]


def retry_after_header(seconds: float) -> str:
    return str(max(1, math.ceil(seconds)))
