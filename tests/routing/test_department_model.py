from __future__ import annotations

from pathlib import Path

import pytest

from bot.catalog import Catalog
from bot.routing.department_model import DepartmentModel, catalog_examples, normalise


def test_catalog_alone_teaches_the_obvious(catalog: Catalog, tmp_path: Path) -> None:
    model = DepartmentModel.train(catalog_examples(catalog))
    assert set(model.departments) == set(catalog.departments)
    problem = next(p for p in catalog.problems.values() if p.department == "tr")
    assert model.rank(problem.keywords[0])[0][0] == "tr"
    model.save(tmp_path)
    again = DepartmentModel.load(tmp_path)
    assert again.rank("补办身份证") == model.rank("补办身份证")


def test_needs_two_departments() -> None:
    with pytest.raises(ValueError):
        DepartmentModel.train([("补办身份证", "psb")])


def test_hotline_boilerplate_is_ignored() -> None:
    assert "反映" not in normalise("市民来电反映：路灯唔着")
    assert "咨询" not in normalise("来电人咨询：社保点交")


def test_fast_probabilities_equal_sklearn(catalog: Catalog) -> None:
    import numpy as np

    model = DepartmentModel.train(catalog_examples(catalog))
    for text in ("补办身份证", "工地半夜打桩好嘈", "开奶茶店要咩证", "补办身份证身份证", "", "😀", "ZZZ"):
        x = model.vectorizer.transform([normalise(text)])
        assert np.allclose(model._proba(text), model.classifier.predict_proba(x)[0])
