"""Property-based fuzz of every parser untrusted bytes reach: the JSON body parser, the text cleaner, the
analyze request, the REST fields, record numbers, masking, the WeChat XML guard and the staff API.

Each must return or raise its own client error, never anything else. ``SHOUZI_FUZZ_EXAMPLES`` sets the
examples per property (default 150 for make test; make soak runs thousands and records the count).
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.inputs import ClientError, clean_text, parse_analyze_request, parse_json_object, text_field
from bot.records.masking import mask, mask_excerpt
from bot.records.numbers import find_malformed, find_numbers, normalise

EXAMPLES = int(os.environ.get("SHOUZI_FUZZ_EXAMPLES", "150"))
COUNT_FILE = os.environ.get("SHOUZI_FUZZ_COUNT_FILE")
FUZZ = settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck))
tried: dict[str, int] = {}


def _count(name: str) -> None:
    tried[name] = tried.get(name, 0) + 1
    if COUNT_FILE:
        Path(COUNT_FILE).write_text(json.dumps(tried), encoding="utf-8")


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=20,
)
hostile_text = st.text(alphabet=st.characters(codec=None, blacklist_categories=()), max_size=300)
bodies = st.one_of(
    st.binary(max_size=600),
    json_values.map(lambda v: json.dumps(v).encode()),
    st.builds(lambda d: ("[" * d + "]" * d).encode(), st.integers(0, 3000)),
    st.builds(
        lambda d, t: ('{"text": ' + "[" * d + json.dumps(t) + "]" * d + "}").encode(), st.integers(0, 60), st.text()
    ),
    st.dictionaries(st.sampled_from(["text", "town", "sender", "message", "username"]), json_values).map(
        lambda d: json.dumps(d).encode()
    ),
)


@FUZZ
@given(bodies)
def test_json_bodies_parse_or_refuse(body: bytes) -> None:
    _count("json_body")
    try:
        assert isinstance(parse_json_object(body, 4096, empty_ok=True), dict)
    except ClientError as err:
        assert 400 <= err.status < 500


@FUZZ
@given(bodies)
def test_analyze_requests_parse_or_refuse(body: bytes) -> None:
    _count("analyze")
    try:
        req = parse_analyze_request(body, max_chars=200, max_bytes=4096)
        assert req.text and len(req.text) <= 200
    except ClientError as err:
        assert 400 <= err.status < 500


@FUZZ
@given(hostile_text)
def test_cleaned_text_is_storable(raw: str) -> None:
    _count("clean_text")
    out = clean_text(raw)
    out.encode("utf-8")  # no lone surrogates left: PostgreSQL and every encoder accept it
    assert "\x00" not in out


@FUZZ
@given(st.dictionaries(st.sampled_from(["text", "x"]), json_values))
def test_text_fields_are_strings_or_refusals(data: dict[str, Any]) -> None:
    _count("text_field")
    try:
        value = text_field(data, "text", 50, required=False)
        assert value is None or (isinstance(value, str) and 0 < len(value) <= 50)
    except ClientError as err:
        assert err.status in (413, 422)


@FUZZ
@given(hostile_text)
def test_masking_and_numbers_never_crash_and_never_grow_numbers(raw: str) -> None:
    _count("masking_numbers")
    masked = mask(raw)
    assert isinstance(masked, str) and isinstance(mask_excerpt(raw), str)
    assert mask(masked) == masked or "*" in masked  # masking is stable once applied
    for number in find_numbers(raw):
        assert normalise(number) == number and len(number) == 14
    assert all(isinstance(m, str) for m in find_malformed(raw))


@FUZZ
@given(
    st.binary(max_size=800)
    | hostile_text.map(lambda t: f"<xml><Content><![CDATA[{t}]]></Content></xml>".encode("utf-8", "surrogatepass"))
)
def test_wechat_xml_guard_parses_or_refuses(body: bytes) -> None:
    from bot.adapters.wechat import inbound

    _count("wechat_xml")
    try:
        xml = inbound.guard_xml(body, 4096)
        inbound.parse(xml)
    except ClientError as err:
        assert 400 <= err.status < 500
