"""Small per-process caches for lookups that change rarely (the time zone of an agency's
SOP...), each entry kept for a bounded time.

Every worker process has its own copy, so a change made through another process shows
here after at most ``ttl`` seconds; a change made in this process clears every cache at
once (:func:`forget_all`, called by the signals of the models they read).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

V = TypeVar("V")

_ALL: list[TtlCache[object]] = []


class TtlCache(Generic[V]):
    def __init__(self, ttl: float, *, size: int = 1024) -> None:
        self.ttl = ttl
        self.size = size
        self._data: dict[Hashable, tuple[float, V]] = {}
        self._lock = threading.Lock()
        _ALL.append(self)  # type: ignore[arg-type]

    def get(self, key: Hashable, load: Callable[[], V]) -> V:
        now = time.monotonic()
        hit = self._data.get(key)
        if hit is not None and now - hit[0] < self.ttl:
            return hit[1]
        value = load()
        with self._lock:
            if len(self._data) >= self.size:
                self._data.clear()
            self._data[key] = (now, value)
        return value

    def clear(self) -> None:
        with self._lock:
            self._data.clear()


def forget_all() -> None:
    for cache in _ALL:
        cache.clear()
