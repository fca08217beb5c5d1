"""Reading a call: the agent's formulae and turns, fillers and repeats left out; plain messages untouched."""

from __future__ import annotations

from pathlib import Path

import yaml

from bot.hotline.transcript import AGENT_FORMULA, AGENT_TURN, COURTESY, FILLER, REPEAT, read_call, turns
from bot.vocabulary import Speaker

CALLS = Path(__file__).resolve().parents[1] / "data" / "calls.yml"


def test_a_plain_message_comes_back_unchanged() -> None:
    for text in (
        "补办身份证要带什么材料",
        "12345热线除咗打电话仲有咩渠道可以反映问题",
        "我想喺桂城开间奶茶店，要办咩证？",
    ):
        call = read_call(text)
        assert call.caller_text == text and call.ignored == () and not call.changed


def test_an_unlabelled_call_keeps_the_callers_words_and_says_what_it_left_out() -> None:
    call = read_call(
        "您好，12345热线，很高兴为您服务，请问有什么可以帮您？嗯，我想问一下，我想问一下开餐馆要办什么证。"
        "好的，请问您在哪个镇街？桂城。好的已经帮您记录了，请问还有其他问题吗？没有了，谢谢。感谢您的来电，再见。"
    )
    assert call.caller_text == "我想问一下开餐馆要办什么证。桂城"
    assert not call.labelled
    whys = {i.why for i in call.ignored}
    assert {AGENT_FORMULA, COURTESY, FILLER, REPEAT} <= whys
    assert any("12345" in i.text for i in call.ignored)


def test_speech_recognition_without_punctuation() -> None:
    call = read_call(
        "您好 这里是南海区12345热线 工号1027 请问有什么可以帮您 喂 你好 技改补 技改补贴点样申请"
        "好的 这边帮您登记了 请保持电话畅通 冇了 多谢 感谢您致电12345热线 再见"
    )
    assert call.caller_text == "技改补贴点样申请"


def test_speaker_labels_drop_the_agents_turns() -> None:
    text = (
        "坐席：您好，12345热线，请问有什么可以帮您？\n市民：我我我想问下补办身份证要带咩\n"
        "坐席：请问还有其他问题吗？\n来电人：冇了，多谢"
    )
    parts, labelled = turns(text)
    assert labelled and [p.speaker for p in parts] == [Speaker.AGENT, Speaker.CALLER, Speaker.AGENT, Speaker.CALLER]
    call = read_call(text)
    assert call.caller_text == "我想问下补办身份证要带咩"
    assert sum(i.why == AGENT_TURN for i in call.ignored) == 2


def test_the_callers_own_numbers_and_words_survive() -> None:
    call = read_call("坐席：请问您的联系电话是多少？\n市民：13912345678，受理号 4406050012345 嘅申请")
    assert "13912345678" in call.caller_text and "4406050012345" in call.caller_text
    assert read_call("我我我想看看这个").caller_text == "我想看看这个"  # a stammer, not a doubled word


def test_nothing_but_formulae_is_analysed_as_it_is() -> None:
    text = "您好，12345热线，请问有什么可以帮您？"
    assert read_call(text).caller_text == text


def test_the_call_set_is_labelled_and_call_shaped() -> None:
    calls = yaml.safe_load(CALLS.read_text(encoding="utf-8"))["calls"]
    assert len(calls) >= 600
    assert {c["shape"] for c in calls} == {"asr", "labelled"}
    assert all(c["department"] and c["plain"] and "12345" in c["text"] for c in calls)
    # Reading each call gives back (at least) the caller's request.
    kept = sum(c["plain"][-6:].strip("。？！ ") in read_call(c["text"]).caller_text for c in calls)
    assert kept / len(calls) >= 0.9
