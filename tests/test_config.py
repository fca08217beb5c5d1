"""Settings come from the environment, with clear errors for bad values."""

from __future__ import annotations

import pytest

from bot.config import settings


def test_defaults_and_overrides(monkeypatch: pytest.MonkeyPatch) -> None:
    settings.cache_clear()
    assert settings().max_text_chars == 2000
    monkeypatch.setenv("SHOUZI_MAX_TEXT_CHARS", "500")
    monkeypatch.setenv("SHOUZI_ROUTE_MIN_CONFIDENCE", "0.6")
    settings.cache_clear()
    assert settings().max_text_chars == 500 and settings().route_min_confidence == 0.6
    monkeypatch.setenv("SHOUZI_MAX_TEXT_CHARS", "lots")
    settings.cache_clear()
    with pytest.raises(ValueError, match="SHOUZI_MAX_TEXT_CHARS"):
        settings()
    monkeypatch.delenv("SHOUZI_MAX_TEXT_CHARS")
    settings.cache_clear()
