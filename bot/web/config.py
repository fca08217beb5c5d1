"""The widget's settings from environment variables (read once per process, like :mod:`bot.config`).

| variable | default | meaning |
| --- | --- | --- |
| ``SHOUZI_WEB_ORIGINS`` | (none) | other sites allowed to embed the widget, e.g. ``https://www.nanhai.gov.cn`` |
| ``SHOUZI_WEB_SECRET`` | a random key in ``$SHOUZI_DATA_DIR/web-session.key`` | signs visitors' sessions |
| ``SHOUZI_WEB_SESSION_DAYS`` | ``30`` | a session unused this long expires (each visit renews it) |
| ``SHOUZI_FIRST_UNIT_WEB_<KEY>`` | (none) | a first-consultation unit a page may name with ``data-first-unit`` |
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache

from bot.config import env_number, settings
from bot.web.cors import parse_origins

CHANNEL = "web"
UNIT_PREFIX = "SHOUZI_FIRST_UNIT_WEB_"
_KEY = re.compile(r"[a-z0-9_]{1,24}")
DAY = 86400


@dataclass(frozen=True)
class WebSettings:
    origins: frozenset[str]
    session_seconds: int
    # data-first-unit value (a unit's name or its key) → (channel, unit name)
    units: Mapping[str, tuple[str, str]]

    def unit(self, requested: str | None) -> tuple[str, str]:
        """The channel a page's messages go through, and the first-consultation unit owning them.

        Pages name a unit configured as ``SHOUZI_FIRST_UNIT_WEB_<KEY>``; anything else (a typo, or a
        page trying a unit of its own invention) gets the web channel's own unit."""
        if requested:
            key = requested.strip()
            found = self.units.get(key) or self.units.get(key.lower())
            if found:
                return found
        return CHANNEL, settings().first_unit_for(CHANNEL)


def parse_units(env: Mapping[str, str]) -> dict[str, tuple[str, str]]:
    units: dict[str, tuple[str, str]] = {}
    for name, value in sorted(env.items()):
        if not name.startswith(UNIT_PREFIX) or not value.strip():
            continue
        key = name.removeprefix(UNIT_PREFIX).lower()
        if not _KEY.fullmatch(key):
            raise ValueError(f"{name}: the key after {UNIT_PREFIX} must be 1–24 letters, digits or _")
        entry = (f"{CHANNEL}_{key}", value.strip())
        units[key] = entry
        units[value.strip()] = entry
    return units


@lru_cache(maxsize=1)
def web_settings() -> WebSettings:
    seconds = int(env_number("SHOUZI_WEB_SESSION_DAYS", 30.0, float) * DAY)
    if seconds <= 0:
        raise ValueError("SHOUZI_WEB_SESSION_DAYS must be positive")
    return WebSettings(
        origins=parse_origins(os.environ.get("SHOUZI_WEB_ORIGINS")),
        session_seconds=seconds,
        units=parse_units(os.environ),
    )
