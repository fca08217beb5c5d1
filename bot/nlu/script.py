"""Traditional and simplified characters: understand both, answer in the applicant's own script.

Many applicants in Foshan (Hong Kong and Macao residents, Cantonese speakers) type 繁體字. Every model,
cue and catalog phrase of the assistant is written in simplified characters, so a message is folded to
simplified before anything reads it, with OpenCC's phrase-aware dictionaries (``t2s``) plus the Hong
Kong variants OpenCC leaves alone (舖, 檯 …). Replies go back in Hong Kong traditional (``s2hk``) when
the applicant wrote in traditional characters.
"""

from __future__ import annotations

from functools import lru_cache

from opencc import OpenCC

# Hong Kong and Cantonese variant characters that OpenCC's t2s keeps as they are.
_VARIANTS = str.maketrans({"舖": "铺", "檯": "台", "裏": "里", "麪": "面", "綫": "线", "衞": "卫", "啓": "启"})
# Cantonese characters written the same way in simplified text (搵 "look for", 嗰 "that"): OpenCC would
# turn them into other forms (揾, 𠮶), so an applicant's own spelling is kept as it is.
_CANTONESE = frozenset("搵嗰")
# Characters that also occur in ordinary simplified text (著名, 乾隆), so they alone do not make a
# message traditional.
_AMBIGUOUS = frozenset("著乾藉瞭夥於搵嗰")


@lru_cache(maxsize=1)
def _to_simplified() -> OpenCC:
    return OpenCC("t2s")


@lru_cache(maxsize=1)
def _to_traditional() -> OpenCC:
    return OpenCC("s2hk")


def to_simplified(text: str) -> str:
    """The text in simplified characters (unchanged when it already is); same length as the input."""
    if text.isascii():
        return text
    converted = str(_to_simplified().convert(text)).translate(_VARIANTS)
    # OpenCC converts character by character or phrase by phrase without changing lengths; keep the
    # original if it ever did, so positions found in one text stay valid in the other.
    if len(converted) != len(text):
        return text.translate(_VARIANTS)
    return "".join(o if o in _CANTONESE else c for o, c in zip(text, converted, strict=True))


def traditional_characters(text: str) -> int:
    """How many characters of the text are traditional-only (differ from their simplified form)."""
    simplified = to_simplified(text)
    return sum(1 for a, b in zip(text, simplified, strict=True) if a != b and a not in _AMBIGUOUS)


def is_traditional(text: str) -> bool:
    """The applicant writes in traditional characters: at least one traditional-only character."""
    return traditional_characters(text) > 0


def to_traditional(text: str) -> str:
    """Simplified text in Hong Kong traditional characters, for an applicant who wrote that way."""
    if text.isascii():
        return text
    return str(_to_traditional().convert(text))
