"""How applicants steer a conversation: follow-up questions, corrections, control words, endings.

The phrases are data (``cues.yaml``) so that the service centre can add the way people actually
write without touching code; this module loads and checks them once, and answers small questions
about one message. Text is folded to simplified characters first, so traditional spellings of the
same words ("確認提交", "轉人工") are understood too.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from bot import yaml_files
from bot.policy.textnorm import to_simplified

CUES_FILE = Path(__file__).with_name("cues.yaml")
# What a follow-up can ask about the matter under discussion, in the order they are tried.
ASPECTS = ("amount", "cannot_go", "family", "attend", "time", "fee", "online", "where", "materials")
LISTS = (
    "ending",
    "thanks",
    "human",
    "cancel",
    "restart",
    "correction",
    "recall",
    "sent_around",
    "prerequisites",
    "notice_yes",
    "notice_no",
    "date",
    "done",
    "not_done",
    "not_needed",
    "what_else",
    "whole_matter",
)
# A control word is a short message; a longer one is a request that happens to contain the word.
MAX_CONTROL_CHARS = 15
_PUNCTUATION = re.compile(r"[\s，,。.！!？?、；;：:~～…]+")


@dataclass(frozen=True)
class Cues:
    aspects: dict[str, tuple[re.Pattern[str], ...]]
    lists: dict[str, tuple[re.Pattern[str], ...]]
    filler: re.Pattern[str]

    def any(self, name: str, text: str) -> bool:
        return any(p.search(text) for p in self.lists[name])

    def first(self, name: str, text: str) -> str | None:
        """The first phrase of the named list found in the text (for facts recorded as told)."""
        for p in self.lists[name]:
            found = p.search(text)
            if found:
                return found.group(0)
        return None


class CueError(ValueError):
    """The cue file is inconsistent; every problem is listed at once."""


def _compile(name: str, phrases: object, errors: list[str]) -> tuple[re.Pattern[str], ...]:
    if not isinstance(phrases, list) or not phrases:
        errors.append(f"{name}: a non-empty list of phrases is needed")
        return ()
    out: list[re.Pattern[str]] = []
    for phrase in phrases:
        try:
            out.append(re.compile(str(phrase)))
        except re.error as err:
            errors.append(f"{name}: {phrase!r} is not a valid expression ({err})")
    return tuple(out)


def load_cues(path: Path = CUES_FILE) -> Cues:
    """Reads and checks the cue file: every aspect and list present, every expression valid."""
    raw = yaml_files.safe_load(path.read_text(encoding="utf-8")) or {}
    errors: list[str] = []
    aspects_raw = raw.get("aspects") or {}
    unknown = set(aspects_raw) - set(ASPECTS)
    if unknown:
        errors.append(f"aspects: unknown {sorted(unknown)}")
    aspects = {a: _compile(f"aspects.{a}", aspects_raw.get(a), errors) for a in ASPECTS}
    lists = {name: _compile(name, raw.get(name), errors) for name in LISTS}
    try:
        filler = re.compile(str(raw.get("filler") or "^$"))
    except re.error as err:
        errors.append(f"filler: {err}")
        filler = re.compile("^$")
    if errors:
        raise CueError("; ".join(errors))
    return Cues(aspects, lists, filler)


@lru_cache(maxsize=1)
def get_cues() -> Cues:
    return load_cues()


def fold(text: str) -> str:
    """The message as the cues read it: simplified characters, trimmed."""
    return to_simplified(text).strip()


def aspects_asked(text: str, cues: Cues | None = None) -> tuple[str, ...]:
    """What a follow-up asks about ("要多久" → time), most specific first; empty when nothing."""
    c = cues or get_cues()
    folded = fold(text)
    return tuple(a for a in ASPECTS if any(p.search(folded) for p in c.aspects[a]))


def _clauses(text: str) -> list[str]:
    """The message split at punctuation."""
    return [p for p in _PUNCTUATION.split(fold(text)) if p]


def is_control(name: str, text: str, cues: Cues | None = None) -> bool:
    """A whole short message that is only this control word ("取消", "算了，唔搞了", "重新開始"),
    give or take the particles around it."""
    c = cues or get_cues()
    clauses = _clauses(text)
    if not clauses or len(text.strip()) > MAX_CONTROL_CHARS:
        return False

    def is_word(clause: str) -> bool:
        bare = c.filler.sub("", clause)
        return any(p.fullmatch(clause) or (bare and p.fullmatch(bare)) for p in c.lists[name])

    words = [cl for cl in clauses if c.filler.sub("", cl)]  # "好的，取消吧": the "好的" says nothing
    return bool(words) and all(is_word(cl) for cl in words)


def wants_human(text: str, cues: Cues | None = None) -> bool:
    """A short message asking for a person, in any of its usual forms."""
    c = cues or get_cues()
    return len(text.strip()) <= MAX_CONTROL_CHARS and c.any("human", fold(text))


def says(name: str, text: str, cues: Cues | None = None) -> bool:
    """The message contains a phrase of the named list (correction, recall, ending …)."""
    return (cues or get_cues()).any(name, fold(text))
