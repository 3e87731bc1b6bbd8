"""Every page of the reports, for every role: who reads, who writes, who gets 403 or 404.

An agency user reads and writes only its own agency's reports and files; another agency's
answer 404. Sở Nội vụ reads everything and reviews the yearly reports, but writes no
report. A leader reads everything and changes nothing. Anonymous visitors are sent to the
login page.
"""

import pytest
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from assignments.models import (
    Evidence,
    Extension,
    Report,
    ReportingCycle,
    ReportTransition,
    ReportValue,
    YearlyReport,
)
from tests.assignments.reporting import PDF_BYTES, make_report, upload

pytestmark = pytest.mark.django_db

PERSONAS = ["anonymous", "agency_user", "other_agency_user", "leader", "noivu_staff"]
LOGIN = "login"


def _own_yearly_answer() -> int:
    """An agency asking for the review of its own report goes to its own report's page,
    once that page exists; until then it is refused."""
    try:
        reverse("assignments:yearly-report", args=[2019])
    except NoReverseMatch:
        return 403
    return 302


# page name: (method, expected answer per persona in PERSONAS order)
PAGES = {
    "workspace": ("get", [LOGIN, 200, 200, 302, 302]),
    "agency-detail": ("get", [LOGIN, 200, 404, 200, 200]),
    "report-detail": ("get", [LOGIN, 200, 404, 200, 200]),
    "evidence-download": ("get", [LOGIN, 200, 404, 200, 200]),
    "cycle-current": ("get", [LOGIN, 403, 403, 302, 302]),
    "cycle-detail": ("get", [LOGIN, 403, 403, 200, 200]),
    "cycle-export": ("get", [LOGIN, 403, 403, 200, 200]),
    "report-create": ("post", [LOGIN, 302, 404, 403, 403]),
    "report-update": ("post", [LOGIN, 302, 404, 403, 403]),
    "yearly-review": ("get", [LOGIN, _own_yearly_answer(), 404, 200, 200]),
    "yearly-accept": ("post", [LOGIN, 403, 404, 403, 302]),
    "yearly-return": ("post", [LOGIN, 403, 404, 403, 302]),
    "extension-create": ("post", [LOGIN, 403, 403, 403, 302]),
    "cycle-create": ("post", [LOGIN, 403, 403, 403, 302]),
}

CASES = [
    (page_name, persona, expected)
    for page_name, (_method, answers) in PAGES.items()
    for persona, expected in zip(PERSONAS, answers, strict=True)
]


@pytest.fixture
def agency_work(world, media, agency_user) -> dict:
    """The first agency's draft with a file, its submitted report, and its yearly report
    sent and awaiting review."""
    draft = make_report(world, "2.2")
    submitted = make_report(world, "1.2", status=Report.Status.SUBMITTED)
    yearly = YearlyReport.objects.create(
        cycle=world.cycle,
        agency=world.agency,
        status=YearlyReport.Status.SUBMITTED,
        submitted_at=timezone.now(),
    )
    evidence = Evidence(
        report=draft,
        original_name="quyết định.pdf",
        content_type="application/pdf",
        size=len(PDF_BYTES),
        uploaded_by=agency_user,
    )
    evidence.file.save("evidence.pdf", upload("quyết định.pdf", PDF_BYTES), save=True)
    return {"draft": draft, "submitted": submitted, "evidence": evidence, "yearly": yearly}


def _request(page_name: str, client, world, work: dict):
    """Ask for the page about the first agency's work, with a valid form where one is posted."""
    draft, evidence, yearly = work["draft"], work["evidence"], work["yearly"]
    year = world.cycle.year
    review = reverse("assignments:yearly-review", args=[year, world.agency.pk])
    requests = {
        "workspace": (reverse("assignments:workspace"), None),
        "agency-detail": (reverse("assignments:agency-detail", args=[year, world.agency.pk]), None),
        "report-detail": (reverse("assignments:report-detail", args=[draft.pk]), None),
        "evidence-download": (reverse("assignments:evidence-download", args=[evidence.pk]), None),
        "cycle-current": (reverse("assignments:cycle-current"), None),
        "cycle-detail": (reverse("assignments:cycle-detail", args=[year]), None),
        "cycle-export": (reverse("assignments:cycle-export", args=[year]), None),
        "report-create": (
            reverse("assignments:report-create", args=[year, world.tasks["1.1"].pk]),
            {},
        ),
        "report-update": (
            reverse("assignments:report-update", args=[draft.pk]),
            {"progress": "done", "narrative": "Đã xong.", "version": draft.version},
        ),
        "yearly-review": (review, None),
        "yearly-accept": (review, {"version": yearly.version, "action": "accept"}),
        "yearly-return": (
            review,
            {"version": yearly.version, "action": "return", "comment-general": "Bổ sung."},
        ),
        "extension-create": (
            reverse("assignments:extension-create", args=[year, world.agency.pk]),
            {"until": "2019-12-05"},
        ),
        "cycle-create": (reverse("assignments:cycle-create"), {"year": 2020}),
    }
    url, data = requests[page_name]
    if data is None:
        return url, client.get(url)
    return url, client.post(url, data)


def _state() -> dict:
    return {
        "reports": list(Report.objects.order_by("pk").values_list("pk", "status", "version")),
        "values": ReportValue.objects.count(),
        "transitions": ReportTransition.objects.count(),
        "evidence": list(Evidence.objects.values_list("pk", flat=True)),
        "extensions": Extension.objects.count(),
        "cycles": ReportingCycle.objects.count(),
        "yearly": list(YearlyReport.objects.values_list("pk", "status", "version")),
    }


# Not "page": pytest-playwright owns that fixture name and would run these in a browser.
@pytest.mark.parametrize(("page_name", "persona", "expected"), CASES)
def test_each_role_on_each_page(
    request, client, world, today, agency_work, page_name, persona, expected
):
    if persona != "anonymous":
        client.force_login(request.getfixturevalue(persona))
    before = _state()

    url, response = _request(page_name, client, world, agency_work)

    if expected == LOGIN:
        assert response.status_code == 302
        assert response.url == f"{reverse('login')}?next={url}"
    else:
        assert response.status_code == expected
    if PAGES[page_name][0] == "get" or expected in (LOGIN, 403, 404):
        assert _state() == before
    else:
        assert _state() != before
