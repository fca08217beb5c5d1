from __future__ import annotations

import logging

import pytest

from bot.records.masking import MaskingFilter
from bot.wechat.privacy import install_openid_masking, mask_openids, masked

OPENID = "oAbCdEfGhIjKlMnOpQrStUvWxYz1"


def test_openids_become_stable_tags() -> None:
    assert len(OPENID) == 28
    assert mask_openids(f"来自 {OPENID} 的消息") == f"来自 {masked(OPENID)} 的消息"
    assert masked(OPENID) == masked(OPENID) and OPENID not in masked(OPENID)


def test_installed_filters_mask_openids_and_phone_numbers_once(monkeypatch: pytest.MonkeyPatch) -> None:
    handler = logging.StreamHandler()
    monkeypatch.setattr(logging.getLogger(), "handlers", [handler])
    from bot.records.masking import install_log_masking

    install_log_masking()
    install_openid_masking()
    install_openid_masking()
    assert sum(isinstance(f, MaskingFilter) for f in handler.filters) == 2
    record = logging.LogRecord("x", logging.INFO, __file__, 1, "%s 的电话 %s", (OPENID, "13812345678"), None)
    for f in handler.filters:
        assert isinstance(f, MaskingFilter) and f.filter(record)
    assert OPENID not in record.msg and "13812345678" not in record.msg
