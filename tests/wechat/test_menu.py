"""bot.wechat.menu: the real menu loads and covers the required keys; every problem reported at once."""

from __future__ import annotations

import copy
from typing import Any

import pytest
import yaml
from sqlalchemy.engine import Engine

from bot.adapters.wechat.menu_command import main
from bot.wechat.menu import MENU_FILE, MenuError, load_menu, parse_menu
from tests.wechat import signing
from tests.wechat.fake_api import FakeWeChat

REQUIRED_KEYS = {"我要咨询", "查询进度", "退件异议", "评价服务"}


def _data() -> dict[str, Any]:
    data = yaml.safe_load(MENU_FILE.read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data


def test_the_menu_loads_with_the_required_keys() -> None:
    menu = load_menu()
    assert set(menu.clicks) >= REQUIRED_KEYS
    assert menu.clicks["退件异议"].say  # starts the dispute form through the assistant
    assert set(menu.answers) == {"welcome", "voice_unrecognised", "media", "unknown"}
    wire = menu.wire_format()
    assert 1 <= len(wire["button"]) <= 3


def test_every_problem_is_reported_at_once() -> None:
    data = copy.deepcopy(_data())
    data["menu"].append({"name": "第四个菜单", "type": "click", "key": "x"})
    data["menu"][0]["name"] = "一个名字太长的一级菜单"
    data["clicks"]["不存在"] = {"say": "…"}
    data["clicks"]["查询进度"] = {"say": "a", "reply": {"title": "b"}}
    del data["answers"]["media"]
    with pytest.raises(MenuError) as err:
        parse_menu(data)
    text = "\n".join(err.value.problems)
    assert "1 至 3 个一级菜单" in text
    assert "clicks.查询进度: 必须恰好有 say 或 reply 之一" in text
    assert "不在菜单里" in text and "answers.media: 缺少" in text


def test_limits_of_wechat() -> None:
    data = copy.deepcopy(_data())
    data["menu"][0]["name"] = "一个名字太长的一级菜单"
    data["menu"][2]["sub_button"] = [{"name": f"子{i}", "type": "view", "url": "http://x"} for i in range(6)]
    with pytest.raises(MenuError) as err:
        parse_menu(data)
    text = "\n".join(err.value.problems)
    assert "超过 16 字节" in text and "1 至 5 个子按钮" in text


def test_check_command(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check"]) == 0
    assert '"key": "退件异议"' in capsys.readouterr().out


def test_publish_sends_the_menu_with_the_shared_token(
    engine: Engine, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    fake = FakeWeChat().start()
    try:
        monkeypatch.setenv("DATABASE_URL", engine.url.render_as_string(hide_password=False))
        monkeypatch.setenv("SHOUZI_WECHAT_APPID", signing.APP_ID)
        monkeypatch.setenv("SHOUZI_WECHAT_SECRET", "secret")
        monkeypatch.setenv("SHOUZI_WECHAT_API_BASE", fake.base)
        fake.expire_tokens()
        assert main(["publish"]) == 0
        assert fake.menus == [load_menu().wire_format()]
        assert "已发布" in capsys.readouterr().out
    finally:
        fake.stop()
