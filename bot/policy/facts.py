"""Facts of a disputed rejection read from free text: the cue patterns in cues.yaml first, then a
learned model (fact_model.py) for what no cue matched — new phrasings the cues were never given."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml

from bot.policy.engine import Facts
from bot.policy.textnorm import normalise

if TYPE_CHECKING:
    from bot.policy.fact_model import FactModel

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
    wanted: Patterns = ()  # clauses naming where the applicant wants to go, not who rejected
    listed_material: Patterns = ()  # the demanded material is on the published list (no R5)


@dataclass(frozen=True)
class ExtractedFacts:
    facts: Facts
    tier_told: bool
    ground_told: bool
    learned: tuple[str, ...] = ()  # facts the model supplied where no cue matched (for audit and tests)

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
        wanted=_words(doc["wanted"], "wanted") if "wanted" in doc else (),
        listed_material=_words(doc["listed_material"], "listed_material") if "listed_material" in doc else (),
    )


@lru_cache(maxsize=2)
def get_cues(path: Path = CUES_FILE) -> Cues:
    with path.open(encoding="utf-8") as f:
        return parse_cues(yaml.safe_load(f))


def extract(text: str, cues: Cues, *, model: FactModel | None = None, learned: bool = True) -> ExtractedFacts:
    """Cues first: they are precise, and the highest tier named is taken as the one that rejected (a
    later, higher decision stands). The model (default: trained from nlu_data/dispute_facts) only fills
    a fact no cue found, and abstains when unsure; learned=False gives the cues alone."""
    clean = normalise(text)
    said = clean
    for p in cues.wanted:
        said = p.sub(" ", said)
    tier = next((t for t in (4, 3, 2, 1) if _any(cues.tiers[t], said)), None)
    ground: str | None = None
    on_list: bool | None = None
    for gid, patterns in cues.grounds:
        if _any(patterns, clean):
            if gid == "unlisted_material":
                ground, on_list = "G1", False
            else:
                ground = gid
            break
    key_project = _any(cues.key_project, clean)
    repeated = _any(cues.repeated, clean)
    listed = on_list is None and _any(cues.listed_material, clean)
    filled: list[str] = []
    if learned:
        if model is None:
            from bot.policy.fact_model import get_fact_model

            model = get_fact_model()
        r = model.read(text)
        if tier is None and r.rejecting_tier is not None:
            tier = r.rejecting_tier
            filled.append("rejecting_tier")
        if ground is None and r.ground is not None:
            ground, on_list = r.ground, r.material_on_list
            filled.append("ground")
        elif ground == "G1" and on_list is None and r.material_on_list is False and not listed:
            # A cue saw a material demand but not that the guide lacks it: R5 needs both.
            on_list = False
            filled.append("material_on_list")
        if not key_project and r.key_project:
            key_project = True
            filled.append("key_project")
        if not repeated and r.repeated:
            repeated = True
            filled.append("repeated")
    if listed and ground == "G1":
        on_list = True
    facts = Facts(
        rejecting_tier=tier,
        ground=ground,
        material_on_list=on_list,
        key_project=key_project,
        times_rejected=2 if repeated else 1,
        formal_refusal=_any(cues.formal_refusal, clean),
    )
    return ExtractedFacts(facts, tier_told=tier is not None, ground_told=ground is not None, learned=tuple(filled))


def was_bounced(text: str, cues: Cues) -> bool:
    """The applicant says they were sent away informally, with no formal rejection (R2)."""
    clean = normalise(text)
    return _any(cues.bounced, clean) and not _any(cues.rejected, clean)


def tells_rejection(text: str) -> bool:
    """A formal rejection act (退件, 不予受理 …) told together with its ground."""
    cues = get_cues()
    return _any(cues.rejected, normalise(text)) and extract(text, cues).ground_told
