"""Facts of a disputed rejection read from free text: the cue patterns in cues.yaml first, then a
learned model (fact_model.py) for what no cue matched — new phrasings the cues were never given."""

from __future__ import annotations

from dataclasses import dataclass

from bot.policy.cues import UNLISTED_MATERIAL, Cues
from bot.policy.cues import matches_any as _any
from bot.policy.engine import Facts
from bot.policy.fact_model import FactModel, get_fact_model
from bot.policy.textnorm import normalise
from bot.vocabulary import Ground


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
            if gid == UNLISTED_MATERIAL:
                ground, on_list = Ground.INCOMPLETE.value, False
            else:
                ground = gid
            break
    key_project = _any(cues.key_project, clean)
    repeated = _any(cues.repeated, clean)
    listed = on_list is None and _any(cues.listed_material, clean)
    filled: list[str] = []
    if learned:
        if model is None:
            model = get_fact_model()
        r = model.read(text)
        if tier is None and r.rejecting_tier is not None:
            tier = r.rejecting_tier
            filled.append("rejecting_tier")
        if ground is None and r.ground is not None:
            ground, on_list = r.ground, r.material_on_list
            filled.append("ground")
        elif ground == Ground.INCOMPLETE and on_list is None and r.material_on_list is False and not listed:
            # A cue saw a material demand but not that the guide lacks it: R5 needs both.
            on_list = False
            filled.append("material_on_list")
        if not key_project and r.key_project:
            key_project = True
            filled.append("key_project")
        if not repeated and r.repeated:
            repeated = True
            filled.append("repeated")
    if listed and ground == Ground.INCOMPLETE:
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


def names_rejection(text: str, cues: Cues) -> bool:
    """The text names a formal rejection act (退件, 不予受理 …): cheap, and needs no fact model."""
    return _any(cues.rejected, normalise(text))


def tells_rejection(text: str, extracted: ExtractedFacts, cues: Cues) -> bool:
    """A formal rejection act told together with its ground (``extracted`` is what :func:`extract` read
    in the same text)."""
    return extracted.ground_told and names_rejection(text, cues)
