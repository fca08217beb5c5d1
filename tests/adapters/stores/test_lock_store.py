"""The atomic lock store against a real Redis: racing instances never share a ticket."""

from __future__ import annotations

import threading

from rasa.utils.endpoints import EndpointConfig

from bot.adapters.stores.lock_store import AtomicRedisLockStore


def test_tickets_are_unique_under_races_and_locks_are_cleaned_up(redis_address: tuple[str, int]) -> None:
    host, port = redis_address
    config = EndpointConfig(url=host, type="bot.adapters.stores.lock_store.AtomicRedisLockStore", port=port, db=1)
    stores = [AtomicRedisLockStore(endpoint_config=config) for _ in range(4)]  # four "instances"
    tickets: list[int] = []
    guard = threading.Lock()

    def take(store: AtomicRedisLockStore) -> None:
        for _ in range(25):
            t = store.issue_ticket("conv-1")
            with guard:
                tickets.append(t)

    threads = [threading.Thread(target=take, args=(s,)) for s in stores]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(tickets) == list(range(100))
    for t in tickets:
        stores[t % 4].cleanup("conv-1", t)
    assert stores[0].get_lock("conv-1") is None
