"""Talks to a running assistant the way WeChat does: signed XML in, the XML reply (or ``success``
followed by 客服消息 at the fake WeChat API) out."""

from __future__ import annotations

import re
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import xmltodict

from bot.wechat import wire
from tests.server.conftest import Running, launch, model_under_test
from tests.wechat import signing
from tests.wechat.fake_api import FakeWeChat

PATH = "/webhooks/wechat/webhook"
OPTION_LINE = re.compile(r"^(\d+)\. (.+)$", re.MULTILINE)


def http(url: str, data: bytes | None = None, timeout: float = 30) -> tuple[int, str]:
    req = urllib.request.Request(url, data=data, headers={"Content-Type": "text/xml"})
    try:
        with urllib.request.urlopen(req, timeout=timeout) as resp:
            return resp.status, resp.read().decode("utf-8", "replace")
    except urllib.error.HTTPError as err:
        return err.code, err.read().decode("utf-8", "replace")


@dataclass
class WeChatDoor:
    base: str
    fake: FakeWeChat
    safe_mode: bool = False

    def post(self, inner: str, query: str | None = None) -> tuple[int, str]:
        """Posts one message as WeChat would (encrypted in safe mode); the raw status and body."""
        if self.safe_mode and query is None:
            body, query = signing.encrypted(inner)
        else:
            body, query = inner, query or signing.query()
        return http(f"{self.base}{PATH}?{query}", body.encode("utf-8"))

    def passive(self, body: str) -> dict[str, str]:
        """The passive reply's fields (decrypted in safe mode)."""
        inner = signing.decrypt_reply(body) if self.safe_mode else body
        return dict(xmltodict.parse(inner)["xml"])

    def answer(self, inner: str, sender: str, timeout: float = 30) -> list[str]:
        """Everything the applicant reads for one message: the passive reply, or the 客服 messages."""
        before = len(self.fake.texts_to(sender))
        status, body = self.post(inner)
        assert status == 200, body
        if body != wire.SUCCESS:
            fields = self.passive(body)
            assert fields["ToUserName"] == sender and fields["MsgType"] == "text"
            return [fields["Content"]]
        self.fake.wait_for(lambda: self.fake.texts_to(sender)[before:], timeout)
        time.sleep(0.3)  # a reply split in several messages arrives as several calls
        return self.fake.texts_to(sender)[before:]

    def say(self, sender: str, text: str) -> str:
        return "\n".join(self.answer(signing.text(sender, text), sender))


def options(text: str) -> dict[str, str]:
    """The numbered options of a reply: title → number."""
    return {title.strip(): number for number, title in OPTION_LINE.findall(text)}


def launch_door(data_dir: Path, fake: FakeWeChat, **extra: str) -> Running:
    """The assistant with the WeChat door on, pointed at ``fake``; ``extra`` adds or overrides settings."""
    settings = {
        "SHOUZI_WECHAT_TOKEN": signing.TOKEN,
        "SHOUZI_WECHAT_APPID": signing.APP_ID,
        "SHOUZI_WECHAT_SECRET": "test-secret",
        "SHOUZI_WECHAT_API_BASE": fake.base,
    }
    return launch(model_under_test(), data_dir, **{**settings, **extra})
