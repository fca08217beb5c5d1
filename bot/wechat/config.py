"""WeChat settings from environment variables (documented in docs/wechat.md and README).

The door is off (404) unless ``SHOUZI_WECHAT_TOKEN`` is set; safe mode (AES) is on when
``SHOUZI_WECHAT_AES_KEY`` is set; the customer-service and template APIs need the app id and secret.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

from bot.config import env_number

DEFAULT_API_BASE = "https://api.weixin.qq.com"


@dataclass(frozen=True)
class WeChatSettings:
    token: str  # 服务器配置 → 令牌(Token)
    app_id: str  # 开发者ID(AppID)
    secret: str  # 开发者密码(AppSecret)
    aes_key: str  # 消息加解密密钥(EncodingAESKey), 43 characters; empty = plaintext mode
    api_base: str
    # Seconds a turn may take before the door answers ``success`` and delivers through 客服消息.
    reply_budget: float
    # Requests whose timestamp is further than this from now are refused as replays.
    max_clock_skew: float
    # Template for notifications once the 48-hour customer-service window has closed ('' = wait).
    template_id: str
    # Seconds between passes of the outbox delivery (applicant notifications).
    outbox_every: float

    @property
    def enabled(self) -> bool:
        return bool(self.token)

    @property
    def safe_mode(self) -> bool:
        return bool(self.aes_key)

    @property
    def can_call_api(self) -> bool:
        """The customer-service, template and menu APIs need the app's credentials."""
        return bool(self.app_id and self.secret)


def wechat_settings() -> WeChatSettings:
    """Read on each call (cheap), so tests and operators can change the environment of a process."""
    env = os.environ
    return WeChatSettings(
        token=env.get("SHOUZI_WECHAT_TOKEN", "").strip(),
        app_id=env.get("SHOUZI_WECHAT_APPID", "").strip(),
        secret=env.get("SHOUZI_WECHAT_SECRET", "").strip(),
        aes_key=env.get("SHOUZI_WECHAT_AES_KEY", "").strip(),
        api_base=(env.get("SHOUZI_WECHAT_API_BASE", "").strip() or DEFAULT_API_BASE).rstrip("/"),
        reply_budget=env_number("SHOUZI_WECHAT_REPLY_BUDGET", 4.0, float),
        max_clock_skew=env_number("SHOUZI_WECHAT_MAX_SKEW", 300.0, float),
        template_id=env.get("SHOUZI_WECHAT_TEMPLATE_ID", "").strip(),
        outbox_every=env_number("SHOUZI_WECHAT_OUTBOX_SECONDS", 5.0, float),
    )
