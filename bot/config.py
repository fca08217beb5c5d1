"""Settings from environment variables, with safe offline defaults.

Read once per process through :func:`settings`; nothing here touches the network or the disk.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import TypeVar

T = TypeVar("T", int, float)

PROJECT_ROOT = Path(__file__).resolve().parent.parent
CATALOG_DIR = Path(__file__).resolve().parent / "catalog" / "data"


def env_number(name: str, default: T, cast: Callable[[str], T]) -> T:
    """An environment variable as a number, with a clear error naming the variable."""
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        return cast(raw)
    except ValueError as exc:
        raise ValueError(f"environment variable {name} must be a number, got {raw!r}") from exc


@dataclass(frozen=True)
class Settings:
    """Everything an operator may change without touching code."""

    catalog_dir: Path
    data_dir: Path
    max_text_chars: int
    max_body_bytes: int
    first_consultation_unit: str
    # Channel name → first-consultation unit, from SHOUZI_FIRST_UNIT_<CHANNEL> (e.g. _WECHAT).
    first_unit_by_channel: dict[str, str]
    # Days a consultation or rating is kept before `python -m bot.records.retention` removes it.
    retention_days: int
    # Routing: below this top share the department is not "named with confidence".
    route_min_confidence: float
    # Request types below this confidence on a message without government evidence are out of scope.
    oos_confidence: float
    # REST is for trusted integrators: when set, every REST request must carry ``Authorization: Bearer …``.
    rest_token: str = ""

    def first_unit_for(self, channel: str) -> str:
        """The unit that owns matters arriving on ``channel`` (R1/R4: configurable per channel)."""
        return self.first_unit_by_channel.get(channel.lower(), self.first_consultation_unit)


@lru_cache(maxsize=1)
def settings() -> Settings:
    """The process-wide settings (cached; call ``settings.cache_clear()`` in tests)."""
    return Settings(
        catalog_dir=Path(os.environ.get("SHOUZI_CATALOG_DIR", str(CATALOG_DIR))),
        data_dir=Path(os.environ.get("SHOUZI_DATA_DIR", str(PROJECT_ROOT / "var"))),
        max_text_chars=env_number("SHOUZI_MAX_TEXT_CHARS", 2000, int),
        max_body_bytes=env_number("SHOUZI_MAX_BODY_BYTES", 65536, int),
        first_consultation_unit=os.environ.get("SHOUZI_FIRST_UNIT", "南海区行政服务中心"),
        first_unit_by_channel={
            k.removeprefix("SHOUZI_FIRST_UNIT_").lower(): v
            for k, v in os.environ.items()
            if k.startswith("SHOUZI_FIRST_UNIT_") and v.strip()
        },
        retention_days=env_number("SHOUZI_RETENTION_DAYS", 730, int),
        route_min_confidence=env_number("SHOUZI_ROUTE_MIN_CONFIDENCE", 0.45, float),
        oos_confidence=env_number("SHOUZI_OOS_CONFIDENCE", 0.5, float),
        rest_token=os.environ.get("SHOUZI_REST_TOKEN", "").strip(),
    )
