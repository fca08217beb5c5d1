"""Replies rendered for WeChat, and a typed answer mapped back to what its button would have sent.

WeChat has no buttons and shows no Markdown: the buttons of the turn's last question become numbered
options ("回复数字即可选择"), other buttons are named so they can be typed, links become ``<a href>``,
and the text is split, in order, into messages no longer than WeChat's 2,048-byte limit.
"""

from __future__ import annotations

import html
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from bot.conversation.replies import Reply
from bot.inputs import ascii_int
from bot.wechat import wire

MARKDOWN_LINK = re.compile(r"\[([^\]\n]{1,200})\]\((https?://[^\s)]{1,500})\)")
BARE_URL = re.compile(r"(?<![\"'=>])(https?://[A-Za-z0-9._~:/?#@!$&'*+,;=%-]{1,500})")
MARKDOWN_MARKS = re.compile(r"(\*\*|__|`+|^#{1,6}\s+|^>\s?)", re.MULTILINE)
OPTION_PROMPT = "回复数字即可选择："
ALSO_PROMPT = "也可以直接回复："
# Trailing marks people type after a choice ("1。", "2.", "３、").
CHOICE_TRAILER = ".。、,，)）!！ "


@dataclass(frozen=True)
class Option:
    """One choice the applicant can type: its number (if numbered), its title and what it sends."""

    number: int | None
    title: str
    payload: str

    def as_list(self) -> list[Any]:
        return [self.number, self.title, self.payload]

    @classmethod
    def from_list(cls, raw: Sequence[Any]) -> Option:
        number = raw[0] if isinstance(raw[0], int) else None
        return cls(number, str(raw[1]), str(raw[2]))


@dataclass(frozen=True)
class Rendered:
    messages: tuple[str, ...]  # each within TEXT_LIMIT_BYTES, in order
    options: tuple[Option, ...]


def plain(text: str) -> str:
    """No Markdown: links become ``<a href>``, emphasis and heading marks go."""
    text = MARKDOWN_LINK.sub(lambda m: f'<a href="{html.escape(m.group(2))}">{m.group(1)}</a>', text)
    text = BARE_URL.sub(lambda m: f'<a href="{html.escape(m.group(1))}">{m.group(1)}</a>', text)
    return MARKDOWN_MARKS.sub("", text)


def _body(reply: Reply) -> list[str]:
    lines = [plain(reply.title)]
    lines += [f"【{label}】{plain(text)}" for label, text in reply.sections]
    if reply.footer:
        lines.append(plain(reply.footer))
    return lines


def render(replies: Sequence[Reply]) -> Rendered:
    """One turn's replies as WeChat text messages, with the options the applicant may type."""
    last_with_buttons = max((i for i, r in enumerate(replies) if r.buttons), default=-1)
    options: list[Option] = []
    blocks: list[str] = []
    for i, reply in enumerate(replies):
        lines = _body(reply)
        if i == last_with_buttons:
            numbered = [Option(n, b.title, b.payload) for n, b in enumerate(reply.buttons, 1)]
            options += numbered
            lines.append(OPTION_PROMPT)
            lines += [f"{o.number}. {o.title}" for o in numbered]
        elif reply.buttons:
            options += [Option(None, b.title, b.payload) for b in reply.buttons]
            lines.append(ALSO_PROMPT + "、".join(f"“{b.title}”" for b in reply.buttons))
        blocks.append("\n".join(line for line in lines if line))
    return Rendered(split("\n\n".join(blocks)), tuple(_unique_titles(options)))


def _unique_titles(options: list[Option]) -> list[Option]:
    """A later numbered option wins over an earlier unnumbered one with the same title."""
    by_title: dict[str, Option] = {}
    for o in options:
        if o.title not in by_title or o.number is not None:
            by_title[o.title] = o
    return [o for o in options if by_title[o.title] is o]


def _cut(line: str, limit: int) -> list[str]:
    """A line longer than the limit, cut at character boundaries (never inside a UTF-8 sequence)."""
    parts: list[str] = []
    current = ""
    size = 0
    for ch in line:
        n = len(ch.encode("utf-8"))
        if size + n > limit:
            parts.append(current)
            current, size = "", 0
        current += ch
        size += n
    if current:
        parts.append(current)
    return parts


def split(text: str, limit: int = wire.TEXT_LIMIT_BYTES) -> tuple[str, ...]:
    """Messages of at most ``limit`` UTF-8 bytes, in order, broken between lines where possible."""
    if not text.strip():
        return ()
    out: list[str] = []
    current: list[str] = []
    size = 0
    for line in text.split("\n"):
        pieces = _cut(line, limit) if len(line.encode("utf-8")) > limit else [line]
        for piece in pieces:
            n = len(piece.encode("utf-8")) + (1 if current else 0)
            if current and size + n > limit:
                out.append("\n".join(current).strip("\n"))
                current, size = [], 0
                n = len(piece.encode("utf-8"))
            current.append(piece)
            size += n
    if current:
        out.append("\n".join(current).strip("\n"))
    return tuple(m for m in out if m.strip())


def choose(text: str, options: Sequence[Option]) -> str | None:
    """What the applicant's "1", "2"… (or an option's own words) stands for, if it is a choice."""
    typed = text.strip().rstrip(CHOICE_TRAILER).strip()
    if not typed:
        return None
    number = ascii_int(typed, 3)
    if number is not None:
        return next((o.payload for o in options if o.number == number), None)
    for o in options:
        if typed == o.title:
            return o.payload
    return None


def replies_of(structured: Sequence[dict[str, Any]]) -> list[Reply]:
    """Reply dicts from a turn (see :func:`bot.adapters.channels.turns.structured`)."""
    return [Reply.from_dict(d) for d in structured]
