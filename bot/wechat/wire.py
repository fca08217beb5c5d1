"""Every string WeChat puts on the wire or expects back, named once.

Message types and event names as WeChat sends them (``MsgType``, ``Event``), the literal ``success``
that tells WeChat "no passive reply, do not retry", API paths and the error codes the door acts on.
"""

from __future__ import annotations

from typing import Final

# MsgType values.
TEXT: Final = "text"
VOICE: Final = "voice"
IMAGE: Final = "image"
LOCATION: Final = "location"
LINK: Final = "link"
VIDEO: Final = "video"
SHORT_VIDEO: Final = "shortvideo"
FILE: Final = "file"
EVENT: Final = "event"
# Media an applicant can send that the assistant cannot read.
MEDIA_TYPES: Final = frozenset({IMAGE, LOCATION, LINK, VIDEO, SHORT_VIDEO, FILE})

# Event values (compared in lower case; WeChat writes ``CLICK``, ``SCAN``, ``subscribe``…).
SUBSCRIBE: Final = "subscribe"
UNSUBSCRIBE: Final = "unsubscribe"
CLICK: Final = "click"
SCAN: Final = "scan"
VIEW: Final = "view"
SUBSCRIBE_SCAN: Final = "subscribe_scan"  # wechatpy renames a QR-code subscribe to this
# A subscribe through a parameterised QR code carries this prefix on its EventKey.
QR_SCENE_PREFIX: Final = "qrscene_"

# The body that acknowledges a message without a passive reply.
SUCCESS: Final = "success"

# API paths, under SHOUZI_WECHAT_API_BASE.
STABLE_TOKEN_PATH: Final = "/cgi-bin/stable_token"
CUSTOM_SEND_PATH: Final = "/cgi-bin/message/custom/send"
TEMPLATE_SEND_PATH: Final = "/cgi-bin/message/template/send"
MENU_CREATE_PATH: Final = "/cgi-bin/menu/create"

# API error codes the door reacts to.
OK: Final = 0
SYSTEM_BUSY: Final = -1
INVALID_TOKEN: Final = 40001
EXPIRED_TOKEN: Final = 42001
TOKEN_ERRORS: Final = frozenset({INVALID_TOKEN, EXPIRED_TOKEN, 40014})
# 45015: the 48-hour window for customer-service messages has closed; 45047: too many in a row.
OUT_OF_WINDOW: Final = frozenset({45015, 45047})
# 43004: the user unsubscribed; 40003: not a user of this account. Nothing more can be sent.
UNREACHABLE: Final = frozenset({43004, 40003})

# WeChat's limit for one text message, in UTF-8 bytes.
TEXT_LIMIT_BYTES: Final = 2048
# Customer-service messages may be sent this long after the applicant's last message.
CUSTOMER_SERVICE_WINDOW_HOURS: Final = 48

# The assistant's name for this door: Rasa's input channel, the records' ``channel`` column and the
# ``SHOUZI_FIRST_UNIT_WECHAT`` suffix.
CHANNEL: Final = "wechat"
