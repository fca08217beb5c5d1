"""Builds tests/data/calls.yml: the held-out requests (tests/nlu/held_out.yml) wrapped as hotline calls.

Each held-out request that names a department becomes two calls: one as speech recognition gives it
(no speaker labels, the agent's greeting and closing run into the caller's words, fillers, a restart)
and one typed with speaker labels (坐席/市民, 话务员/来电人 …) and the agent's questions in between.
The file is a measuring set only: never trained on (tests/test_nlu_data.py keeps nlu_data/ apart from
tests/). Run ``python tests/data/make_calls.py`` after changing the held-out set; the output is stable.
"""

from __future__ import annotations

import re
from pathlib import Path

import yaml

from bot.evaluation.heldout import read_examples

HERE = Path(__file__).resolve().parent
HELD_OUT = HERE.parent / "nlu" / "held_out.yml"
OUT = HERE / "calls.yml"

GREETINGS = (
    "您好，12345政务服务便民热线，很高兴为您服务，请问有什么可以帮您？",
    "您好，这里是南海区12345热线，工号1027，请问有什么可以帮您？",
    "你好，12345热线，请问有什么可以帮到您",
    "您好，佛山12345热线，32号话务员为您服务，请问有什么可以帮您？",
)
CLOSINGS = (
    "好的，已经帮您记录了，请问还有其他问题吗？",
    "好的，这边帮您登记了，相关部门会在三个工作日内联系您，请保持电话畅通。",
    "好的，我们会尽快把您的问题转交相关部门处理，请问还有其他问题吗？",
)
GOODBYES = ("感谢您的来电，再见。", "感谢您致电12345热线，稍后会有短信邀请您对本次服务进行评价，再见。")
CALLER_ENDS = ("没有了，谢谢。", "冇了，多谢。", "好的，谢谢你。")
OPENERS = ("嗯，", "喂，你好，", "那个，", "呃，")
LABELS = (("坐席", "市民"), ("话务员", "来电人"), ("坐席", "来电者"), ("座席", "群众"))
NAMES = ("我姓陈", "我姓黄", "免贵姓梁", "叫我李小姐就得")


def restart(text: str) -> str:
    """A caller starting over: the first few characters said twice ("开餐馆，开餐馆要…")."""
    m = re.match(r"[\u4e00-\u9fff]{3}", text)
    return f"{m.group(0)}，{text}" if m else text


def asr(i: int, text: str) -> str:
    """Speech recognition: no labels; every other call also without punctuation."""
    parts = [GREETINGS[i % 4], OPENERS[i % 4] + restart(text), CLOSINGS[i % 3], CALLER_ENDS[i % 3], GOODBYES[i % 2]]
    joined = "".join(parts)
    return re.sub(r"[，。？！,.?!]", " ", joined).strip() if i % 2 else joined


def labelled(i: int, text: str) -> str:
    agent, caller = LABELS[i % 4]
    lines = [
        f"{agent}：{GREETINGS[(i + 1) % 4]}",
        f"{caller}：{OPENERS[(i + 2) % 4]}{text}",
        f"{agent}：好的，请问您怎么称呼？",
        f"{caller}：{NAMES[i % 4]}",
        f"{agent}：{CLOSINGS[(i + 1) % 3]}",
        f"{caller}：{CALLER_ENDS[(i + 1) % 3]}",
        f"{agent}：{GOODBYES[(i + 1) % 2]}",
    ]
    return "\n".join(lines)


def build() -> list[dict[str, object]]:
    examples = [e for e in read_examples(HELD_OUT) if e.department]
    calls: list[dict[str, object]] = []
    for i, e in enumerate(examples):
        for shape, text in (("asr", asr(i, e.text)), ("labelled", labelled(i, e.text))):
            calls.append(
                {
                    "shape": shape,
                    "department": e.department,
                    "request_type": e.request_type,
                    "plain": e.text,
                    "text": text,
                }
            )
    return calls


def main() -> None:
    header = (
        "# Hotline calls built from tests/nlu/held_out.yml by tests/data/make_calls.py (measuring only;\n"
        "# never train on this file). department: the gold department of the caller's request.\n"
    )
    body = yaml.safe_dump({"calls": build()}, allow_unicode=True, sort_keys=False, width=4096)
    OUT.write_text(header + body, encoding="utf-8")


if __name__ == "__main__":
    main()
