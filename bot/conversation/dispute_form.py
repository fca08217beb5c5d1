"""The dispute form (R10): ask only for the facts the applicant has not told, then confirm.

Pure data and functions: the dialogue keeps a :class:`DisputeForm` in its state, merges each
answer into it (from a button or from free text through the fact extractor), and opens the
escalation once the applicant confirms.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields, replace
from typing import Any

from bot.conversation.cues import Cues, fold, get_cues
from bot.policy.engine import Facts
from bot.policy.facts import ExtractedFacts
from bot.vocabulary import Ground, Payload, Tier

# Buttons per question: title (also the payload) → value.
GROUND_ANSWERS = {
    "材料不全，要我补材料": Ground.INCOMPLETE,
    "说不属于他们的受理范围": Ground.OUT_OF_SCOPE,
    "说不符合条件或标准": Ground.CONDITIONS_NOT_MET,
    "没说清依据或理由": Ground.NO_BASIS,
    "几个部门意见不一或互为前置": Ground.DEPARTMENTS_DISAGREE,
}
TIER_ANSWERS = {
    "窗口（前台）": Tier.WINDOW,
    "审批股室（科室）": Tier.SECTION,
    "部门领导班子": Tier.LEADERSHIP,
    "区级层面": Tier.DISTRICT,
}
MATERIAL_ANSWERS = {"在清单内": True, "不在清单内": False}
EXTRA_ANSWERS = {
    Payload.NONE_OF_THESE.value: (False, False),
    "重点项目": (True, False),
    "已被退件两次及以上": (False, True),
    "两者都是": (True, True),
}
NOTICE_ANSWERS = {"有书面通知": True, "只是口头说的": False}
DATE_ANSWERS = ("今天", "这个星期", "上个星期", "更早以前", "不记得了")
MAX_ASKS = 2  # ask for the same fact at most this often; then take the policy's safe default
# Questions that decide the tier come first; these only make the record complete, and are not asked
# when the district has already decided (R9: nothing left to escalate).
RECORD_QUESTIONS = ("item", "notice", "date")


@dataclass(frozen=True)
class DisputeForm:
    item: str | None = None
    department: str | None = None
    rejecting_tier: int | None = None
    tier_unknown: bool = False  # the applicant cannot say who rejected it (R10: counts as tier 1)
    ground: str | None = None
    material_on_list: bool | None = None
    key_project: bool | None = None
    repeated: bool | None = None
    formal_refusal: bool = False
    item_unknown: bool = False  # the applicant cannot say which item (or department)
    written_notice: bool | None = None  # a written rejection notice was given (R5: required of a window)
    notice_unknown: bool = False
    rejected_on: str | None = None  # when, as the applicant told it ("上个星期三", "11月20日")
    asked: str | None = None  # the question waiting for an answer
    asks: int = 0  # times that question has been asked
    summary: str = ""  # the applicant's telling, masked

    @classmethod
    def start(cls, extracted: ExtractedFacts, item: str | None, department: str | None, summary: str) -> DisputeForm:
        return cls(item=item, department=department, summary=summary).merge(extracted)

    def merge(self, extracted: ExtractedFacts) -> DisputeForm:
        """Fills what was unknown from facts found in a message; never overwrites an answer."""
        f = extracted.facts
        ground, on_list = self.ground, self.material_on_list
        if ground is None and extracted.ground_told:
            ground, on_list = f.ground, f.material_on_list if on_list is None else on_list
        return replace(
            self,
            ground=ground,
            material_on_list=on_list,
            rejecting_tier=self.rejecting_tier if self.rejecting_tier is not None else f.rejecting_tier,
            key_project=True if f.key_project else self.key_project,
            repeated=True if f.times_rejected >= 2 else self.repeated,
            formal_refusal=self.formal_refusal or f.formal_refusal,
        )

    def answer(self, text: str) -> DisputeForm:
        """A button answer to the waiting question (free text is merged by the caller)."""
        asked = self.asked
        if asked == "ground" and text in GROUND_ANSWERS:
            return replace(self, ground=GROUND_ANSWERS[text].value)
        if asked == "rejecting_tier":
            if text in TIER_ANSWERS:
                return replace(self, rejecting_tier=int(TIER_ANSWERS[text]))
            if text == Payload.UNKNOWN:
                return replace(self, tier_unknown=True)
        if asked == "material_on_list":
            if text in MATERIAL_ANSWERS:
                return replace(self, material_on_list=MATERIAL_ANSWERS[text])
            if text == Payload.UNKNOWN:
                return replace(self, material_on_list=True)
        if asked == "extra" and text in EXTRA_ANSWERS:
            key, repeated = EXTRA_ANSWERS[text]
            return replace(self, key_project=key, repeated=repeated)
        if asked == "item" and text == Payload.UNKNOWN:
            return replace(self, item_unknown=True)
        if asked == "notice":
            if text in NOTICE_ANSWERS:
                return replace(self, written_notice=NOTICE_ANSWERS[text])
            if text == Payload.UNKNOWN:
                return replace(self, notice_unknown=True)
            told = _notice(text, get_cues())
            if told is not None:
                return replace(self, written_notice=told)
        if asked == "date":
            told_date = _date(text, get_cues())
            if told_date is not None:
                return replace(self, rejected_on=told_date)
        return self

    def told(self, text: str) -> DisputeForm:
        """Record facts said in passing (a written notice, a date) without being asked."""
        cues = get_cues()
        folded = fold(text)
        notice = self.written_notice
        if notice is None and cues.any("notice_yes", folded) and not cues.any("notice_no", folded):
            notice = True
        when = self.rejected_on or _date(text, cues)
        return replace(self, written_notice=notice, rejected_on=when)

    def correct(self, extracted: ExtractedFacts) -> DisputeForm:
        """A correction ("不是窗口，是审批科退的"): facts told now replace what was recorded."""
        f = extracted.facts
        out = self
        if extracted.tier_told and f.rejecting_tier is not None:
            out = replace(out, rejecting_tier=f.rejecting_tier, tier_unknown=False)
        if extracted.ground_told and f.ground is not None:
            out = replace(out, ground=f.ground, material_on_list=f.material_on_list)
        return out

    def with_matter(self, item: str | None, department: str | None) -> DisputeForm:
        """The item or department the applicant named (an answer, or a correction)."""
        if item is None and department is None:
            return self
        if item is not None:
            return replace(self, item=item, department=department, item_unknown=False)
        return replace(self, department=department, item_unknown=False)

    def notice_text(self) -> str:
        if self.written_notice is True:
            return "有书面通知"
        if self.written_notice is False:
            return "只是口头告知，没有书面通知"
        return str(Payload.UNKNOWN)

    def missing(self) -> str | None:
        """The next question to ask, most decisive first; None when the form is complete."""
        if self.ground is None:
            return "ground"
        if self.ground == Ground.INCOMPLETE and self.material_on_list is None:
            return "material_on_list"
        if self.rejecting_tier is None and not self.tier_unknown:
            return "rejecting_tier"
        if self.key_project is None and self.repeated is None:
            return "extra"
        if self.item is None and self.department is None and not self.item_unknown:
            return "item"
        if self.written_notice is None and not self.notice_unknown:
            return "notice"
        if self.rejected_on is None:
            return "date"
        return None

    def asking(self, question: str | None) -> DisputeForm:
        asks = self.asks + 1 if question == self.asked else 1
        return replace(self, asked=question, asks=asks)

    def give_up_on(self, question: str) -> DisputeForm:
        """After asking twice: take the policy's safe reading rather than loop (never a dead end).

        An unexplained ground is "依据不明" (G4) — a rejection nobody can explain has no clear basis —
        an unknown tier is the window (R10), and unknown extras count as no.
        """
        if question == "ground":
            return replace(self, ground=Ground.NO_BASIS.value)
        if question == "material_on_list":
            return replace(self, material_on_list=True)
        if question == "rejecting_tier":
            return replace(self, tier_unknown=True)
        if question == "item":
            return replace(self, item_unknown=True)
        if question == "notice":
            return replace(self, notice_unknown=True)
        if question == "date":
            return replace(self, rejected_on="未说明")
        return replace(self, key_project=bool(self.key_project), repeated=bool(self.repeated))

    def record_summary(self) -> str:
        """The applicant's telling with the facts the form added, for the escalation record."""
        when = self.rejected_on or "未说明"
        return f"{self.summary}（退件时间：{when}；书面通知：{self.notice_text()}）"

    def facts(self) -> Facts:
        return Facts(
            rejecting_tier=self.rejecting_tier,
            ground=self.ground,
            material_on_list=self.material_on_list if self.ground == Ground.INCOMPLETE else None,
            key_project=bool(self.key_project),
            times_rejected=2 if self.repeated else 1,
            formal_refusal=self.formal_refusal,
        )

    def to_slot(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_slot(cls, value: Any) -> DisputeForm | None:
        if not isinstance(value, dict):
            return None
        known = {f.name for f in fields(cls)}
        try:
            return cls(**{k: v for k, v in value.items() if k in known})
        except TypeError:
            return None


def _notice(text: str, cues: Cues) -> bool | None:
    folded = fold(text)
    if cues.any("notice_no", folded):
        return False
    if cues.any("notice_yes", folded):
        return True
    return None


def _date(text: str, cues: Cues) -> str | None:
    """When the rejection happened, as told; "不记得" is an answer too (recorded as such)."""
    found = cues.first("date", fold(text))
    if found is None and text.strip() in DATE_ANSWERS:
        found = text.strip()
    if found is not None and "记得" in found:
        return "不记得"
    return found
