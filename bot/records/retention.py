"""Removes personal content past its retention period (``SHOUZI_RETENTION_DAYS``, default 730).

Run from cron or by hand: ``python -m bot.records.retention``. Record numbers, states and the audit
trail stay; consultations, ratings and the texts of closed records go.
"""

from __future__ import annotations

import sys

from bot.config import settings
from bot.records.clock import clock_from_env
from bot.records.db import make_engine
from bot.records.store import RecordStore


def main() -> int:
    days = settings().retention_days
    removed = RecordStore(make_engine(), clock_from_env()).purge(days)
    print(f"保留期 {days} 天，已清理 / retention {days} days, removed: {removed}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
