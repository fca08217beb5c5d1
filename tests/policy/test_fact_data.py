"""The labelled disputes that teach the fact model: bad rows are refused, all of them at once."""

from __future__ import annotations

import csv
from collections import Counter
from pathlib import Path

import pytest

from bot.evaluation.fact_report import DISPUTES
from bot.policy.fact_data import COLUMNS, DATA_DIR, FactDataError, load_examples

HEADER = ",".join(COLUMNS)


def _write(tmp_path: Path, name: str, body: str, header: str = HEADER) -> Path:
    path = tmp_path / name
    path.write_text(header + "\n" + body, encoding="utf-8")
    return path


def test_every_bad_row_is_reported_at_once(tmp_path: Path) -> None:
    bad = _write(
        tmp_path,
        "bad.csv",
        "窗口话我缺材料,1,G1,,false,false\n"  # line 2: fine
        "科室话唔符合条件,5,G3,,false,false\n"  # line 3: tier out of range
        "局领导话冇依据,3,G9,,false,false\n"  # line 4: unknown ground
        "窗口话唔归佢哋,1,G2,,yes,false\n"  # line 5: bad boolean
        "窗口要清单外嘅证明,1,G2,false,false,false\n"  # line 6: material_on_list without G1
        ",2,G3,,false,false\n"  # line 7: empty text
        "窗口,话我,1,G1,,false,false\n"  # line 8: an unquoted comma
        "科室话唔达标,2,G3\n"  # line 9: fields missing
        "窗口话我缺材料,1,G1,,false,false\n",  # line 10: duplicate of line 2
    )
    with pytest.raises(FactDataError) as err:
        load_examples([bad])
    where = [p.split(":")[1] for p in err.value.problems]
    assert where == ["3", "4", "5", "6", "7", "8", "9", "10"], err.value.problems  # one problem a line
    message = str(err.value)
    for words in (
        "rejecting_tier must be 1-4",
        "unknown ground 'G9'",
        "key_project must be true or false",
        "only for material demands",
        "empty text",
        "more fields",
        "fewer fields",
        "duplicate of bad.csv:2",
    ):
        assert words in message


def test_problems_of_several_files_are_reported_together(tmp_path: Path) -> None:
    wrong_header = _write(tmp_path, "a.csv", "窗口话我缺材料,1,G1,,false,false\n", header="text,tier,ground")
    bad_row = _write(tmp_path, "b.csv", "科室话唔符合条件,2,G3,,false,maybe\n")
    with pytest.raises(FactDataError) as err:
        load_examples([wrong_header, bad_row])
    assert len(err.value.problems) == 2
    assert err.value.problems[0].startswith("a.csv: header must be")
    assert err.value.problems[1].startswith("b.csv:2: repeated must be true or false")


def test_quoted_commas_and_labels_are_read(tmp_path: Path) -> None:
    ok = _write(
        tmp_path,
        "ok.csv",
        '"窗口话要交1,200元押金嘅收据，清单冇写",1,G1,false,TRUE,false\n我张申请俾人退咗,,,,false,true\n',
    )
    first, second = load_examples([ok])
    assert first.text.startswith("窗口话要交1,200元") and first.where == "ok.csv:2"
    assert (first.rejecting_tier, first.ground, first.material_on_list, first.key_project) == (1, "G1", False, True)
    assert (second.rejecting_tier, second.ground, second.material_on_list, second.repeated) == (None, None, None, True)


def test_no_files_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(FactDataError, match="no dispute-fact CSV"):
        load_examples([])


def test_the_shipped_data_is_large_varied_and_clean() -> None:
    examples = load_examples()
    disputes = [e for e in examples if e.ground is not None or e.rejecting_tier is not None]
    assert len(disputes) >= 900
    grounds = Counter(e.ground for e in examples)
    assert all(grounds[g] >= 60 for g in ("G1", "G2", "G3", "G4", "G5"))
    assert sum(e.material_on_list is False for e in examples) >= 60  # R5's unlisted materials
    tiers = Counter(e.rejecting_tier for e in examples)
    assert all(tiers[t] >= 60 for t in (1, 2, 3, 4)) and tiers[None] >= 200  # untold tiers teach abstaining
    assert sum(e.key_project for e in examples) >= 50 and sum(e.repeated for e in examples) >= 50
    cantonese = sum(any(w in e.text for w in ("佢", "唔", "冇", "嘅", "咗", "喺")) for e in examples)
    assert 300 <= cantonese <= len(examples) - 300  # both Cantonese and Mandarin
    assert {p.name for p in DATA_DIR.glob("*.csv")} >= {"mandarin.csv", "cantonese.csv", "letters.csv", "hotline.csv"}


def test_no_training_text_copies_the_visible_escalation_cases() -> None:
    """Rows 1-30 of disputes.csv are the only ones a test may read; rows 31-70 are held out."""
    with DISPUTES.open(encoding="utf-8", newline="") as f:
        reader = csv.DictReader(f)
        visible = {next(reader)["text"] for _ in range(30)}
    assert not visible & {e.text for e in load_examples()}
