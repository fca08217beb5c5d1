"""How many numbered records a conversation, and a client address, may open in a day (bot.throttle).

Record numbers are 9,999 a prefix a day; without a quota one script opening records under fresh sender ids
would stop every real applicant's record for the rest of the day. The door hashes the client address into
the message's metadata; the action server sets it for the turn with :func:`acting_for`, and
:meth:`bot.records.store.RecordStore.open_record` calls :func:`admit` before it takes a number.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from bot.throttle import Quota, get_throttle

_client: ContextVar[str | None] = ContextVar("shouzi_record_client", default=None)


class RecordLimit(ValueError):
    """No record may be opened now: ``why`` is ``conversation``, ``client`` or ``numbers`` (the day's
    numbers are used up); ``retry_after`` in seconds when it is a rate."""

    def __init__(self, why: str, retry_after: int = 0) -> None:
        super().__init__(f"record limit reached ({why})")
        self.why, self.retry_after = why, retry_after


@contextmanager
def acting_for(client: str | None) -> Iterator[None]:
    """Records opened inside count against ``client`` (a hashed address) as well as the conversation."""
    token = _client.set(client or None)
    try:
        yield
    finally:
        _client.reset(token)


def admit(conversation_id: str) -> None:
    """Counts one record for the conversation and the current client, or raises :class:`RecordLimit`."""
    throttle = get_throttle()
    verdict = throttle.hit(Quota.RECORDS_CONVERSATION, conversation_id)
    if not verdict.allowed:
        raise RecordLimit("conversation", verdict.retry_after)
    client = _client.get()
    if client:
        verdict = throttle.hit(Quota.RECORDS_CLIENT, client)
        if not verdict.allowed:
            raise RecordLimit("client", verdict.retry_after)
