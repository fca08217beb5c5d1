"""Runs the deadline rules (R12) on a timer, and retention once a day:
``python -m bot.records.scheduler [--once] [--every S]``.

Started beside the servers by scripts/run.sh. Several instances may run against one database: both
jobs are idempotent and every escalation is conditional on the version read.
"""

from __future__ import annotations

import argparse
import logging
import sys
import time

from bot.config import settings
from bot.policy import get_policy
from bot.records.clock import clock_from_env, local_date
from bot.records.db import make_engine
from bot.records.escalations import EscalationDesk
from bot.records.masking import install_log_masking
from bot.records.store import RecordStore

logger = logging.getLogger("shouzi.scheduler")


def main(argv: list[str]) -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--once", action="store_true", help="one pass, then exit")
    ap.add_argument("--every", type=float, default=60.0, help="seconds between passes")
    args = ap.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    install_log_masking()
    store = RecordStore(make_engine(), clock_from_env())
    desk = EscalationDesk(store, get_policy())
    purged_on = None
    while True:
        try:
            today = local_date(store.clock.now())
            if purged_on != today:
                removed = store.purge(settings().retention_days)
                logger.info("retention %s days: %s", settings().retention_days, removed)
                purged_on = today
            moved = desk.run_deadlines()
            for r in moved:
                logger.info("R12 %s → 第%s层级", r.number, r.tier)
            if args.once:
                print(f"自动提级 / escalated: {len(moved)}")
                return 0
        except Exception:  # keep the timer alive through a database hiccup; the next pass retries
            logger.exception("deadline pass failed")
            if args.once:
                return 1
        time.sleep(args.every)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
