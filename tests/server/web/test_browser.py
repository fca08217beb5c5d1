"""The widget in a real browser (Debian's Chromium driven by Playwright) on the demo page, against the
real servers: a consultation, buttons, history after a reload, Chinese input methods, a phone, the
keyboard alone, an accessibility scan, hostile text, going offline; screenshots for docs/ (issue 13)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.server.conftest import ROOT
from tests.server.web.conftest import WebServer

pytestmark = pytest.mark.server
IMG = ROOT / "docs" / "img"
DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 375, "height": 812}
QUESTION = "补办身份证要带什么材料"
ROOT_JS = "document.querySelector('shouzi-widget').shadowRoot"


@pytest.fixture
def page(browser: Any, web: WebServer) -> Iterator[Any]:
    context = browser.new_context(viewport=DESKTOP, locale="zh-CN")
    pg = context.new_page()
    errors: list[str] = []
    pg.on("pageerror", lambda e: errors.append(str(e)))
    pg.goto(f"{web.base}/webhooks/web/demo")
    yield pg
    context.close()
    assert errors == []


def open_widget(pg: Any) -> None:
    pg.click(".launcher")
    pg.wait_for_selector(".bubble.greeting")
    pg.wait_for_function(f"() => {ROOT_JS}.querySelector('.log').getAttribute('aria-busy') === 'false'")


def bubbles(pg: Any, who: str) -> int:
    return int(pg.locator(f".msg.{who}").count())


def ask(pg: Any, text: str) -> None:
    """Types and sends ``text``, then waits for the answer."""
    n = bubbles(pg, "bot")
    pg.fill("#sz-input", text)
    pg.press("#sz-input", "Enter")
    pg.wait_for_function(f"() => {ROOT_JS}.querySelectorAll('.msg.bot').length > {n}")
    pg.wait_for_function(f"() => {ROOT_JS}.querySelector('.log').getAttribute('aria-busy') === 'false'")


def active(pg: Any) -> str:
    """What has the keyboard focus inside the widget ('' when outside it)."""
    return str(
        pg.evaluate(
            "() => { const h = document.querySelector('shouzi-widget');"
            " if (document.activeElement !== h) return '';"
            " const a = h.shadowRoot.activeElement; return a ? (a.id || a.className) : ''; }"
        )
    )


def consult(pg: Any) -> None:
    """The consult question (answered first), then a town picked with its button: the referral at the town."""
    ask(pg, QUESTION)
    pg.wait_for_selector(".bubble.referral")
    n = bubbles(pg, "bot")
    pg.click(".bubble.referral .btn >> text=桂城街道")
    pg.wait_for_function(f"() => {ROOT_JS}.querySelectorAll('.msg.bot').length > {n}")
    pg.wait_for_selector(".bubble.referral")


def test_consult_click_a_button_and_see_the_history_after_a_reload(page: Any) -> None:
    open_widget(page)
    assert active(page) == "sz-input"
    consult(page)
    card = page.locator(".bubble.referral").last  # the answer at the town picked, after the first answer
    facts = dict(zip(card.locator("dt").all_inner_texts(), card.locator("dd").all_inner_texts(), strict=True))
    assert "公安" in facts["办理部门"] and "桂城" in facts["办理地点"]
    assert card.locator("dd ol li").count() >= 2  # materials as a list
    assert facts["办理时限"] and card.locator(".badge").count() == 1  # online or not, at a glance
    # the button's title is what the visitor sees as their message
    assert page.locator(".msg.user").last.inner_text().endswith("桂城街道")
    assert active(page) == "sz-input"
    IMG.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(IMG / "widget-desktop.png"))

    page.reload()
    page.locator(".bubble.referral").last.wait_for()  # the panel reopens itself on the next page
    users = page.locator(".msg.user").all_inner_texts()
    assert any(QUESTION in u for u in users) and any("桂城街道" in u for u in users)
    # another page of the same site (same origin) continues the same conversation
    page.goto(page.url + "?page=2")
    page.locator(".bubble.referral").last.wait_for()


def test_rating_record_number_copy_and_handoff(page: Any) -> None:
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    open_widget(page)
    ask(page, "我去税务局办事，他们说不归他们管，叫我去别的部门")
    number = page.locator(".bubble.coordination_opened .rec code").inner_text()
    assert re.fullmatch(r"XT\d{12}", number)
    page.click(".bubble.coordination_opened .copy")
    page.wait_for_selector(".copy >> text=已复制")
    assert page.evaluate("navigator.clipboard.readText()") == number
    # 好差评 at the end of the conversation: one tap, then the choice is shown and the group closed
    ask(page, "谢谢")
    page.wait_for_selector(".bubble.rating_request")
    n = bubbles(page, "bot")
    page.locator(".bubble.rating_request").get_by_role("button", name="满意", exact=True).click()
    page.wait_for_function(f"() => {ROOT_JS}.querySelectorAll('.msg.bot').length > {n}")
    page.wait_for_selector(".bubble.rating_thanks")
    assert page.locator(".bubble.rating_request .btn[aria-pressed=true]").inner_text() == "满意"
    assert page.locator(".bubble.rating_request .btn:disabled").count() == 5
    ask(page, "转人工")
    hot = page.locator(".bubble.handoff .hot")
    assert hot.locator("a[href='tel:12345']").count() == 1
    assert "周一至周五" in hot.inner_text()


def test_enter_never_sends_while_an_input_method_is_composing(page: Any) -> None:
    open_widget(page)
    before = bubbles(page, "user")
    page.evaluate(
        f"""() => {{
        const input = {ROOT_JS}.getElementById('sz-input');
        input.focus();
        input.dispatchEvent(new CompositionEvent('compositionstart', {{data: ''}}));
        input.value = 'bu ban shen fen zheng';
        const enter = (extra) => input.dispatchEvent(new KeyboardEvent('keydown',
            Object.assign({{key: 'Enter', code: 'Enter', keyCode: 13, bubbles: true, cancelable: true}}, extra)));
        enter({{isComposing: true}});           // Enter picks the candidate
        enter({{isComposing: false}});          // a browser that does not flag it: still composing
        input.dispatchEvent(new CompositionEvent('compositionend', {{data: '补办身份证'}}));
        input.value = '补办身份证';
        enter({{isComposing: false, keyCode: 229}});  // Safari: the IME's Enter arrives after compositionend
    }}"""
    )
    page.wait_for_timeout(300)
    assert bubbles(page, "user") == before
    assert page.input_value("#sz-input") == "补办身份证"
    page.press("#sz-input", "Shift+Enter")
    page.type("#sz-input", "要带什么材料")
    assert page.input_value("#sz-input") == "补办身份证\n要带什么材料"
    assert bubbles(page, "user") == before
    page.press("#sz-input", "Enter")
    page.wait_for_function(f"() => {ROOT_JS}.querySelectorAll('.msg.user').length > {before}")
    assert page.input_value("#sz-input") == ""


def test_enter_during_a_real_chromium_composition_only_ends_it(page: Any) -> None:
    """The same through Chromium's own input-method path (DevTools protocol), not synthetic events."""
    open_widget(page)
    page.focus("#sz-input")
    before = bubbles(page, "user")
    cdp = page.context.new_cdp_session(page)
    cdp.send("Input.imeSetComposition", {"text": "buban", "selectionStart": 5, "selectionEnd": 5})
    for kind in ("rawKeyDown", "keyUp"):
        cdp.send("Input.dispatchKeyEvent", {"type": kind, "key": "Enter", "code": "Enter", "windowsVirtualKeyCode": 13})
    cdp.send("Input.insertText", {"text": "补办"})  # the candidate is chosen: composition ends
    page.wait_for_timeout(300)
    assert bubbles(page, "user") == before and page.input_value("#sz-input") == "补办"
    page.press("#sz-input", "Enter")
    page.wait_for_function(f"() => {ROOT_JS}.querySelectorAll('.msg.user').length > {before}")


def test_the_text_limit_is_shown_before_it_is_reached(page: Any) -> None:
    open_widget(page)
    assert page.inner_text("#sz-count") == ""
    page.fill("#sz-input", "办" * 1700)
    assert page.inner_text("#sz-count") == "还可输入 300 字"
    page.fill("#sz-input", "办" * 2010)
    assert "已超出 10 字" in page.inner_text("#sz-count")
    assert page.is_disabled(".send")
    before = bubbles(page, "user")
    page.press("#sz-input", "Enter")
    page.wait_for_timeout(200)
    assert bubbles(page, "user") == before


def test_phone_viewport_is_full_screen(browser: Any, web: WebServer) -> None:
    context = browser.new_context(viewport=PHONE, locale="zh-CN", is_mobile=True, has_touch=True, device_scale_factor=2)
    pg = context.new_page()
    pg.goto(f"{web.base}/webhooks/web/demo")
    open_widget(pg)
    full = {"x": 0, "y": 0, "width": PHONE["width"], "height": PHONE["height"]}
    # The panel slides in (unless reduced motion is asked for): measure once it has settled.
    box: dict[str, float] | None = None
    for _ in range(50):
        box = pg.locator(".panel").bounding_box()
        if box and all(abs(box[k] - v) < 0.5 for k, v in full.items()):
            break
        pg.wait_for_timeout(100)
    assert box is not None and all(abs(box[k] - v) < 0.5 for k, v in full.items()), box
    assert not pg.locator(".launcher").is_visible()
    consult(pg)
    pg.screenshot(path=str(IMG / "widget-phone.png"))
    pg.click(".close")
    assert not pg.locator(".panel").is_visible() and pg.locator(".launcher").is_visible()
    context.close()


def test_keyboard_only(page: Any) -> None:
    for _ in range(60):  # through the page's own links to the launcher
        page.keyboard.press("Tab")
        if active(page) == "launcher":
            break
    assert active(page) == "launcher"
    page.keyboard.press("Enter")
    page.wait_for_selector(".bubble.greeting")
    assert active(page) == "sz-input"
    n = bubbles(page, "bot")
    page.keyboard.type("你好")
    page.keyboard.press("Enter")
    page.wait_for_function(f"() => {ROOT_JS}.querySelectorAll('.msg.bot').length > {n}")
    assert active(page) == "sz-input"
    # back to the last quick reply with Shift+Tab, press it, and the focus returns to the input
    for _ in range(20):
        page.keyboard.press("Shift+Tab")
        if active(page) == "btn":
            break
    assert active(page) == "btn"
    n = bubbles(page, "bot")
    page.keyboard.press("Enter")
    page.wait_for_function(f"() => {ROOT_JS}.querySelectorAll('.msg.bot').length > {n}")
    page.wait_for_function(f"() => {ROOT_JS}.querySelector('.log').getAttribute('aria-busy') === 'false'")
    assert active(page) == "sz-input"
    page.keyboard.press("Escape")
    assert not page.locator(".panel").is_visible() and active(page) == "launcher"


def test_accessibility_scan_of_the_open_widget(browser: Any, web: WebServer, axe_script: Path) -> None:
    # The demo page's Content-Security-Policy forbids injected scripts; the scan's context bypasses it.
    context = browser.new_context(viewport=DESKTOP, locale="zh-CN", bypass_csp=True)
    pg = context.new_page()
    pg.goto(f"{web.base}/webhooks/web/demo")
    open_widget(pg)
    consult(pg)
    ask(pg, "转人工")
    pg.add_script_tag(path=str(axe_script))
    results = pg.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    found = [(v["id"], v["impact"], [n["target"] for n in v["nodes"]][:3]) for v in results["violations"]]
    assert [f for f in found if f[1] in ("serious", "critical")] == []
    assert found == []  # none of lesser impact either, on the demo page or in the widget (shadow DOM included)
    assert results["passes"]
    assert pg.locator("[role=log][aria-live=polite]").count() == 1
    reduced = browser.new_context(viewport=DESKTOP, reduced_motion="reduce")
    rp = reduced.new_page()
    rp.goto(f"{web.base}/webhooks/web/demo")
    rp.click(".launcher")
    assert rp.eval_on_selector(".panel", "e => getComputedStyle(e).animationName") == "none"
    reduced.close()
    context.close()


def test_hostile_text_is_shown_as_text(page: Any) -> None:
    open_widget(page)
    hostile = '<img src=x onerror="window.__pwned=1"><script>window.__pwned=2</script>\u202eabc\u200b办证'
    ask(page, hostile)
    page.reload()
    page.wait_for_function(f"() => {ROOT_JS}.querySelectorAll('.msg.user').length > 0")
    shown = page.locator(".msg.user").last.inner_text()
    assert '<img src=x onerror="window.__pwned=1"><script>window.__pwned=2</script>' in shown
    counts = page.evaluate(f"() => {ROOT_JS}.querySelectorAll('img, script, iframe, object').length")
    assert counts == 0 and page.evaluate("window.__pwned") is None
    direction = page.eval_on_selector(".msg.user .bubble", "e => getComputedStyle(e).unicodeBidi")
    assert direction == "isolate"


def test_offline_keeps_the_text_and_retries(page: Any) -> None:
    open_widget(page)
    before = bubbles(page, "user")
    page.context.set_offline(True)
    page.fill("#sz-input", "开奶茶店要办什么证")
    page.press("#sz-input", "Enter")
    alert = page.locator("[role=alert]")
    alert.wait_for()
    assert "没有发出" in alert.inner_text()
    assert page.input_value("#sz-input") == "开奶茶店要办什么证"
    assert bubbles(page, "user") == before
    page.context.set_offline(False)
    n = bubbles(page, "bot")
    page.click(".retry")
    page.wait_for_function(f"() => {ROOT_JS}.querySelectorAll('.msg.bot').length > {n}")
    assert not alert.is_visible() and page.input_value("#sz-input") == ""
