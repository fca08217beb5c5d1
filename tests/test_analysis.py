"""One message understood (bot.analysis): the request type checked against what the text shows."""

from __future__ import annotations

from bot.analysis import analyse
from bot.catalog import Catalog
from tests.conftest import ParseFactory


def test_a_bare_item_name_the_model_cannot_place_is_a_consult(catalog: Catalog, make_parse: ParseFactory) -> None:
    for intent in ("deny", "out_of_scope", "query_progress"):
        a = analyse(make_parse("补领结婚证", intent=intent, confidence=0.2, fallback=True), catalog)
        assert a.request_type == "consult_item", intent


def test_a_confident_reading_is_kept(catalog: Catalog, make_parse: ParseFactory) -> None:
    a = analyse(make_parse("补领结婚证办到哪一步了", intent="query_progress", confidence=0.9), catalog)
    assert a.request_type == "query_progress"


def test_traditional_script_is_reported(catalog: Catalog, make_parse: ParseFactory) -> None:
    parse = make_parse("补办身份证")
    parse["original_text"], parse["script"] = "補辦身份證", "traditional"
    assert analyse(parse, catalog).traditional
    assert not analyse(make_parse("补办身份证"), catalog).traditional
