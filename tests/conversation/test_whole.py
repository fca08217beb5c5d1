"""When a message is a whole matter, which one, and what the applicant already has."""

from __future__ import annotations

from bot.catalog import Catalog
from bot.conversation.whole import whole_matter


def test_a_named_theme_asked_as_a_whole_is_a_whole_matter(catalog: Catalog) -> None:
    wm = whole_matter("我想在大沥开一家餐馆，要办哪些证？", catalog, (), ())
    assert wm is not None and wm.theme.id == "open_restaurant" and not wm.done


def test_one_item_of_a_theme_asked_about_stays_that_item(catalog: Catalog) -> None:
    licence = catalog.items["msa.food_business_licence"]
    assert whole_matter("开奶茶店要办食品经营许可证", catalog, (licence,), ()) is None
    benefit = catalog.items["hrss.unemployment_benefit"]
    assert whole_matter("失业了怎么领失业保险金", catalog, (benefit,), ()) is None


def test_done_items_and_what_they_imply_are_left_out(catalog: Catalog) -> None:
    wm = whole_matter("营业执照办好了，还要办什么", catalog, (), ())
    assert wm is not None and wm.theme.id == "start_company"
    assert wm.done == {"msa.enterprise_establishment", "msa.enterprise_name_declaration"}


def test_not_needed_items_are_left_out_too(catalog: Catalog) -> None:
    wm = whole_matter("开餐馆要办哪些证，招牌不需要办", catalog, (), ())
    assert wm is not None and wm.done == {"cm.shop_signboard_filing"}


def test_what_else_continues_the_matter_under_discussion(catalog: Catalog) -> None:
    topic = catalog.themes["birth"]
    wm = whole_matter("还要办什么", catalog, (), (), topic, frozenset({"health.birth_certificate_first"}))
    assert wm is not None and wm.theme == topic and "health.birth_certificate_first" in wm.done


def test_nothing_whole_without_a_theme_or_a_question_about_what_is_left(catalog: Catalog) -> None:
    assert whole_matter("补办身份证要带什么", catalog, (catalog.items["psb.id_card_replace"],), ("materials",)) is None
    assert whole_matter("今天天气怎么样", catalog, (), ()) is None


def test_giving_up_or_not_yet_is_not_done(catalog: Catalog) -> None:
    wm = whole_matter("公司不做了，注销公司要办哪些手续", catalog, (), ())
    assert wm is not None and wm.theme.id == "close_company" and not wm.done
    wm = whole_matter("开餐馆要办哪些证，营业执照还没办好", catalog, (), ())
    assert wm is not None and not wm.done
