"""The charts are written as PNGs, with or without a CJK font."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.evaluation import charts
from bot.evaluation.report import score_request_types, score_routing

PNG = b"\x89PNG\r\n\x1a\n"


def test_confusion_chart_writes_a_png(tmp_path: Path) -> None:
    s = score_request_types(["consult_item", "complaint", "greet"], ["consult_item", "report_issue", "greet"])
    out = charts.confusion_chart(s, tmp_path / "img" / "c.png", cjk=charts.find_cjk_font() is not None)
    assert out.read_bytes().startswith(PNG)


def test_department_chart_writes_a_png(tmp_path: Path) -> None:
    r = score_routing(["hrss", "psb", "psb"], [["hrss"], ["tax"], ["psb"]])
    out = charts.department_chart(r, tmp_path / "d.png", {"hrss": "区人社局", "psb": "南海公安分局"}, cjk=False)
    assert out.read_bytes().startswith(PNG)


def test_missing_cjk_font_warns_and_still_draws(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(charts, "find_cjk_font", lambda: None)
    with pytest.warns(UserWarning, match="fonts-wqy-microhei"):
        assert charts.use_cjk_font() is False
    r = score_routing(["hrss"], [["hrss"]])
    with pytest.warns(UserWarning):
        out = charts.department_chart(r, tmp_path / "d.png", {"hrss": "区人社局"})
    assert out.read_bytes().startswith(PNG)
