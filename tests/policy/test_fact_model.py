"""The learned fact reader: new phrasings understood, abstaining where nothing is told, cues first."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.feature_extraction.text import TfidfVectorizer

from bot.policy.assess import assess
from bot.policy.cues import get_cues
from bot.policy.fact_data import load_examples
from bot.policy.fact_model import FactModel, Reading, _Features, get_fact_model
from bot.policy.facts import extract
from bot.policy.textnorm import normalise

# Written for this test, in words found neither in nlu_data/dispute_facts nor in tests/data.
NEW_PHRASINGS = [
    ("啱啱喺丹灶中心交资料，窗口嗰位同事话我漏咗张户主声明，叫我听日补返", 1, "G1", None),
    ("收件处坚持要我提供一份物业管理处的无异议函，可公示的申报材料里从来没有这份东西", 1, "G1", False),
    ("环保股审完话我间喷漆房嘅VOCs处理设施未达到排放限值", 2, "G3", None),
    ("规划股说用地性质调整归市里定，区里管不了，退回", 2, "G2", None),
    ("市场监管所同城管都话户外摆卖唔关自己事，叫我去问对方", None, "G5", None),
    ("分管副局长认为申请依据的文件已经失效而新文件未出台，暂不办理", 3, "G4", None),
    ("区长办公会话个项目嘅安全防护距离同周边民居唔够，否决", 4, "G3", None),
    ("受理窗口讲佢哋都唔清楚有冇相关规定，所以唔接件", 1, "G4", None),
]

NOT_DISPUTES = [
    "请问桂城有几个行政服务中心",
    "我想问下办理出入境证件要几耐",
    "今日天气几好",
    "帮我查一下社保缴费记录",
    "多谢你哋嘅帮忙",
    "我想预约下周三去大沥办营业执照",
    "冇事",
    "局长",
]


def test_the_new_phrasings_are_not_in_the_training_data() -> None:
    texts = {e.text for e in load_examples()}
    assert not texts & ({t for t, *_ in NEW_PHRASINGS} | set(NOT_DISPUTES))


@pytest.mark.parametrize(("text", "tier", "ground", "on_list"), NEW_PHRASINGS)
def test_new_phrasings_get_the_right_facts(text: str, tier: int | None, ground: str, on_list: bool | None) -> None:
    f = assess(text).extracted.facts
    assert (f.rejecting_tier, f.ground, f.material_on_list) == (tier, ground, on_list)


@pytest.mark.parametrize("text", NOT_DISPUTES)
def test_the_model_abstains_where_no_rejection_is_told(text: str) -> None:
    r = get_fact_model().read(text)
    assert r.ground is None and not r.key_project and not r.repeated
    assert assess(text).extracted.facts.ground is None


def test_a_dispute_without_its_ground_is_asked_not_guessed() -> None:
    a = assess("审批科把我的申请退回来了，我不服")
    assert a.extracted.facts.rejecting_tier == 2 and a.decision is None and a.missing_facts == ["ground"]


class _Fixed(FactModel):
    """A stand-in model that always reads the same facts."""

    def __init__(self, reading: Reading) -> None:
        self.reading = reading

    def read(self, text: str) -> Reading:
        return self.reading


def test_cues_come_first_and_the_model_fills_the_gaps() -> None:
    model = _Fixed(Reading(3, "G5", None, True, True, 0.9, 0.9))
    # The cues find tier 1 and G1 here: the model may not overrule them, only add what they missed.
    ex = extract("窗口话我材料不全", get_cues(), model=model)
    assert (ex.facts.rejecting_tier, ex.facts.ground) == (1, "G1")
    assert ex.facts.key_project and ex.facts.times_rejected == 2 and ex.learned == ("key_project", "repeated")
    # No cue at all: everything comes from the model and says so.
    ex = extract("呢单嘢卡住咗", get_cues(), model=model)
    assert (ex.facts.rejecting_tier, ex.facts.ground) == (3, "G5")
    assert ex.learned == ("rejecting_tier", "ground", "key_project", "repeated")
    # learned=False is the cues alone.
    assert extract("呢单嘢卡住咗", get_cues(), learned=False).facts.ground is None


def test_an_unlisted_material_is_added_to_a_material_cue_unless_the_list_is_said_to_have_it() -> None:
    model = _Fixed(Reading(None, "G1", False, False, False, 0.9, 0.9))
    unlisted = extract("窗口话我缺咗份证明，唔收", get_cues(), model=model).facts
    assert (unlisted.ground, unlisted.material_on_list) == ("G1", False)
    listed = extract("窗口话我缺咗份证明，清单上确实有写", get_cues(), model=model).facts
    assert (listed.ground, listed.material_on_list) == ("G1", True)


def test_the_wanted_tier_is_not_the_rejecting_tier() -> None:
    f = assess("科室以唔符合条件为由退件，我想揾局长反映").extracted.facts
    assert (f.rejecting_tier, f.ground) == (2, "G3")


def test_the_fast_features_are_sklearns() -> None:
    texts = [normalise(e.text) for e in load_examples()[:300]]
    fast = _Features(texts)
    slow = TfidfVectorizer(analyzer="char", ngram_range=(1, 3), sublinear_tf=True).fit(texts)
    for text in [*texts[:20], "全新嘅句子  with  spaces", "龘"]:
        idx, weights = fast.vector(text)
        dense = np.zeros(len(slow.vocabulary_))
        dense[idx] = weights
        assert np.allclose(dense, slow.transform([text]).toarray()[0])
