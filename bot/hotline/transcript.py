"""A call, not a message: what reaches the console is a conversation, typed by the agent or streamed
in by speech recognition. The agent's own formulae ("您好，12345 热线…", "请问还有其他问题吗", "感谢
您的来电") name the hotline and its department and would pull every call towards it; speaker labels,
fillers and repetitions add noise. This module keeps what the caller said and reports what it left
out, so the analysis can say so in its evidence.

Pure and linear-time (a fixed list of bounded patterns); a text with none of these cues comes back
unchanged, so a plain message is analysed exactly as before.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.vocabulary import Speaker

# Labels that start a speaker's turn: "坐席：", "市民:", "来电人 ：" (at a line start or after a pause).
AGENT_LABELS = ("坐席", "座席", "话务员", "接线员", "客服", "热线", "工作人员")
CALLER_LABELS = ("市民", "来电人", "来电者", "群众", "用户", "客户", "caller")
_LABEL = re.compile(
    r"(?:^|(?<=[\s。！？!?；;，,]))(" + "|".join(AGENT_LABELS + CALLER_LABELS) + r")\s*[：:]",
    re.IGNORECASE,
)

# Why a piece of the call was left out (shown to the agent in the evidence).
AGENT_TURN = "坐席的发言"
AGENT_FORMULA = "坐席用语"
COURTESY = "来电人的寒暄"
FILLER = "语气词"
REPEAT = "重复"

_P = r"[，,。.！!？?、\s]*"  # a pause, if any (speech recognition often gives none)
_CLAUSE = r"[^，,。！!？?\n]"
# The agent's formulae, each bounded so that nothing here can swallow a caller's sentence.
AGENT_FORMULAE: tuple[re.Pattern[str], ...] = tuple(
    re.compile(p)
    for p in (
        # The greeting that names the hotline (which is why calls were routed to its department).
        r"(?:您好|你好)" + _P + r"(?:欢迎致电|这里是|感谢致电|感谢您致电)?" + _CLAUSE + r"{0,8}?12345"
        r"(?:政务服务便民|政务服务|便民服务)?(?:热线|服务热线)?(?:中心)?",
        r"(?:欢迎致电|感谢您?致电|这里是)" + _CLAUSE + r"{0,8}?12345" + _CLAUSE + r"{0,10}?热线(?:中心)?",
        r"(?:工号\s*\d+\s*号?|\d+\s*号(?:话务员|座席|坐席|接线员)|(?:话务员|座席|坐席|接线员)\s*\d+\s*号)",
        r"(?:很高兴|竭诚|正在)为您服务",
        r"(?:请问)?(?:有什么|有啥|有乜|有咩|有什么问题)(?:可以|能)?(?:帮|帮助|帮到|为)(?:到)?(?:您|你)(?:的|服务)?(?:吗|呢)?",
        r"请问(?:您|你)?(?:贵姓|怎么称呼|怎样称呼)",
        r"请问(?:您|你)的?(?:联系)?(?:电话|手机|号码)(?:号码)?(?:是)?(?:多少)?",
        r"请问(?:您|你)?(?:是在|在|是)?哪个(?:镇街|镇|街道)(?:的|呢)?",
        r"请问(?:您|你)?还有(?:没有)?(?:其他|别的|什么)(?:问题|需要|可以帮您)?(?:需要)?(?:咨询|帮助|反映)?(?:的)?(?:吗|呢)?",
        r"(?:好的|好|嗯好|明白|了解)?" + _P + r"(?:我这边|这边|我们|我)?(?:已经)?(?:帮|为|给)(?:您|你)"
        r"(?:记录|登记|反映|转交|反馈|转达)(?:下来|一下|上去)?(?:了)?",
        r"(?:我们|这边|我这边)?(?:会|将)(?:尽快)?(?:把|将)?(?:您|你)?的?(?:问题|诉求|情况|意见)?"
        r"(?:转交|转给|派单给|派发给|反馈给|转到)(?:相关|有关|职能|责任)?(?:部门|单位)(?:处理|跟进)?",
        r"(?:相关|有关|职能|责任)(?:部门|单位)会(?:在" + _CLAUSE + r"{0,10}?)?(?:联系|回复|答复|回访)(?:您|你)",
        r"请(?:您|你)?保持(?:电话|手机)畅通",
        r"请(?:您|你)?稍等(?:一下)?",
        r"(?:请)?(?:您|你)?(?:稍后)?(?:对我的服务|对本次服务)(?:进行)?(?:满意度)?评价",
        r"稍后(?:会有|将有|系统会|会)?(?:发送)?(?:短信|满意度)" + _CLAUSE + r"{0,12}",
        r"(?:感谢|谢谢)(?:您的?|你的?)?(?:来电|致电)(?:12345)?(?:热线)?",
        r"祝(?:您|你)" + _CLAUSE + r"{0,8}?(?:愉快|顺利|开心)",
        r"再见",
    )
)
# What a caller says that is no part of the matter: a hello at the start, a goodbye at the end.
CALLER_COURTESY: tuple[re.Pattern[str], ...] = tuple(
    re.compile(p)
    for p in (
        r"(?:^|(?<=[，,。！？!?\s]))(?:喂+|哈喽|你好|您好)(?:啊|呀)?(?=[，,。！？!?\s]|$)",
        r"(?:没有了|冇了|无了|没了|没有啦|冇啦)" + _P + r"(?:谢谢|多谢|唔该)?(?:你|您|晒)?(?:啦|了|哈|啊)?",
        r"(?:好的|好|嗯|行|OK|ok)" + _P + r"(?:谢谢|多谢|唔该)(?:你|您|晒)?(?:啦|了|哈|啊)?" + _P + r"$",
        r"(?:拜拜|再见)" + _P + r"$",
    )
)
# Interjections and hesitation words: on their own, or before a pause.
_ALONE_BEFORE = r"(?:^|(?<=[，,。！？!?、\s]))"
_ALONE_AFTER = r"(?=[，,。！？!?、\s]|$)"
FILLERS = re.compile(
    _ALONE_BEFORE
    + r"(?:嗯+|呃+|额+|唔+|啊+|哦+|噢+|诶+|嗯嗯|好的|好|明白|了解|是的|对的?|系啊|系|OK|ok)"
    + _ALONE_AFTER
    + r"|(?:那个|就是说|然后呢)(?=[，,\s])"
)
# A clause said twice in a row ("我想问一下，我想问一下") and a character stammered ("我我我").
REPEATED_CLAUSE = re.compile(r"([\u4e00-\u9fff]{2,8})(?:[，,、\s]*\1)+")
STAMMER = re.compile(r"([\u4e00-\u9fff])\1{2,}")
MAX_IGNORED_SHOWN = 40


@dataclass(frozen=True)
class Ignored:
    text: str
    why: str


@dataclass(frozen=True)
class Turn:
    speaker: str  # bot.vocabulary.Speaker
    text: str


@dataclass(frozen=True)
class CallText:
    """The caller's words, ready for the analysis, and what was left out of them."""

    original: str
    caller_text: str
    labelled: bool  # the text carried speaker labels
    ignored: tuple[Ignored, ...]

    @property
    def changed(self) -> bool:
        return self.caller_text != self.original.strip()

    def as_api(self) -> dict[str, object]:
        return {
            "caller_text": self.caller_text,
            "labelled": self.labelled,
            "ignored": [{"text": i.text, "why": i.why} for i in self.ignored[:MAX_IGNORED_SHOWN]],
        }


def speaker_of(label: str) -> str:
    return str(Speaker.AGENT) if label in AGENT_LABELS else str(Speaker.CALLER)


def turns(text: str) -> tuple[list[Turn], bool]:
    """The call split at its speaker labels; text before any label (or with none) is ``unknown``."""
    found = list(_LABEL.finditer(text))
    if not found:
        return [Turn(Speaker.UNKNOWN, text)], False
    out: list[Turn] = []
    head = text[: found[0].start()].strip()
    if head:
        out.append(Turn(Speaker.UNKNOWN, head))
    for i, m in enumerate(found):
        end = found[i + 1].start() if i + 1 < len(found) else len(text)
        label = m.group(1)
        out.append(Turn(speaker_of(label), text[m.end() : end].strip()))
    return out, True


def _strip(text: str, patterns: tuple[re.Pattern[str], ...], why: str, ignored: list[Ignored]) -> str:
    for p in patterns:
        text = p.sub(lambda m: _drop(m, why, ignored), text)
    return text


def _drop(m: re.Match[str], why: str, ignored: list[Ignored]) -> str:
    said = m.group(0).strip(" ，,。！？!?、")
    if said:
        ignored.append(Ignored(said, why))
    return "，"


_PAUSES = re.compile(r"[，,、。！？!?\s]+")
_FULL_STOP = re.compile(r"[。！？!?]")


def _tidy(text: str) -> str:
    """Pauses left behind by the removals collapsed into one mark; none at either end."""
    text = _PAUSES.sub(lambda m: "。" if _FULL_STOP.search(m.group(0)) else "，", text)
    return text.strip("，。")


def clean_caller(text: str, ignored: list[Ignored]) -> str:
    """One stretch of a caller's (or an unknown speaker's) words without fillers, stammers and repeats."""
    text = FILLERS.sub(lambda m: _drop(m, FILLER, ignored), text)
    text = STAMMER.sub(lambda m: _keep_one(m, ignored), text)
    text = REPEATED_CLAUSE.sub(lambda m: _keep_one(m, ignored), text)
    return text


def _keep_one(m: re.Match[str], ignored: list[Ignored]) -> str:
    ignored.append(Ignored(m.group(0), REPEAT))
    return m.group(1)


def read_call(text: str) -> CallText:
    """The caller's words of a call (or the message itself when it is not call-shaped)."""
    ignored: list[Ignored] = []
    parts, labelled = turns(text)
    kept: list[str] = []
    for turn in parts:
        if turn.speaker == Speaker.AGENT:
            if turn.text:
                ignored.append(Ignored(turn.text, AGENT_TURN))
            continue
        said = turn.text
        if turn.speaker == Speaker.UNKNOWN:
            said = _strip(said, AGENT_FORMULAE, AGENT_FORMULA, ignored)
        said = _strip(said, CALLER_COURTESY, COURTESY, ignored)
        said = _tidy(clean_caller(said, ignored))
        if said:
            kept.append(said)
    caller = "，".join(kept) if labelled else (kept[0] if kept else "")
    if not ignored:
        return CallText(text, text.strip(), labelled, ())
    if not caller:  # nothing but formulae: analyse what there is rather than nothing
        return CallText(text, text.strip(), labelled, ())
    return CallText(text, caller, labelled, tuple(ignored))
