"""bot.wechat.render: numbered options, typed choices, links, no Markdown, the 2,048-byte split."""

from __future__ import annotations

from bot.conversation.replies import Button, Reply, greeting, rating_request
from bot.wechat import wire
from bot.wechat.render import choose, plain, render, split


def test_buttons_become_numbered_options_that_map_back() -> None:
    out = render([greeting()])
    assert len(out.messages) == 1
    text = out.messages[0]
    assert "回复数字即可选择：\n1. 开办企业\n2. 户籍与身份证" in text
    assert choose("2", out.options) == "补办身份证要带什么材料"
    assert choose(" 2。", out.options) == "补办身份证要带什么材料"
    assert choose("户籍与身份证", out.options) == "补办身份证要带什么材料"
    assert choose("9", out.options) is None and choose("补办身份证", out.options) is None
    assert choose("1", []) is None and choose("", out.options) is None


def test_only_the_last_question_is_numbered() -> None:
    first = Reply(
        kind="a", title="已为您登记。", buttons=(Button("查询进度", "TJ202612010001"), Button("转人工", "转人工"))
    )
    out = render([first, rating_request()])
    text = out.messages[0]
    assert "也可以直接回复：“查询进度”、“转人工”" in text
    assert "1. 非常满意" in text and "5. 非常不满意" in text
    assert choose("1", out.options) == "非常满意"
    assert choose("查询进度", out.options) == "TJ202612010001"


def test_links_and_markdown() -> None:
    assert plain("见 [广东政务服务网](https://www.gdzwfw.gov.cn/) 办理") == (
        '见 <a href="https://www.gdzwfw.gov.cn/">广东政务服务网</a> 办理'
    )
    assert plain("登录 https://www.gdzwfw.gov.cn/ 查询") == (
        '登录 <a href="https://www.gdzwfw.gov.cn/">https://www.gdzwfw.gov.cn/</a> 查询'
    )
    assert plain("**注意**：# 标题") == "注意：# 标题"


def test_split_keeps_order_and_the_byte_limit() -> None:
    lines = [f"第{i}行：" + "材料清单" * 30 for i in range(40)]
    text = "\n".join(lines)
    parts = split(text)
    assert len(parts) > 1
    assert all(len(p.encode("utf-8")) <= wire.TEXT_LIMIT_BYTES for p in parts)
    assert "\n".join(parts) == text
    long_line = "办" * 3000  # one line longer than the limit is cut between characters
    cut = split(long_line)
    assert "".join(cut) == long_line and all(len(p.encode()) <= wire.TEXT_LIMIT_BYTES for p in cut)
    assert split("  \n ") == ()
