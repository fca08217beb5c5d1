"""One spelling for the words of a dispute, so that cues and the learned model see the same text.

Applicants write in simplified or traditional characters, with full-width or half-width letters and
digits, and hotline work orders wrap every message in the same boilerplate. None of that tells who
rejected a matter or why, so it is folded away before cues or n-grams look at the text.
"""

from __future__ import annotations

import re
import unicodedata

from bot.nlu import script


def to_simplified(text: str) -> str:
    """Traditional characters folded to simplified (OpenCC, see bot.nlu.script); the rest unchanged."""
    return script.to_simplified(text)


# Hotline and 12345 work-order boilerplate: who is speaking says nothing about the facts.
_BOILERPLATE = re.compile(
    r"(12345)?(工单(内容|编号)?|市民热线转办单|转办单)[:：]?|"
    r"(市民|来电人|来电|群众|网友|街坊|反映人|诉求人|来信人|投诉人|申请人)(用粤语)?(来电|来信|打电话嚟)?"
    r"(反映|咨询|投诉|求助|表示|称|诉称)[:：，,]?"
)


# A letter's salutation names whom it is written to ("尊敬的区领导：", "致区政府办公室："), not who
# rejected the matter; left in, it reads as a rejection at that tier.
_SALUTATION = re.compile(r"^\s*((尊敬的|致)[^:,。!?]{1,20}[:,]|[^:,。!?]{0,10}(领导|局长|区长|主任|信箱|办公室):)")


def normalise(text: str) -> str:
    """NFKC (full-width letters and digits), simplified characters, lower case, no salutation or
    work-order boilerplate."""
    folded = script.to_simplified(unicodedata.normalize("NFKC", text)).lower()
    return _BOILERPLATE.sub(" ", _SALUTATION.sub(" ", folded)).strip()
