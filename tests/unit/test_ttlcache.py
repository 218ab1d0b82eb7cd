"""The TTL cache reloads an entry only after it expires."""

from __future__ import annotations

from creditapp.services.ttlcache import TTLCache


def test_entries_expire_after_ttl() -> None:
    now = [0.0]
    cache: TTLCache[int] = TTLCache(2.0, clock=lambda: now[0])
    loads = []

    def load() -> int:
        loads.append(now[0])
        return len(loads)

    assert cache.get("k", load) == 1
    now[0] = 1.9
    assert cache.get("k", load) == 1
    now[0] = 2.1
    assert cache.get("k", load) == 2
    assert cache.get("other", load) == 3
    cache.clear()
    assert cache.get("k", load) == 4
