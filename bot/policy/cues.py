"""The cue patterns of cues.yaml: high-precision phrasings of tiers, grounds, bounced applicants and
rejection acts, loaded and checked loudly. Used by the fact reader (facts.py) and the learned model."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from bot import yaml_files
from bot.policy.model import PolicyError
from bot.vocabulary import GROUNDS, TIERS

CUES_FILE = Path(__file__).resolve().parent / "cues.yaml"
# The cue group for "a material not on the published list was demanded" (G1, and R5 makes it G4).
UNLISTED_MATERIAL = "unlisted_material"


class CuesError(PolicyError):
    """cues.yaml is malformed; the message says where."""


Patterns = tuple[re.Pattern[str], ...]


@dataclass(frozen=True)
class Cues:
    tiers: dict[int, Patterns]
    grounds: tuple[tuple[str, Patterns], ...]  # in order of precedence
    key_project: Patterns
    repeated: Patterns
    formal_refusal: Patterns
    bounced: Patterns
    rejected: Patterns
    wanted: Patterns = ()  # clauses naming where the applicant wants to go, not who rejected
    listed_material: Patterns = ()  # the demanded material is on the published list (no R5)


def _words(raw: Any, where: str) -> Patterns:
    if not isinstance(raw, list) or not raw or not all(isinstance(w, str) and w for w in raw):
        raise CuesError(f"cues: '{where}' must be a non-empty list of patterns")
    try:
        return tuple(re.compile(w) for w in raw)
    except re.error as exc:
        raise CuesError(f"cues: '{where}' has an invalid pattern: {exc}") from exc


def matches_any(patterns: Patterns, text: str) -> bool:
    return any(p.search(text) for p in patterns)


def parse_cues(doc: Any) -> Cues:
    if not isinstance(doc, dict):
        raise CuesError("cues file must be a mapping")
    tiers = {int(t): _words(w, f"tiers.{t}") for t, w in (doc.get("tiers") or {}).items()}
    if sorted(tiers) != list(TIERS):
        raise CuesError("cues: tiers 1-4 are all needed")
    grounds = tuple((str(g), _words(w, f"grounds.{g}")) for g, w in (doc.get("grounds") or {}).items())
    if {g for g, _ in grounds} != {*GROUNDS, UNLISTED_MATERIAL}:
        raise CuesError("cues: grounds G1-G5 and unlisted_material are all needed")
    return Cues(
        tiers=tiers,
        grounds=grounds,
        key_project=_words(doc.get("key_project"), "key_project"),
        repeated=_words(doc.get("repeated"), "repeated"),
        formal_refusal=_words(doc.get("formal_refusal"), "formal_refusal"),
        bounced=_words(doc.get("bounced"), "bounced"),
        rejected=_words(doc.get("rejected"), "rejected"),
        wanted=_words(doc["wanted"], "wanted") if "wanted" in doc else (),
        listed_material=_words(doc["listed_material"], "listed_material") if "listed_material" in doc else (),
    )


@lru_cache(maxsize=2)
def get_cues(path: Path = CUES_FILE) -> Cues:
    with path.open(encoding="utf-8") as f:
        return parse_cues(yaml_files.safe_load(f))
