"""The widget's settings: origins, session lifetime, first units a page may name."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from bot.config import settings
from bot.web.config import CHANNEL, parse_units, web_settings


@pytest.fixture(autouse=True)
def fresh() -> Iterator[None]:
    web_settings.cache_clear()
    settings.cache_clear()
    yield
    web_settings.cache_clear()
    settings.cache_clear()


def test_defaults(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("SHOUZI_WEB_ORIGINS", "SHOUZI_WEB_SESSION_DAYS", "SHOUZI_FIRST_UNIT", "SHOUZI_FIRST_UNIT_WEB"):
        monkeypatch.delenv(name, raising=False)
    s = web_settings()
    assert s.origins == frozenset() and s.session_seconds == 30 * 86400
    assert s.unit(None) == (CHANNEL, "南海区行政服务中心")


def test_overrides_and_errors(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SHOUZI_WEB_ORIGINS", "https://www.nanhai.gov.cn")
    monkeypatch.setenv("SHOUZI_WEB_SESSION_DAYS", "0.5")
    s = web_settings()
    assert s.origins == {"https://www.nanhai.gov.cn"} and s.session_seconds == 43200
    monkeypatch.setenv("SHOUZI_WEB_SESSION_DAYS", "soon")
    web_settings.cache_clear()
    with pytest.raises(ValueError, match="SHOUZI_WEB_SESSION_DAYS"):
        web_settings()


def test_pages_may_name_configured_first_units_only(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SHOUZI_FIRST_UNIT_WEB", "区网站咨询")
    monkeypatch.setenv("SHOUZI_FIRST_UNIT_WEB_XIQIAO", "西樵镇行政服务中心")
    s = web_settings()
    assert s.unit("西樵镇行政服务中心") == ("web_xiqiao", "西樵镇行政服务中心")
    assert s.unit("xiqiao") == s.unit("XIQIAO") == ("web_xiqiao", "西樵镇行政服务中心")
    assert s.unit("随便写的单位") == ("web", "区网站咨询")
    # the records resolve the channel to the same unit
    assert settings().first_unit_for("web_xiqiao") == "西樵镇行政服务中心"


def test_unit_keys_must_fit_a_channel_name() -> None:
    with pytest.raises(ValueError, match="SHOUZI_FIRST_UNIT_WEB_"):
        parse_units({"SHOUZI_FIRST_UNIT_WEB_" + "X" * 30: "单位"})
    assert parse_units({"SHOUZI_FIRST_UNIT_WEB_A": " "}) == {}
