"""Creates staff accounts: ``python -m bot.staff.accounts add USERNAME --role section --department mr``.

The password comes from ``SHOUZI_NEW_PASSWORD`` or is asked for (never a command-line argument, so
it stays out of shell history and process lists).
"""

from __future__ import annotations

import argparse
import getpass
import os
import sys

from bot.catalog import get_catalog
from bot.records.db import make_engine
from bot.staff.auth import ROLES, StaffDirectory


def main(argv: list[str]) -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    sub = ap.add_subparsers(dest="verb", required=True)
    add = sub.add_parser("add", help="add a staff account")
    add.add_argument("username")
    add.add_argument("--role", required=True, choices=sorted(ROLES))
    add.add_argument("--department", help="department code (departments.csv), for section and leadership")
    add.add_argument("--name", default="", help="display name")
    add.add_argument("--unit", help="first_unit staff: the first-consultation unit whose records they see")
    args = ap.parse_args(argv)
    if args.department and args.department not in get_catalog().departments:
        print(f"未知的部门代码 / unknown department code: {args.department}", file=sys.stderr)
        return 1
    password = os.environ.get("SHOUZI_NEW_PASSWORD") or getpass.getpass("密码 / password: ")
    try:
        user = StaffDirectory(make_engine()).add_user(
            args.username, password, args.role, args.department, args.name, args.unit
        )
    except ValueError as exc:
        print(f"未创建 / not created: {exc}", file=sys.stderr)
        return 1
    print(f"已创建 / created: {user.username} ({user.role}, tier {user.tier}, {user.department or '-'})")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
