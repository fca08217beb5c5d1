"""Same origin always; listed origins with the header a browser needs; everything else refused."""

from __future__ import annotations

import pytest

from bot.web.cors import decide, normalise_origin, parse_origins, same_origin

LISTED = parse_origins("https://www.nanhai.gov.cn, http://localhost:8080")


def test_origins_are_normalised() -> None:
    assert normalise_origin("HTTPS://WWW.Nanhai.gov.cn/") == "https://www.nanhai.gov.cn"
    assert normalise_origin("https://a.cn:443") == "https://a.cn"
    assert normalise_origin("http://a.cn:8080") == "http://a.cn:8080"
    assert normalise_origin("http://[::1]:8080") == "http://[::1]:8080"


@pytest.mark.parametrize(
    "bad", ["www.nanhai.gov.cn", "ftp://a.cn", "https://a.cn/path", "https://u:p@a.cn", "https://a.cn:99999", "*"]
)
def test_bad_origins_are_refused_at_start(bad: str) -> None:
    with pytest.raises(ValueError, match="SHOUZI_WEB_ORIGINS"):
        parse_origins(bad)


def test_parse_accepts_commas_and_spaces() -> None:
    assert parse_origins(None) == frozenset() and parse_origins("") == frozenset()
    assert parse_origins("https://a.cn  https://b.cn,https://c.cn") == {"https://a.cn", "https://b.cn", "https://c.cn"}


def test_same_origin_compares_the_host_header() -> None:
    assert same_origin("http://127.0.0.1:5005", "127.0.0.1:5005")
    assert same_origin("https://www.nanhai.gov.cn", "www.nanhai.gov.cn")
    assert same_origin("https://www.nanhai.gov.cn", "www.nanhai.gov.cn:443")
    assert not same_origin("http://127.0.0.1:5006", "127.0.0.1:5005")
    assert not same_origin("https://evil.example", "www.nanhai.gov.cn")
    assert not same_origin("https://www.nanhai.gov.cn", None)
    assert not same_origin("https://www.nanhai.gov.cn", "bad host/x")


def test_decisions() -> None:
    no_origin = decide(None, "a", LISTED)
    assert no_origin.allowed and no_origin.headers == {}
    same = decide("http://127.0.0.1:5005", "127.0.0.1:5005", LISTED)
    assert same.allowed and same.headers == {}
    listed = decide("https://www.nanhai.gov.cn", "assistant.nanhai.gov.cn", LISTED)
    assert listed.allowed
    assert listed.headers == {"Access-Control-Allow-Origin": "https://www.nanhai.gov.cn", "Vary": "Origin"}
    assert not decide("https://evil.example", "assistant.nanhai.gov.cn", LISTED).allowed
    assert not decide("null", "assistant.nanhai.gov.cn", LISTED).allowed
    assert not decide("https://www.nanhai.gov.cn.evil.example", "x", LISTED).allowed
    assert not decide("not an origin", "x", LISTED).allowed
    assert not decide("https://www.nanhai.gov.cn", "x", frozenset()).allowed
