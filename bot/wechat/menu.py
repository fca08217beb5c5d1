"""The custom menu and the door's fixed answers, as checked data (``bot/wechat/menu.yaml``), published by
``python -m bot.adapters.wechat.menu_command publish`` (``check`` only validates).

The loader reports every problem at once and enforces WeChat's own limits, so a menu that loads is
one WeChat accepts.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from bot import yaml_files
from bot.conversation.replies import Button, Reply

MENU_FILE = Path(__file__).resolve().parent / "menu.yaml"
ANSWER_NAMES = ("welcome", "voice_unrecognised", "media", "unknown")
MAX_TOP, MAX_SUB = 3, 5
TOP_NAME_BYTES, SUB_NAME_BYTES, KEY_BYTES = 16, 60, 128
BUTTON_TYPES = ("click", "view")


class MenuError(ValueError):
    def __init__(self, problems: list[str]) -> None:
        super().__init__("；".join(problems))
        self.problems = problems


@dataclass(frozen=True)
class Action:
    """What a menu tap does: words for the assistant, or a fixed reply."""

    say: str | None = None
    reply: Reply | None = None


@dataclass(frozen=True)
class Menu:
    buttons: tuple[dict[str, Any], ...]  # WeChat's own shape, ready to publish
    clicks: dict[str, Action]
    answers: dict[str, Reply]

    def wire_format(self) -> dict[str, Any]:
        return {"button": list(self.buttons)}


def _reply(raw: Any, where: str, problems: list[str]) -> Reply | None:
    if not isinstance(raw, dict):
        problems.append(f"{where}: 应为含 title 的映射")
        return None
    unknown = set(raw) - {"title", "sections", "buttons", "footer"}
    if unknown:
        problems.append(f"{where}: 未知字段 {sorted(unknown)}")
    title = raw.get("title")
    if not isinstance(title, str) or not title.strip():
        problems.append(f"{where}.title: 必须是非空文字")
        return None
    sections: list[tuple[str, str]] = []
    for i, s in enumerate(raw.get("sections") or []):
        if not (isinstance(s, dict) and isinstance(s.get("label"), str) and isinstance(s.get("text"), str)):
            problems.append(f"{where}.sections[{i}]: 需要 label 和 text")
            continue
        sections.append((s["label"], s["text"]))
    buttons: list[Button] = []
    for i, b in enumerate(raw.get("buttons") or []):
        if not (isinstance(b, dict) and isinstance(b.get("title"), str) and isinstance(b.get("payload"), str)):
            problems.append(f"{where}.buttons[{i}]: 需要 title 和 payload")
            continue
        buttons.append(Button(b["title"], b["payload"]))
    footer = raw.get("footer", "")
    return Reply(
        kind=f"wechat_{where.split('.')[-1]}",
        title=title,
        sections=tuple(sections),
        buttons=tuple(buttons),
        footer=footer if isinstance(footer, str) else "",
    )


def _button(raw: Any, where: str, name_limit: int, keys: list[str], problems: list[str]) -> dict[str, Any] | None:
    if not isinstance(raw, dict):
        problems.append(f"{where}: 应为映射")
        return None
    name = raw.get("name")
    if not isinstance(name, str) or not name.strip():
        problems.append(f"{where}.name: 必须是非空文字")
        return None
    if len(name.encode("utf-8")) > name_limit:
        problems.append(f"{where}.name “{name}”超过 {name_limit} 字节")
    subs = raw.get("sub_button")
    if subs is not None:
        if set(raw) - {"name", "sub_button"}:
            problems.append(f"{where}: 有子菜单的按钮只能有 name 和 sub_button")
        if not isinstance(subs, list) or not 1 <= len(subs) <= MAX_SUB:
            problems.append(f"{where}.sub_button: 应有 1 至 {MAX_SUB} 个子按钮")
            return None
        built = [_button(s, f"{where}.sub_button[{i}]", SUB_NAME_BYTES, keys, problems) for i, s in enumerate(subs)]
        return {"name": name, "sub_button": [b for b in built if b is not None]}
    kind = raw.get("type")
    if kind not in BUTTON_TYPES:
        problems.append(f"{where}.type: 应为 {'/'.join(BUTTON_TYPES)}")
        return None
    if kind == "click":
        key = raw.get("key")
        if not isinstance(key, str) or not key or len(key.encode("utf-8")) > KEY_BYTES:
            problems.append(f"{where}.key: 必须是 1 至 {KEY_BYTES} 字节的文字")
            return None
        keys.append(key)
        return {"type": kind, "name": name, "key": key}
    url = raw.get("url")
    if not isinstance(url, str) or not url.startswith("https://"):
        problems.append(f"{where}.url: 必须是 https:// 链接")
        return None
    return {"type": kind, "name": name, "url": url}


def parse_menu(data: Any) -> Menu:
    """A menu from its YAML data, or a :class:`MenuError` listing every problem."""
    problems: list[str] = []
    if not isinstance(data, dict):
        raise MenuError(["菜单文件应为映射（menu、clicks、answers）"])
    unknown = set(data) - {"menu", "clicks", "answers"}
    if unknown:
        problems.append(f"未知字段 {sorted(unknown)}")
    top = data.get("menu")
    keys: list[str] = []
    buttons: list[dict[str, Any]] = []
    if not isinstance(top, list) or not 1 <= len(top) <= MAX_TOP:
        problems.append(f"menu: 应有 1 至 {MAX_TOP} 个一级菜单")
    else:
        for i, b in enumerate(top):
            built = _button(b, f"menu[{i}]", TOP_NAME_BYTES, keys, problems)
            if built is not None:
                buttons.append(built)
    duplicates = sorted({k for k in keys if keys.count(k) > 1})
    if duplicates:
        problems.append(f"菜单 key 重复：{duplicates}")
    clicks: dict[str, Action] = {}
    raw_clicks = data.get("clicks") or {}
    if not isinstance(raw_clicks, dict):
        problems.append("clicks: 应为 key → 动作 的映射")
        raw_clicks = {}
    for key, action in raw_clicks.items():
        where = f"clicks.{key}"
        if not isinstance(action, dict) or len(set(action) & {"say", "reply"}) != 1 or set(action) - {"say", "reply"}:
            problems.append(f"{where}: 必须恰好有 say 或 reply 之一")
            continue
        if "say" in action:
            if not isinstance(action["say"], str) or not action["say"].strip():
                problems.append(f"{where}.say: 必须是非空文字")
                continue
            clicks[str(key)] = Action(say=action["say"])
        else:
            reply = _reply(action["reply"], where, problems)
            if reply is not None:
                clicks[str(key)] = Action(reply=reply)
    missing = sorted(set(keys) - set(raw_clicks))
    if missing:
        problems.append(f"菜单 key 没有对应的 clicks 动作：{missing}")
    unused = sorted(set(raw_clicks) - set(keys))
    if unused:
        problems.append(f"clicks 中的 key 不在菜单里：{unused}")
    answers: dict[str, Reply] = {}
    raw_answers = data.get("answers") or {}
    if not isinstance(raw_answers, dict):
        raw_answers = {}
        problems.append("answers: 应为映射")
    for name in ANSWER_NAMES:
        if name not in raw_answers:
            problems.append(f"answers.{name}: 缺少")
            continue
        reply = _reply(raw_answers[name], f"answers.{name}", problems)
        if reply is not None:
            answers[name] = reply
    extra = sorted(set(raw_answers) - set(ANSWER_NAMES))
    if extra:
        problems.append(f"answers: 未知答复 {extra}")
    if problems:
        raise MenuError(problems)
    return Menu(tuple(buttons), clicks, answers)


@lru_cache(maxsize=4)
def load_menu(path: Path = MENU_FILE) -> Menu:
    return parse_menu(yaml_files.safe_load(path.read_text(encoding="utf-8")))
