"""The request-type classifier: deterministic, saved as plain arrays, and its scores are scikit-learn's."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from bot.nlu.text_classifier import TextClassifier, features

EXAMPLES = [
    ("你好", ["你好"], "greet"),
    ("您好呀", ["您好", "呀"], "greet"),
    ("早上好", ["早上好"], "greet"),
    ("补办身份证要带什么", ["补办", "身份证", "要", "带", "什么"], "consult_item"),
    ("营业执照怎么办理", ["营业执照", "怎么", "办理"], "consult_item"),
    ("开餐馆要办什么证", ["开", "餐馆", "要", "办", "什么", "证"], "consult_item"),
    ("我的申请到哪一步了", ["我", "的", "申请", "到", "哪", "一步", "了"], "query_progress"),
    ("查一下办件进度", ["查", "一下", "办件", "进度"], "query_progress"),
    ("XT202612070001进度", ["XT202612070001", "进度"], "query_progress"),
]


def test_features_frame_the_text_and_fold_digits() -> None:
    f = features("好的", ["好的"])
    assert "^好" in f and "的$" in f and "w:好的" in f
    assert features("XT2026", []) == features("xt1", [])  # numbers of any length look alike


def test_the_same_data_gives_the_same_model_and_sensible_answers() -> None:
    a, b = TextClassifier.train(EXAMPLES), TextClassifier.train(EXAMPLES)
    assert a.vocabulary == b.vocabulary and np.array_equal(a.weights, b.weights)
    assert a.ranking("身份证补办要什么材料", ["身份证", "补办", "要", "什么", "材料"])[0][0] == "consult_item"
    assert a.ranking("你好", ["你好"])[0][0] == "greet"
    ranking = a.ranking("进度查询", ["进度", "查询"])
    assert ranking[0][0] == "query_progress" and abs(sum(p for _, p in ranking) - 1) < 1e-9


def test_scores_agree_with_scikit_learn(tmp_path: Path) -> None:
    """The hand-written scoring is the vectorizer and linear model scikit-learn would apply."""
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import SGDClassifier

    docs = [features(t, w) for t, w, _ in EXAMPLES]
    labels = [label for _, _, label in EXAMPLES]
    vec = TfidfVectorizer(analyzer=lambda d: d, sublinear_tf=True)
    x = vec.fit_transform(docs)
    clf = SGDClassifier(
        loss="log_loss", alpha=1e-5, class_weight="balanced", max_iter=100, tol=1e-5, random_state=0
    ).fit(x, labels)
    model = TextClassifier.train(EXAMPLES, alpha=1e-5)
    text, words = "开奶茶店要办什么证", ["开", "奶茶店", "要", "办", "什么", "证"]
    expected = clf.decision_function(vec.transform([features(text, words)]))[0]
    assert np.allclose(model.scores(features(text, words)), expected)

    model.save(tmp_path)
    loaded = TextClassifier.load(tmp_path)
    assert loaded.ranking(text, words) == model.ranking(text, words)
    assert not list(tmp_path.glob("*.pkl")) and not list(tmp_path.glob("*.joblib"))  # plain arrays only


def test_rare_features_can_be_left_out() -> None:
    assert len(TextClassifier.train(EXAMPLES, min_df=2).vocabulary) < len(TextClassifier.train(EXAMPLES).vocabulary)
