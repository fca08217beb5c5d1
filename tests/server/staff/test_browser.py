"""The staff application in a real browser (Debian's Chromium through Playwright) against the real
servers (issue 14's acceptance): an agent takes a caller's Cantonese complaint about a rejection, sees the
department and the tier and opens the TJ record in one action; the section chief of that department finds
it in the queue and decides it; the district's dashboard shows it in its charts. A stale action is refused,
role and department limits hold in the pages, each page passes an axe-core scan, and screenshots are
written to docs/img/."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.server.staff.conftest import IMG, PASSWORD, StaffServer

pytestmark = pytest.mark.server
DESKTOP = {"width": 1440, "height": 900}
# axe-core is injected as a script tag, which the pages' CSP (script-src 'self') would rightly block.
COMPLAINT = (
    "坐席：您好，12345热线，请问有什么可以帮您？\n市民：我去窗口办食品经营许可证，窗口话我少咗营业执照复印件，"
    "叫我补齐先再嚟，我觉得冇必要啊。我姓陈，电话13912345678"
)


@pytest.fixture
def context(browser: Any) -> Iterator[Any]:
    ctx = browser.new_context(viewport=DESKTOP, locale="zh-CN", bypass_csp=True)
    yield ctx
    ctx.close()


def login(ctx: Any, staff: StaffServer, username: str, landing: str) -> Any:
    """Logs in through the login page; returns the page on the role's landing page."""
    page = ctx.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.errors = errors
    page.goto(f"{staff.base}/webhooks/staff/app/")
    page.fill("#username", username)
    page.fill("#password", PASSWORD)
    page.click("#submit")
    page.wait_for_url(f"**{landing}*")
    return page


def serious(page: Any, axe_script: Path) -> list[str]:
    page.add_script_tag(path=str(axe_script))
    result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    return [f"{v['id']}: {v['help']}" for v in result["violations"] if v["impact"] in ("serious", "critical")]


def test_agent_opens_the_escalation_the_section_chief_decides_and_the_dashboard_shows_it(
    context: Any, browser: Any, staff: StaffServer, axe_script: Path
) -> None:
    IMG.mkdir(parents=True, exist_ok=True)
    # --- the agent, during the call ---
    agent = login(context, staff, "agent1", "/webhooks/assist/console")
    agent.wait_for_selector("body[data-ready='1']")
    agent.fill("#call-text", COMPLAINT)
    agent.wait_for_selector("#departments li[data-code='msa']", timeout=15000)
    agent.wait_for_selector("#tier[data-tier='2']")
    assert agent.get_attribute("#request-type", "data-value") == "dispute_rejection"
    assert "只分析来电人的话" in agent.inner_text("#call-evidence")
    assert agent.input_value("#o-dept") == "msa" and agent.input_value("#o-phone") == "139****5678"
    assert "第2层级" in agent.inner_text("#script")
    assert serious(agent, axe_script) == []
    assert "13912345678" not in agent.input_value("#o-summary")
    agent.press("#call-text", "Alt+t")  # one action: the TJ record at the decided tier
    agent.wait_for_selector("#record-number")
    agent.screenshot(path=str(IMG / "staff-console.png"), full_page=True)
    number = agent.get_attribute("#record-number", "data-number")
    assert number and number.startswith("TJ")
    assert "第2层级" in agent.inner_text("#readout")
    agent.reload()  # mid-call: nothing is lost
    agent.wait_for_selector("#record-number")
    assert agent.get_attribute("#record-number", "data-number") == number
    assert "营业执照复印件" in agent.input_value("#call-text")
    assert agent.errors == []

    # --- the section chief of that department ---
    chief_ctx = browser.new_context(viewport=DESKTOP, locale="zh-CN", bypass_csp=True)
    try:
        chief = login(chief_ctx, staff, "msa-chief", "/webhooks/staff/app/queue")
        row = chief.wait_for_selector(f"tr[data-number='{number}']")
        assert "剩" in row.inner_text() and "第2层级" in row.inner_text()
        chief.select_option("#f-tier", "3")
        assert chief.locator(f"tr[data-number='{number}']").count() == 0  # the filters filter
        chief.select_option("#f-tier", "2")
        chief.wait_for_selector(f"tr[data-number='{number}']")
        assert serious(chief, axe_script) == []
        chief.screenshot(path=str(IMG / "staff-queue.png"), full_page=True)
        chief.click(f"a:text('{number}')")
        chief.wait_for_selector("form[data-action='decide']")
        assert "营业执照复印件" in chief.inner_text("#summary") and "139****5678" in chief.inner_text("#summary")
        assert "R6" in chief.inner_text("#rules")
        assert serious(chief, axe_script) == []

        # The same record in a second tab (logged in there too) is acknowledged: the first tab is now stale.
        other = login(chief_ctx, staff, "msa-chief", "/webhooks/staff/app/queue")
        other.goto(chief.url)
        other.wait_for_selector("form[data-action='acknowledge']")
        other.click("form[data-action='acknowledge'] button[type=submit]")
        other.wait_for_selector("#done:has-text('已办理')")
        chief.check("form[data-action='decide'] input[value='overturn']")
        chief.fill("form[data-action='decide'] textarea", "营业执照已有电子证照，可免交复印件，撤销原退件，予以受理。")
        chief.click("form[data-action='decide'] button[type=submit]")
        chief.wait_for_selector("#error:has-text('已被更新')")
        assert "没有执行" in chief.inner_text("#error")
        chief.reload()
        chief.wait_for_selector("form[data-action='decide']")
        chief.check("form[data-action='decide'] input[value='overturn']")
        chief.fill("form[data-action='decide'] textarea", "营业执照已有电子证照，可免交复印件，撤销原退件，予以受理。")
        chief.click("form[data-action='decide'] button[type=submit]")
        chief.wait_for_selector("#done:has-text('撤销原退件')")
        assert "staff:msa-chief" in chief.inner_text("#audit")
        chief.screenshot(path=str(IMG / "staff-record.png"), full_page=True)
        assert chief.errors == []
    finally:
        chief_ctx.close()

    # --- the district office's dashboard ---
    office_ctx = browser.new_context(viewport=DESKTOP, locale="zh-CN", bypass_csp=True)
    try:
        office = login(office_ctx, staff, "office", "/webhooks/staff/app/dashboard")
        office.wait_for_selector("body[data-loaded='1']")
        assert office.evaluate("() => typeof window.Chart") == "function"  # the library served by the project
        assert office.locator("figure[data-chart] canvas").count() >= 8
        departments = office.inner_text("#t-departments")
        assert "市场监管" in departments and "1" in departments
        assert "第2层级" in office.inner_text("#t-tiers")
        assert "撤销原退件\t1" in office.inner_text("#t-decisions") or "撤销原退件 1" in office.inner_text(
            "#t-decisions"
        )
        assert "100.0%" in office.inner_text("#kpis")
        with office.expect_download() as download:
            office.click("figure[data-chart='departments'] button")
        assert "市场监管" in Path(download.value.path()).read_text(encoding="utf-8-sig")
        assert serious(office, axe_script) == []
        office.screenshot(path=str(IMG / "staff-dashboard.png"), full_page=True)
        assert office.errors == []
    finally:
        office_ctx.close()


def test_role_and_department_limits_hold_in_the_pages(context: Any, staff: StaffServer) -> None:
    token = staff.token("agent1")
    order = {"call_id": "limits-call-01", "text": COMPLAINT, "request_type": "dispute_rejection", "department": "msa"}
    status, body = staff.assistant.post("/webhooks/assist/console/records/escalation", order, token=token)
    assert status in (200, 201), body
    number = body["record"]["number"]
    fire = login(context, staff, "fire-chief", "/webhooks/staff/app/queue")
    fire.goto(f"{staff.base}/webhooks/staff/app/record?n={number}")
    # Another department's record reads as absent (404), so the page cannot tell which numbers exist.
    fire.wait_for_selector("text=不在您的办理范围内")
    assert staff.assistant.post(f"/webhooks/staff/records/{number}", None, token=staff.token("fire-chief"))[0] == 404
    fire.goto(f"{staff.base}/webhooks/assist/console")
    fire.wait_for_selector("h1:has-text('无权访问')")
    fire.goto(f"{staff.base}/webhooks/staff/app/dashboard")
    fire.wait_for_selector("h1:has-text('无权访问')")
    lead = login(context, staff, "msa-lead", "/webhooks/staff/app/queue")  # same department, tier 3
    lead.goto(f"{staff.base}/webhooks/staff/app/record?n={number}")
    lead.wait_for_selector("#actions p:has-text('只能查看')")
    agent = login(context, staff, "agent1", "/webhooks/assist/console")
    agent.goto(f"{staff.base}/webhooks/staff/app/queue")
    agent.wait_for_selector("h1:has-text('无权访问')")


def test_the_login_and_handover_pages_pass_the_scan(context: Any, staff: StaffServer, axe_script: Path) -> None:
    page = context.new_page()
    page.goto(f"{staff.base}/webhooks/staff/app/")
    assert serious(page, axe_script) == []
    page.fill("#username", "desk")
    page.fill("#password", "wrong password!")
    page.click("#submit")
    page.wait_for_selector("#error:has-text('不正确')")
    desk = login(context, staff, "desk", "/webhooks/staff/app/queue")
    desk.goto(f"{staff.base}/webhooks/staff/app/handovers")
    desk.wait_for_selector("#list")
    desk.wait_for_timeout(500)
    assert serious(desk, axe_script) == []
    desk.screenshot(path=str(IMG / "staff-handovers.png"), full_page=True)
