"""One message understood: request type, departments, items, town and numbers, from Rasa's parse.

Used by the analyze API (stateless) and by the dialogue (through the action server), so both give
the same answer for the same text.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from bot.catalog import Catalog
from bot.catalog.matcher import APPLICATION, ITEM, PROBLEM, RECORD, Match, outermost
from bot.config import settings
from bot.nlu.script import is_traditional
from bot.policy import get_policy
from bot.policy.assess import Assessment, assess
from bot.policy.cues import get_cues
from bot.policy.facts import names_rejection, was_bounced
from bot.records.numbers import normalise
from bot.request_types import CONVERSATION_ACTS, GOVERNMENT_TYPES, REQUEST_TYPES, RequestType
from bot.routing import Route, route
from bot.routing.item_index import index_for

FALLBACK_INTENT = "nlu_fallback"


@dataclass(frozen=True)
class Analysis:
    text: str
    request_type: str
    confidence: float
    ambiguous: bool  # the classifier could not decide between request types
    route: Route
    matches: tuple[Match, ...]
    record_numbers: tuple[str, ...]
    application_numbers: tuple[str, ...]
    bounced: bool = False  # sent away informally by a department ("不归我们管"), R2
    traditional: bool = False  # written in traditional characters: answered in them too
    # Holds the assessment once computed: most messages never need the fact model.
    _assessed: list[Assessment] = field(default_factory=list, repr=False, compare=False)

    @property
    def assessment(self) -> Assessment:
        """What the escalation policy reads in the text, computed on first use and once per message."""
        return _once(self._assessed, self.text)


def _once(memo: list[Assessment], text: str) -> Assessment:
    if not memo:
        memo.append(assess(text))
    return memo[0]


# Greetings, thanks and yes/no answers are short; a long message is never only one of them.
MAX_CONVERSATION_ACT_CHARS = 15
# Out of scope is overruled by a catalog phrase unless the classifier is at least this sure.
OOS_OVERRULE_BELOW = 0.9
# The department model's own P(government matter) settles disagreements with the intent model:
# above the first it overrules an "out of scope" held with less than OOS_DOUBTFUL, below the second
# (with no catalog phrase) it overrules a government request type. The department model finds many
# short unknown phrases governmental (a film title, a dish), so an intent model sure of "out of
# scope" is not overruled by it; and since it learned "no department" from some 2,000 everyday
# requests (#11), its "hardly governmental" (below 0.3) is trusted for a text naming nothing we know
# ("做蛋炒饭需要什么材料" reads like a consult only by its last words).
GOVERNMENT_LIKELY = 0.8
GOVERNMENT_UNLIKELY = 0.3
OOS_DOUBTFUL = 0.9
# What the intent model may guess for a bare item name when it falls back; the item decides instead.
UNSURE_ABOUT_AN_ITEM = (*CONVERSATION_ACTS, RequestType.OUT_OF_SCOPE, RequestType.QUERY_PROGRESS)
# Request types a told rejection (with its ground) turns into a dispute.
REJECTION_LIKE = (RequestType.COMPLAINT, RequestType.CONSULT_ITEM, RequestType.REPORT_ISSUE, RequestType.ONLINE_HELP)


def _request_type(
    parse: Mapping[str, Any], matches: tuple[Match, ...], assessment: Callable[[], Assessment]
) -> tuple[str, float, bool]:
    """The best request type, checked against what the text itself shows.

    Rasa's fallback intent marks ambiguity, not a type of its own. The intent model's verdict is
    overruled where the text or the department model contradicts it: a long message labelled as a
    greeting or a yes/no; a hesitant "out of scope" for a message naming a service item or a known
    problem, or that the department model finds clearly governmental; and a government type for a
    message the department model finds clearly not governmental and that names nothing we know.
    """
    ranking = [r for r in parse.get("intent_ranking") or [] if r.get("name") in REQUEST_TYPES]
    intent = parse.get("intent") or {}
    fell_back = intent.get("name") == FALLBACK_INTENT
    if not ranking:
        name = intent.get("name")
        if name in REQUEST_TYPES:
            return str(name), float(intent.get("confidence") or 0.0), False
        return RequestType.OUT_OF_SCOPE, 0.0, True
    text = str(parse.get("text") or "")
    best = ranking[0]
    if best["name"] in CONVERSATION_ACTS and len(text.strip()) > MAX_CONVERSATION_ACT_CHARS:
        rest = [r for r in ranking if r["name"] not in CONVERSATION_ACTS]
        if rest:
            best, fell_back = rest[0], True
    evidence = [m for m in outermost(list(matches), (ITEM, PROBLEM)) if m.length >= 2]
    p_government = parse.get("government_probability")
    confidence = float(best.get("confidence") or 0)
    government = [r for r in ranking if r["name"] in GOVERNMENT_TYPES]
    if (
        best["name"] == RequestType.OUT_OF_SCOPE
        and government
        and (
            (evidence and confidence < OOS_OVERRULE_BELOW)
            or (p_government is not None and float(p_government) >= GOVERNMENT_LIKELY and confidence < OOS_DOUBTFUL)
        )
    ):
        best, fell_back = government[0], True
        if p_government is not None:
            best = {**best, "confidence": max(float(best.get("confidence") or 0), float(p_government))}
    elif (
        best["name"] in GOVERNMENT_TYPES
        and p_government is not None
        and float(p_government) < GOVERNMENT_UNLIKELY
        and not any(m.kind in (ITEM, PROBLEM, RECORD, APPLICATION) for m in matches)
    ):
        oos_conf = next(
            (float(r.get("confidence") or 0) for r in ranking if r["name"] == RequestType.OUT_OF_SCOPE), 0.0
        )
        best, fell_back = {"name": RequestType.OUT_OF_SCOPE, "confidence": max(oos_conf, 1 - float(p_government))}, True
    elif (
        best["name"] in GOVERNMENT_TYPES
        and sum(float(r.get("confidence") or 0) for r in government) < settings().oos_confidence
        and (p_government is None or float(p_government) < GOVERNMENT_LIKELY)
        and not any(m.kind in (ITEM, PROBLEM, RECORD, APPLICATION) for m in matches)
        and _out_of_scope_rank(parse) >= 0.2
    ):
        # Government-like only by a little, naming nothing the district handles: out of scope
        # rather than guessed into a department. "A little" is the government types together (a
        # complaint that reads half as a report is still a government matter), and the department
        # model's clear "governmental" vetoes it, as it overrules a hesitant out-of-scope above.
        best = {"name": RequestType.OUT_OF_SCOPE, "confidence": _out_of_scope_rank(parse)}
    if fell_back and _names_an_item_only(matches) and best["name"] in UNSURE_ABOUT_AN_ITEM:
        # A bare item name ("办居住证", "补领结婚证") that the intent model cannot place: asking about the
        # item is what it is — not a goodbye, a "no", or a progress query without any number.
        consult = next((r for r in ranking if r["name"] == RequestType.CONSULT_ITEM), {"confidence": 0.0})
        best = {"name": RequestType.CONSULT_ITEM, "confidence": float(consult.get("confidence") or 0.0)}
    if best["name"] in REJECTION_LIKE and names_rejection(text, get_cues()) and assessment().rejection_told:
        # A rejection act told with its ground is a disputed rejection, whatever else the message
        # complains about or asks: the escalation policy (R6) must see it.
        dispute = next((r for r in ranking if r["name"] == RequestType.DISPUTE_REJECTION), {"confidence": 0.0})
        best, fell_back = (
            {"name": RequestType.DISPUTE_REJECTION, "confidence": float(dispute.get("confidence") or 0.0)},
            True,
        )
    return str(best["name"]), float(best.get("confidence") or 0.0), fell_back


def analyse(parse: Mapping[str, Any], catalog: Catalog, town_hint: str | None = None) -> Analysis:
    """Builds an Analysis from a Rasa parse result (intent ranking, catalog matches, department model)."""
    text = str(parse.get("text") or "")
    original = str(parse.get("original_text") or text)
    traditional = parse.get("script") == "traditional" or is_traditional(original)
    matches = tuple(Match(**m) for m in parse.get("catalog_matches") or [])
    model_ranking = [(str(c), float(p)) for c, p in parse.get("department_ranking") or []]
    assessed: list[Assessment] = []  # shared with the Analysis: the request type may need it first
    request_type, confidence, ambiguous = _request_type(parse, matches, lambda: _once(assessed, text))
    routed = route(
        catalog,
        index_for(catalog),
        text,
        request_type,
        matches,
        model_ranking,
        town_hint=town_hint,
        min_confidence=settings().route_min_confidence,
    )
    return Analysis(
        text=text,
        request_type=request_type,
        confidence=round(confidence, 4),
        ambiguous=ambiguous,
        route=routed,
        matches=matches,
        record_numbers=tuple(dict.fromkeys(normalise(m.value) for m in matches if m.kind == RECORD)),
        application_numbers=tuple(dict.fromkeys(m.value for m in matches if m.kind == APPLICATION)),
        bounced=was_bounced(text, get_cues()),
        traditional=traditional,
        _assessed=assessed,
    )


def _names_an_item_only(matches: tuple[Match, ...]) -> bool:
    """A catalog item is named and no record or application number (which a progress query has)."""
    return any(m.kind == ITEM and m.length >= 2 for m in matches) and not any(
        m.kind in (RECORD, APPLICATION) for m in matches
    )


def _out_of_scope_rank(parse: Mapping[str, Any]) -> float:
    for r in parse.get("intent_ranking") or []:
        if r.get("name") == RequestType.OUT_OF_SCOPE:
            return float(r.get("confidence") or 0.0)
    return 0.0


def to_api(analysis: Analysis, catalog: Catalog) -> dict[str, Any]:
    """The analyze API's JSON (../shared/spec/api.md), with a few extra fields integrators find useful."""
    r = analysis.route
    escalation: dict[str, Any] | None = None
    missing: list[str] = []
    if analysis.request_type == RequestType.DISPUTE_REJECTION:
        assessment = analysis.assessment
        escalation, missing = assessment.as_api(get_policy()), list(assessment.missing_facts)
        if not r.items:
            missing.append("item")
    return {
        "request_type": analysis.request_type,
        "request_type_confidence": analysis.confidence,
        "departments": [
            {"code": code, "name": catalog.departments[code].name, "score": score} for code, score in r.departments
        ],
        "items": [
            {
                "id": ri.item.id,
                "name": ri.item.name,
                "department": ri.item.department,
                "score": ri.score,
                "exact": ri.exact,
                "coverage": ri.coverage,
            }
            for ri in r.items
        ],
        "escalation": escalation,
        "missing_facts": missing,
        "town": r.town,
        "confident": r.confident,
        "evidence": r.evidence,
        "record_numbers": list(analysis.record_numbers),
        "application_numbers": list(analysis.application_numbers),
        "bounced": analysis.bounced,
        "script": "traditional" if analysis.traditional else "simplified",
    }
