"""The shared rate limiter: windows per quota and key, Retry-After, memory fallback when Redis is down."""

from __future__ import annotations

import pytest
from limits import parse_many

from bot.throttle import DEFAULTS, Quota, RateLimited, Throttle, _limits_from_env, quota_env, too_many_message


def small(uri: str | None = None) -> Throttle:
    return Throttle({Quota.CLIENT_MESSAGES: list(parse_many("3/minute"))}, uri)


def test_a_key_is_refused_past_its_window_others_are_not() -> None:
    t = small()
    assert all(t.hit(Quota.CLIENT_MESSAGES, "1.2.3.4").allowed for _ in range(3))
    refused = t.hit(Quota.CLIENT_MESSAGES, "1.2.3.4")
    assert not refused.allowed and 1 <= refused.retry_after <= 61
    assert t.hit(Quota.CLIENT_MESSAGES, "5.6.7.8").allowed
    assert t.hit(Quota.CONVERSATION_MESSAGES, "1.2.3.4").allowed  # no limit configured: allowed
    t.clear(Quota.CLIENT_MESSAGES, "1.2.3.4")
    assert t.peek(Quota.CLIENT_MESSAGES, "1.2.3.4").allowed


def test_redis_down_falls_back_to_this_instances_memory() -> None:
    t = small("redis://127.0.0.1:1/0")  # nothing listens on port 1
    assert all(t.hit(Quota.CLIENT_MESSAGES, "k").allowed for _ in range(3))
    assert not t.hit(Quota.CLIENT_MESSAGES, "k").allowed


def test_shared_through_redis_between_two_instances(redis_address: tuple[str, int]) -> None:
    host, port = redis_address
    uri = f"redis://{host}:{port}/3"
    a, b = small(uri), small(uri)
    a.clear(Quota.CLIENT_MESSAGES, "shared")
    assert a.hit(Quota.CLIENT_MESSAGES, "shared").allowed and b.hit(Quota.CLIENT_MESSAGES, "shared").allowed
    assert a.hit(Quota.CLIENT_MESSAGES, "shared").allowed
    assert not b.hit(Quota.CLIENT_MESSAGES, "shared").allowed


def test_limits_come_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(quota_env(Quota.ANALYZE), "off")
    monkeypatch.setenv(quota_env(Quota.LOGIN_NAME), "2/hour")
    limits = _limits_from_env()
    assert limits[Quota.ANALYZE] == [] and limits[Quota.LOGIN_NAME][0].amount == 2
    assert set(limits) == set(DEFAULTS)
    monkeypatch.setenv(quota_env(Quota.LOGIN_NAME), "lots")
    with pytest.raises(ValueError, match="SHOUZI_RATE_LOGIN_NAME"):
        _limits_from_env()


def test_the_refusal_is_polite_chinese_with_a_way_through() -> None:
    err = RateLimited(30)
    assert err.status == 429 and "30 秒" in err.message and "12345" in err.message
    assert "3 分钟" in too_many_message(150)
