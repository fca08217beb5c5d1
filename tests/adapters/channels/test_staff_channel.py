"""The staff API answers 503 (not 500) when the database is down."""

from __future__ import annotations

import asyncio

from sqlalchemy.exc import OperationalError

from bot.adapters.channels.staff import UNAVAILABLE, _guarded
from bot.staff.service import Response


def test_database_errors_become_503_with_a_chinese_message() -> None:
    def down() -> Response:
        raise OperationalError("SELECT 1", {}, Exception("connection refused"))

    got = asyncio.run(_guarded(down))
    assert got is UNAVAILABLE and got.status == 503 and "12345" in got.body["error"]["message"]
    assert asyncio.run(_guarded(lambda: Response(200, {"ok": True}))).status == 200
