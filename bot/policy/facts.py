"""Facts of a disputed rejection read from free text, using the cue patterns in cues.yaml."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from bot.policy.engine import Facts

CUES_FILE = Path(__file__).resolve().parent / "cues.yaml"


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


@dataclass(frozen=True)
class ExtractedFacts:
    facts: Facts
    tier_told: bool
    ground_told: bool

    @property
    def missing(self) -> list[str]:
        """What to ask the applicant (R10), most decisive first."""
        out = []
        if not self.ground_told:
            out.append("ground")
        if not self.tier_told:
            out.append("rejecting_tier")
        return out


def _words(raw: Any, where: str) -> Patterns:
    if not isinstance(raw, list) or not raw or not all(isinstance(w, str) and w for w in raw):
        raise ValueError(f"cues: '{where}' must be a non-empty list of patterns")
    try:
        return tuple(re.compile(w) for w in raw)
    except re.error as exc:
        raise ValueError(f"cues: '{where}' has an invalid pattern: {exc}") from exc


def _any(patterns: Patterns, text: str) -> bool:
    return any(p.search(text) for p in patterns)


def parse_cues(doc: Any) -> Cues:
    if not isinstance(doc, dict):
        raise ValueError("cues file must be a mapping")
    tiers = {int(t): _words(w, f"tiers.{t}") for t, w in (doc.get("tiers") or {}).items()}
    if sorted(tiers) != [1, 2, 3, 4]:
        raise ValueError("cues: tiers 1-4 are all needed")
    grounds = tuple((str(g), _words(w, f"grounds.{g}")) for g, w in (doc.get("grounds") or {}).items())
    if {g for g, _ in grounds} != {"G1", "G2", "G3", "G4", "G5", "unlisted_material"}:
        raise ValueError("cues: grounds G1-G5 and unlisted_material are all needed")
    return Cues(
        tiers=tiers,
        grounds=grounds,
        key_project=_words(doc.get("key_project"), "key_project"),
        repeated=_words(doc.get("repeated"), "repeated"),
        formal_refusal=_words(doc.get("formal_refusal"), "formal_refusal"),
        bounced=_words(doc.get("bounced"), "bounced"),
        rejected=_words(doc.get("rejected"), "rejected"),
    )


@lru_cache(maxsize=2)
def get_cues(path: Path = CUES_FILE) -> Cues:
    with path.open(encoding="utf-8") as f:
        return parse_cues(yaml.safe_load(f))


def extract(text: str, cues: Cues) -> ExtractedFacts:
    """The highest tier named is taken as the one that rejected (a later, higher decision stands)."""
    tier = next((t for t in (4, 3, 2, 1) if _any(cues.tiers[t], text)), None)
    ground: str | None = None
    on_list: bool | None = None
    for gid, patterns in cues.grounds:
        if _any(patterns, text):
            if gid == "unlisted_material":
                ground, on_list = "G1", False
            else:
                ground = gid
            break
    facts = Facts(
        rejecting_tier=tier,
        ground=ground,
        material_on_list=on_list,
        key_project=_any(cues.key_project, text),
        times_rejected=2 if _any(cues.repeated, text) else 1,
        formal_refusal=_any(cues.formal_refusal, text),
    )
    return ExtractedFacts(facts, tier_told=tier is not None, ground_told=ground is not None)


def was_bounced(text: str, cues: Cues) -> bool:
    """The applicant says they were sent away informally, with no formal rejection (R2)."""
    return _any(cues.bounced, text) and not _any(cues.rejected, text)
