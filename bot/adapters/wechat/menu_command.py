"""``python -m bot.adapters.wechat.menu_command check|publish``: checks bot/wechat/menu.yaml and prints
the menu WeChat will receive; ``publish`` creates it on the Official Account through the shared token."""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from pathlib import Path
from typing import Any

from bot import yaml_files
from bot.adapters.wechat.api import WeChatApi
from bot.adapters.wechat.tokens import TokenCache, with_token
from bot.records.db import make_engine
from bot.wechat import wire
from bot.wechat.config import wechat_settings
from bot.wechat.menu import MENU_FILE, Menu, MenuError, parse_menu


async def publish(menu: Menu) -> dict[str, Any]:
    """Creates the menu on the Official Account (replacing the old one) through the shared token."""
    cfg = wechat_settings()
    if not cfg.can_call_api:
        raise SystemExit("请先设置 SHOUZI_WECHAT_APPID 和 SHOUZI_WECHAT_SECRET / set the app id and secret")
    api = WeChatApi(cfg.api_base, cfg.app_id, cfg.secret)
    engine = make_engine()
    try:
        cache = TokenCache(engine, cfg.app_id, api.stable_token)
        return await with_token(cache, lambda token: api.send(wire.MENU_CREATE_PATH, menu.wire_format(), token))
    finally:
        await api.close()
        engine.dispose()


def main(argv: list[str]) -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("command", choices=("check", "publish"))
    ap.add_argument("--file", type=Path, default=MENU_FILE)
    args = ap.parse_args(argv)
    try:
        menu = parse_menu(yaml_files.safe_load(args.file.read_text(encoding="utf-8")))
    except MenuError as exc:
        print("菜单有误 / menu errors:\n  " + "\n  ".join(exc.problems), file=sys.stderr)
        return 1
    print(json.dumps(menu.wire_format(), ensure_ascii=False, indent=2))
    if args.command == "publish":
        answer = asyncio.run(publish(menu))
        print(f"已发布 / published: {answer}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
