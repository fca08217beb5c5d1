"""The evaluation arithmetic on small hand-made cases whose answers are worked out by hand."""

from __future__ import annotations

import math

import pytest

from bot.evaluation.report import (
    EvaluationReport,
    ExternalScore,
    RunInfo,
    render_markdown,
    score_request_types,
    score_routing,
    score_tiers,
    summary_fields,
    summary_line,
)

# 3 consult_item, 2 complaint, 1 report_issue; one consult taken for a complaint, one complaint for a report.
GOLD = ["consult_item"] * 3 + ["complaint"] * 2 + ["report_issue"]
PRED = ["consult_item", "consult_item", "complaint", "complaint", "report_issue", "report_issue"]


def test_per_class_precision_recall_f1_and_macro() -> None:
    s = score_request_types(GOLD, PRED)
    by = {c.label: c for c in s.classes}
    assert (by["consult_item"].precision, by["consult_item"].recall) == (1.0, pytest.approx(2 / 3))
    assert by["consult_item"].f1 == pytest.approx(0.8)
    assert (by["complaint"].precision, by["complaint"].recall, by["complaint"].f1) == (0.5, 0.5, 0.5)
    assert (by["report_issue"].precision, by["report_issue"].recall) == (0.5, 1.0)
    assert by["report_issue"].f1 == pytest.approx(2 / 3)
    assert s.macro_f1 == pytest.approx((0.8 + 0.5 + 2 / 3) / 3)
    assert s.accuracy == pytest.approx(4 / 6)
    assert [c.support for c in s.classes] == [3, 2, 1]


def test_confusion_matrix_rows_are_gold_in_contract_order() -> None:
    s = score_request_types(GOLD, PRED)
    assert s.rows == s.columns == ("consult_item", "complaint", "report_issue")
    assert s.matrix == ((2, 1, 0), (0, 1, 1), (0, 0, 1))


def test_labels_only_predicted_get_a_column_not_a_row() -> None:
    s = score_request_types(["consult_item", "greet", "zzz"], ["out_of_scope", "greet", "zzz"])
    assert s.rows == ("consult_item", "greet", "zzz")
    assert s.columns == ("consult_item", "greet", "zzz", "out_of_scope")
    assert s.matrix == ((0, 0, 0, 1), (0, 1, 0, 0), (0, 0, 1, 0))
    assert s.classes[0].f1 == 0.0


def test_mismatched_lengths_are_refused() -> None:
    with pytest.raises(ValueError):
        score_request_types(["greet"], [])
    with pytest.raises(ValueError):
        score_routing(["hrss"], [])


def test_routing_top1_top3_and_macro() -> None:
    r = score_routing(["hrss", "hrss", "psb", "tax"], [["hrss", "psb"], ["psb", "hrss"], ["psb"], []])
    assert (r.n, r.top1, r.top3) == (4, 0.5, 0.75)
    assert r.macro == pytest.approx((0.5 + 1.0 + 0.0) / 3)
    assert [(d.code, d.n, d.top1) for d in r.departments] == [("hrss", 2, 1), ("psb", 1, 1), ("tax", 1, 0)]


def test_top3_looks_only_at_the_first_three() -> None:
    assert score_routing(["tax"], [["a", "b", "c", "tax"]]).top3 == 0.0


def test_empty_sets_give_no_figure_rather_than_a_crash() -> None:
    assert math.isnan(score_routing([], []).top1)
    assert math.isnan(score_request_types([], []).macro_f1)


def test_tiers_compare_as_text_and_null_is_wrong() -> None:
    t = score_tiers(["3", "2", " 4"], [3, None, "4"], first_row=31)
    assert (t.first_row, t.last_row, t.n, t.correct, t.null) == (31, 33, 3, 2, 1)
    assert t.accuracy == pytest.approx(2 / 3)


def test_summary_line_takes_only_the_figures_line() -> None:
    last = "haikou_dev: n=12 top1=0.500 top3=0.750 macro=0.400 p50=19.8ms p95=30.1ms"
    line = summary_line("haikou_dev", f"per class (correct/total):\n  hrss 3/4 0.750\n{last}\n")
    assert line == last
    assert summary_fields(line)["top3"] == "0.750"
    assert summary_fields(line)["p50"] == "19.8ms"


@pytest.mark.parametrize(
    "out",
    ["", "API failed on '某段文字': HTTP Error 422", "teddy_dev: n=3 top1=0.5", "haikou_dev: n=3 top1=0.5 说明"],
)
def test_summary_line_refuses_anything_else(out: str) -> None:
    assert summary_line("haikou_dev", out) is None


def _report() -> EvaluationReport:
    return EvaluationReport(
        info=RunInfo("abc1234+dirty", "2026-11-28", "shouzi-config-x.tar.gz", None, "held.yml", "d.csv"),
        request_types=score_request_types(GOLD, PRED),
        routing=score_routing(["hrss", "hrss", "psb", "tax"], [["hrss"], ["psb", "hrss"], ["psb"], []]),
        tiers=(score_tiers(["3", "2"], [3, 2]), score_tiers(["4", "1"], [None, 1], 31, held_out=True)),
        external=(
            ExternalScore("haikou_dev", "haikou_dev: n=12 top1=0.500 top3=0.750 macro=0.400 type=0.900"),
            ExternalScore("teddy_dev", None, "score.py exited with status 1 and no summary line"),
        ),
        charts={"Department top-1": "img/department_top1.png"},
    )


def test_markdown_shows_the_figures_and_where_they_came_from() -> None:
    md = render_markdown(_report(), {"hrss": "区人社局"})
    for expected in [
        "abc1234+dirty",
        "2026-11-28",
        "shouzi-config-x.tar.gz",
        "| request type macro-F1 (held-out) | 0.656 | 6 |",
        "| request type accuracy (held-out) | 0.667 | 6 |",
        "| 咨询事项 `consult_item` | 1.000 | 0.667 | 0.800 | 3 |",
        "| `consult_item` | 2 | 1 | · |",
        "top-1 0.500, top-3 0.750",
        "| 区人社局 `hrss` | 2 | 1 | 0.500 |",
        "| escalation tier accuracy, rows 1–2 | 1.000 | 2 |",
        "| escalation tier accuracy, rows 31–32 (held-out) | 0.500 | 2 |",
        "| 31–32 (held-out) | 1 | 1 | 2 | 0.500 |",
        "| `tax` | 1 | 0 | 0.000 |",
        "haikou_dev: n=12 top1=0.500 top3=0.750 macro=0.400 type=0.900",
        "| haikou_dev | 12 | 0.500 | 0.750 | 0.400 | 0.900 |",
        "teddy_dev: not scored (score.py exited with status 1",
        "![Department top-1](img/department_top1.png)",
        "make eval",
    ]:
        assert expected in md, expected


def test_markdown_says_when_the_model_is_not_current_and_external_sets_are_absent() -> None:
    r = _report()
    info = RunInfo("abc1234", "2026-11-28", "m.tar.gz", "not the current model", "h", "d")
    md = render_markdown(EvaluationReport(info, r.request_types, r.routing, r.tiers, (), {}))
    assert "`m.tar.gz` — not the current model" in md
    assert "does not exist on this machine" in md
