"""The conversation cues: follow-up aspects, control words in any form, and the checked cue file."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.conversation.cues import CueError, aspects_asked, fold, is_control, load_cues, says, wants_human


@pytest.mark.parametrize(
    ("text", "aspect"),
    [
        ("要多久？", "time"),
        ("几耐有得攞", "time"),
        ("使唔使钱㗎", "fee"),
        ("可以網上辦嗎", "online"),
        ("喺边度办", "where"),
        ("要带咩资料？", "materials"),
        ("使唔使本人去", "attend"),
        ("可以叫我老公去办吗", "family"),
        ("我唔识用手机，可唔可以去现场办", "cannot_go"),
        ("大概能领多少钱一个月", "amount"),
    ],
)
def test_follow_up_aspects(text: str, aspect: str) -> None:
    assert aspects_asked(text)[0] == aspect


def test_control_words_are_whole_messages_in_any_form() -> None:
    for text in ["取消", "算了，唔搞了", "好的，取消吧", "唔使了"]:
        assert is_control("cancel", text), text
    for text in ["重新开始", "重新開始", "重新嚟过", "从头开始"]:
        assert is_control("restart", text), text
    for text in ["取消预约要怎么操作", "我想重新开始做生意，要办什么证"]:
        assert not is_control("cancel", text) and not is_control("restart", text), text


def test_a_person_but_not_wages() -> None:
    for text in ["转人工", "轉人工", "人工服务", "我要同真人讲", "搵人工"]:
        assert wants_human(text), text
    assert not wants_human("老板拖欠我哋三个月人工")  # 人工 is also Cantonese for wages


def test_traditional_characters_are_folded() -> None:
    assert fold(" 確認提交 ") == "确认提交"
    assert says("recall", "我剛才那個單而家點樣")
    assert says("correction", "不是，我是说给我妈办港澳通行证")


def test_a_bad_cue_file_lists_every_problem(tmp_path: Path) -> None:
    bad = tmp_path / "cues.yaml"
    bad.write_text("aspects:\n  time: ['(']\n  weather: ['x']\nending: []\n", encoding="utf-8")
    with pytest.raises(CueError) as err:
        load_cues(bad)
    message = str(err.value)
    assert "aspects.time" in message and "weather" in message and "ending" in message and "human" in message
