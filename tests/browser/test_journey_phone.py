"""The portal on a phone (390 × 844): every main page of every role fits the screen's width
(wide tables scroll inside their own box, their first column kept in view), and an agency
writes and sends a report with an evidence file."""

from collections.abc import Callable, Iterator

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.urls import reverse
from playwright.sync_api import Browser, Page, expect

from assignments.demo import DEMO_PASSWORD
from assignments.models import Agency, Report, ReportingCycle, Responsibility, Task
from criteria.models import Criterion, Plan
from tests.assignments.reporting import PDF_BYTES

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}
# The outermost elements past the right edge that no scrolling box holds: the culprits.
WIDE_ELEMENTS = """() => {
  const found = [];
  for (const element of document.querySelectorAll("body *")) {
    if (element.getBoundingClientRect().right <= innerWidth) continue;
    const parent = element.parentElement;
    if (parent && parent.getBoundingClientRect().right > innerWidth) continue;
    let box = parent, held = false;
    for (; box && !held; box = box.parentElement) {
      held = ["auto", "scroll", "hidden"].includes(getComputedStyle(box).overflowX);
    }
    if (!held) found.push(`${element.tagName.toLowerCase()}.${element.className}`);
  }
  return found.slice(0, 5);
}"""


@pytest.fixture
def demo(settings) -> Plan:
    """What `make serve` loads: the plan, its tasks, the demo accounts and their reports."""
    settings.DEBUG = True  # load_demo creates its accounts only on a development machine
    call_command("load_demo", verbosity=0)
    settings.DEBUG = False
    settings.PAR_PUBLIC_PAGE_ENABLED = True
    return Plan.objects.get(number="252/KH-UBND")


@pytest.fixture
def open_phone(browser: Browser, live_server, login) -> Iterator[Callable[[str], Page]]:
    """A phone-sized browser, logged in as a demo account: `open_phone(username)`."""
    contexts = []

    def open_page(username: str | None) -> Page:
        context = browser.new_context(viewport=PHONE, locale="vi-VN", is_mobile=True)
        contexts.append(context)
        page = context.new_page()
        if username:
            user = get_user_model().objects.get(username=username)
            login(page, live_server, user, DEMO_PASSWORD)
        return page

    yield open_page
    for context in contexts:
        context.close()


def _main_pages(plan: Plan) -> dict[str | None, list[str]]:
    """The pages each demo account reaches from its menu and their first links."""
    cycle = ReportingCycle.objects.get(plan=plan, year=plan.last_year)
    justice = Agency.objects.get(name="Sở Tư pháp")
    # The task Sở Tư pháp has written in its 2020 draft, a task of a report sent.
    draft = Report.objects.filter(cycle=cycle, agency=justice).exclude(narrative="").get()
    submitted = Report.objects.filter(cycle=cycle, status=Report.Status.SUBMITTED).first()
    criterion = Criterion.objects.filter(framework=plan.framework).leaves().first()
    task = Task.objects.filter(content_area__plan=plan).first()
    responsibility = Responsibility.objects.filter(plan=plan).first()
    readers = [
        reverse("criteria:plan-detail", args=[plan.pk]),
        reverse("criteria:criterion-history", args=[criterion.pk]),
        reverse("reports:overview"),
        reverse("reports:gap-dashboard", args=[2018]),
        reverse("reports:route", args=[2018]),
        reverse("reports:agency-stakes", args=[2018]),
        reverse("reports:results-print", args=[2018]),
        reverse("assignments:task-list", args=[plan.pk]),
        reverse("assignments:cycle-detail", args=[cycle.year]),
        reverse("assignments:agency-detail", args=[cycle.year, justice.pk]),
        reverse("assignments:yearly-review", args=[cycle.year, justice.pk]),
        reverse("assignments:report-detail", args=[submitted.pk]),
        reverse("assignments:report-history", args=[submitted.pk]),
        reverse("assessments:assessment-detail", args=[cycle.year]),
        reverse("twofactor:device-detail"),
    ]
    editors = [
        reverse("reports:score-grid", args=[2018]),
        reverse("assignments:task-edit", args=[task.pk]),
        reverse("assignments:responsibility-edit", args=[responsibility.pk]),
        reverse("assignments:review-list"),
        reverse("assignments:cycle-detail", args=[cycle.year]) + "?sort=-filled",
    ]
    return {
        None: [reverse("login"), reverse("reports:public-overview")],
        "lanhdao": readers,
        "noivu": readers + editors,
        "admin": [*editors, reverse("admin:index"), reverse("admin:criteria_criterion_changelist")],
        "sotuphap": [
            reverse("criteria:plan-detail", args=[plan.pk]),
            reverse("reports:overview"),
            reverse("reports:agency-stakes", args=[2018]),
            reverse("assignments:workspace"),
            reverse("assignments:report-detail", args=[draft.pk]),
            reverse("assignments:report-history", args=[draft.pk]),
            reverse("twofactor:device-detail"),
        ],
    }


def test_every_main_page_fits_a_phone_screen(open_phone, live_server, demo, tmp_path):
    too_wide = {}
    failed = []

    for username, paths in _main_pages(demo).items():
        page = open_phone(username)
        # Whatever a page loads besides itself (styles, scripts, its icon) is there.
        page.on("response", lambda r: failed.append(r.url) if r.status >= 400 else None)
        for path in paths:
            response = page.goto(live_server.url + path)
            assert response.status == 200, (username, path)
            width = page.evaluate("document.documentElement.scrollWidth")
            if width > PHONE["width"]:
                too_wide[f"{username} {path}"] = (width, page.evaluate(WIDE_ELEMENTS))
            name = f"{username}{path}".replace("/", "_")
            page.screenshot(path=tmp_path / f"{name}.png")

    assert failed == []
    assert too_wide == {}, "wider than the phone:\n" + "\n".join(
        f"{page}: {width}px, {elements}" for page, (width, elements) in too_wide.items()
    )


def test_a_wide_table_scrolls_in_its_box_and_keeps_its_first_column(open_phone, live_server, demo):
    page = open_phone("lanhdao")
    page.goto(live_server.url + reverse("criteria:plan-detail", args=[demo.pk]))
    box = page.locator(".table-scroll").filter(has=page.locator("table.plan-table"))
    first_cell = box.locator("tbody tr").first.locator("> *").first
    left = first_cell.bounding_box()["x"]

    box.evaluate("element => { element.scrollLeft = 300; }")

    assert box.evaluate("element => element.scrollLeft") == 300
    assert first_cell.bounding_box()["x"] == left
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]


def test_agency_writes_a_report_with_evidence_on_a_phone(open_phone, live_server, demo, tmp_path):
    """The task's page on a phone; the whole yearly report is sent from its own page
    (tests/browser/test_journey_yearly_report.py)."""
    justice = Agency.objects.get(name="Sở Tư pháp")
    evidence = tmp_path / "quyet-dinh-ban-hanh.pdf"
    evidence.write_bytes(PDF_BYTES)
    page = open_phone("sotuphap")

    page.get_by_role("navigation", name="Điều hướng chính").get_by_role(
        "link", name="Việc của tôi"
    ).click()
    # The demo's 2020 report has a section for every task: each is written on from its link.
    write = page.get_by_role("link", name="Viết tiếp").first
    write.scroll_into_view_if_needed()
    box = write.bounding_box()
    # The button is on the screen, not past its right edge in a table scrolled aside.
    assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"]
    page.screenshot(path=tmp_path / "workspace.png")
    write.click()

    expect(page.get_by_role("heading", level=1)).to_contain_text("Báo cáo nhiệm vụ")
    page.get_by_label("Tiến độ").select_option(label="Hoàn thành")
    page.get_by_label("Kết quả thực hiện").fill("Đã ban hành quyết định, kèm minh chứng.")
    evidence_group = page.get_by_role("group", name="Tài liệu minh chứng")
    evidence_group.get_by_label("Thêm tài liệu minh chứng").set_input_files(evidence)
    save = page.get_by_role("button", name="Lưu nháp")
    save.scroll_into_view_if_needed()
    page.screenshot(path=tmp_path / "report-form.png")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    save.click()

    expect(page.get_by_role("status")).to_contain_text("Đã lưu báo cáo.")
    expect(page.get_by_role("link", name=evidence.name)).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    page.screenshot(path=tmp_path / "report-saved.png", full_page=True)
    report = Report.objects.get(agency=justice, narrative="Đã ban hành quyết định, kèm minh chứng.")
    assert report.status == Report.Status.DRAFT
    assert [item.original_name for item in report.evidence.all()] == [evidence.name]
