"""bot.wechat.state: each message claimed once across instances; applicants' options and last contact."""

from __future__ import annotations

import threading

from sqlalchemy.engine import Engine

from bot.wechat.render import Option
from bot.wechat.state import PASSIVE, PROCESSING, STALE_CLAIM_SECONDS, DoorState


def test_a_message_is_claimed_once_even_concurrently(engine: Engine) -> None:
    states = [DoorState(engine) for _ in range(2)]
    results: list[object] = []
    threads = [threading.Thread(target=lambda s=s: results.append(s.claim("k" * 64, 100.0))) for s in states * 4]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results.count(None) == 1
    seen = [r for r in results if r is not None]
    assert all(getattr(r, "state", None) == PROCESSING for r in seen)
    states[0].finish("k" * 64, PASSIVE, ["您好"])
    again = states[1].claim("k" * 64, 101.0)
    assert again is not None and again.state == PASSIVE and again.reply == ["您好"]
    assert states[0].purge(older_than=100.5) == 1
    assert states[0].claim("k" * 64, 102.0) is None


def test_options_and_last_contact_by_a_hash_of_the_openid(engine: Engine) -> None:
    state = DoorState(engine)
    openid = "o" + "x" * 27
    assert state.user(openid) == (None, [])
    state.seen_user(openid, 10.0)
    state.save_options(openid, [Option(1, "开办企业", "我想注册一间公司"), Option(None, "转人工", "转人工")], 20.0)
    seen, options = state.user(openid)
    assert seen == 20.0 and options[0] == Option(1, "开办企业", "我想注册一间公司") and options[1].number is None
    with engine.connect() as conn:
        assert openid not in str(conn.exec_driver_sql("SELECT * FROM wechat_users").all())


def test_a_claim_left_by_a_dead_instance_is_taken_over_once(engine: Engine) -> None:
    """Killed mid-turn: the message stays "processing"; a retry after the stale time answers it, once."""
    states = [DoorState(engine) for _ in range(2)]
    assert states[0].claim("d" * 64, 100.0) is None  # the instance that dies
    early = states[1].claim("d" * 64, 100.0 + STALE_CLAIM_SECONDS / 2)
    assert early is not None and early.state == PROCESSING  # still within a live turn's time
    late = 100.0 + STALE_CLAIM_SECONDS + 1
    results: list[object] = []
    threads = [threading.Thread(target=lambda s=s: results.append(s.claim("d" * 64, late))) for s in states * 3]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results.count(None) == 1  # exactly one retry takes it over
    states[1].finish("d" * 64, PASSIVE, ["已为您重新处理"])
    again = states[0].claim("d" * 64, late + 60)
    assert again is not None and again.state == PASSIVE  # answered: never taken over again
