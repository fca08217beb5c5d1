"""The atomic lock store against a real Redis: racing instances never share a ticket."""

from __future__ import annotations

import threading
from pathlib import Path

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


def _file_tickets(directory: str, n: int, out: object) -> None:
    from bot.adapters.stores.lock_store import FileLockStore

    store = FileLockStore(lock_dir=directory)
    out.put([store.issue_ticket("conv-1") for _ in range(n)])  # type: ignore[attr-defined]


def test_file_lock_store_tickets_are_unique_across_processes(tmp_path: object) -> None:
    """The Sanic workers of one machine are processes, not threads: four race for one conversation's tickets."""
    import asyncio
    import multiprocessing

    from bot.adapters.stores.lock_store import FileLockStore

    out: multiprocessing.Queue = multiprocessing.Queue()  # type: ignore[type-arg]
    procs = [multiprocessing.Process(target=_file_tickets, args=(str(tmp_path), 25, out)) for _ in range(4)]
    for p in procs:
        p.start()
    tickets = sorted(t for _ in procs for t in out.get(timeout=30))
    for p in procs:
        p.join(10)
    assert tickets == list(range(100))

    store = FileLockStore(endpoint_config=EndpointConfig(type="x", lock_dir=str(tmp_path)))
    for t in tickets:
        store.cleanup("conv-1", t)
    assert store.get_lock("conv-1") is None
    assert not list(Path(str(tmp_path)).glob("*.json"))  # finished conversations leave no lock file

    async def two_turns() -> list[str]:
        order: list[str] = []

        async def turn(name: str) -> None:
            async with store.lock("conv-2", wait_time_in_seconds=0.01):
                order.append(name + " in")
                await asyncio.sleep(0.05)
                order.append(name + " out")

        await asyncio.gather(turn("a"), turn("b"))
        return order

    assert asyncio.run(two_turns()) == ["a in", "a out", "b in", "b out"]  # one turn at a time
