"""Traditional characters understood and answered in (bot.nlu.script)."""

from __future__ import annotations

from bot.nlu.script import is_traditional, to_simplified, to_traditional
from bot.policy.textnorm import normalise


def test_traditional_is_folded_to_simplified_with_hong_kong_variants() -> None:
    assert to_simplified("補辦身份證要帶什麼材料") == "补办身份证要带什么材料"
    assert to_simplified("我想喺桂城開間奶茶舖，要辦咩牌照？") == "我想喺桂城开间奶茶铺，要办咩牌照？"
    assert to_simplified("补办身份证") == "补办身份证"


def test_folding_keeps_length_so_positions_stay_valid() -> None:
    for text in ("乾隆著名的頭髮乾了", "營業執照辦好了，還要辦什麼", "ok 123"):
        assert len(to_simplified(text)) == len(text)


def test_script_is_recognised_but_shared_characters_alone_do_not_count() -> None:
    assert is_traditional("補辦身份證")
    assert not is_traditional("补办身份证")
    assert not is_traditional("著名的商标")  # 著 is also simplified


def test_answers_go_back_in_traditional_characters() -> None:
    assert to_traditional("办理部门") == "辦理部門"
    assert to_simplified(to_traditional("营业执照办好了，还要办什么")) == "营业执照办好了，还要办什么"


def test_dispute_normalisation_uses_the_same_converter() -> None:
    assert normalise("窗口話材料唔齊") == "窗口话材料唔齐"


def test_cantonese_characters_keep_their_usual_spelling() -> None:
    assert to_simplified("搵人工") == "搵人工"
    assert to_simplified("嗰个证") == "嗰个证"
    assert not is_traditional("我想搵人问下嗰个证")
