"""Every page of the portal against every role and method, read from the URL resolver.

A page added without an entry in PAGES fails `test_every_page_is_in_the_matrix`, so no page
escapes the matrix. For each page and role the expected status of GET and POST is stated;
after every refused POST the database is unchanged.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractUser
from django.core.files.base import ContentFile
from django.urls import NoReverseMatch, URLPattern, URLResolver, get_resolver, reverse

from assessments import units
from assessments.models import AssessmentRound, Entry
from assignments import yearly
from assignments.models import (
    Agency,
    ContentArea,
    Evidence,
    EvidenceDocument,
    Membership,
    Report,
    ReportingCycle,
    Responsibility,
    Role,
    ScoreProposal,
    Task,
)
from criteria.models import Criterion, Framework, NationalTable, Plan, Score, Target

pytestmark = pytest.mark.django_db

ROLES = ["anonymous", "agency_user", "other_agency_user", "leader", "noivu_staff", "admin_user"]
LOGGED_IN = ROLES[1:]

# Django's own account pages, the admin (guarded by is_staff and model permissions, tested
# with the appendix import) and the language switch, which every visitor may use.
NOT_PORTAL_PAGES = {
    "set_language",
    "login",
    "logout",
    "password_change",
    "password_change_done",
    "password_reset",
    "password_reset_done",
    "password_reset_confirm",
    "password_reset_complete",
    "home",
}


@dataclass
class World:
    plan: Plan
    criterion: Criterion
    responsibility: Responsibility
    task: Task
    cycle: ReportingCycle
    agency: Agency
    report: Report
    evidence: Evidence
    document: EvidenceDocument
    member: AbstractUser
    proposal: ScoreProposal
    unit_round: AssessmentRound
    unit_entry: Entry


@dataclass(frozen=True)
class Page:
    """How to reach a page, and the status each role gets for GET and for POST."""

    args: Callable[[World], list] = lambda world: []
    get: dict[str, int] = field(default_factory=dict)
    post: dict[str, int] = field(default_factory=dict)


def everyone(status: int, anonymous: int = 302) -> dict[str, int]:
    return {"anonymous": anonymous} | dict.fromkeys(LOGGED_IN, status)


# A method a page does not take is refused before anything else, even for anonymous visitors.
WRONG_METHOD = everyone(405, 405)


def only(allowed: set[str], status: int, refused: int = 403) -> dict[str, int]:
    return {"anonymous": 302} | {role: status if role in allowed else refused for role in LOGGED_IN}


SCORE_EDITORS = {"noivu_staff", "admin_user"}
WORK_EDITORS = {"noivu_staff", "admin_user"}
READERS = {"leader", "noivu_staff", "admin_user"}
REVIEWERS = {"noivu_staff", "admin_user"}
AGENCY_USERS = {"agency_user", "other_agency_user"}
# The people page: administrators, and Sở Nội vụ for the agencies' accounts (accounts.users).
USER_MANAGERS = {"noivu_staff", "admin_user"}


def own_or_readers(status: int) -> dict[str, int]:
    """The first agency's page: its own users and the readers see it, the other agency 404."""
    return {"anonymous": 302, "other_agency_user": 404} | {
        role: status for role in ("agency_user", *READERS)
    }


def agency_writes(status: int) -> dict[str, int]:
    """A write by the first agency: the other agency gets 404, the readers 403."""
    return {"anonymous": 302, "agency_user": status, "other_agency_user": 404} | dict.fromkeys(
        READERS, 403
    )


YEAR = lambda world: [2018]  # noqa: E731
UNIT_ROUND = lambda world: [world.unit_round.pk]  # noqa: E731
UNIT_ASSESSMENT = lambda world: [world.unit_round.pk, world.agency.pk]  # noqa: E731
UNIT_ENTRY = lambda world: [world.unit_entry.pk]  # noqa: E731


def _own_yearly_answer() -> int:
    """An agency user on the review of its own yearly report: sent to its own report's
    page once that page exists, refused until then."""
    try:
        reverse("assignments:yearly-report", args=[2018])
    except NoReverseMatch:
        return 403
    return 302


PAGES: dict[str, Page] = {
    "criteria:plan-detail-current": Page(get=everyone(302), post=WRONG_METHOD),
    "criteria:plan-detail": Page(lambda w: [w.plan.pk], everyone(200), WRONG_METHOD),
    "criteria:plan-appendix-download": Page(lambda w: [w.plan.pk], everyone(200), WRONG_METHOD),
    "criteria:criterion-history": Page(lambda w: [w.criterion.pk], everyone(200), WRONG_METHOD),
    "reports:overview": Page(get=everyone(200), post=WRONG_METHOD),
    # Off by default: the public page does not exist until the province turns it on.
    "reports:public-overview": Page(get=everyone(404, 404), post=everyone(405, 405)),
    "reports:score-grid": Page(YEAR, everyone(200), WRONG_METHOD),
    "reports:score-save": Page(
        # Without htmx an empty form is sent back to the grid with its errors.
        lambda w: [2018, w.criterion.pk],
        WRONG_METHOD,
        only(SCORE_EDITORS, 302),
    ),
    # Declaring a year's scores final (or opening it again): back to the grid.
    "reports:year-final": Page(YEAR, WRONG_METHOD, only(SCORE_EDITORS, 302)),
    "reports:gap-dashboard": Page(YEAR, everyone(200), WRONG_METHOD),
    "reports:results-export": Page(YEAR, everyone(200), WRONG_METHOD),
    "reports:results-print": Page(YEAR, everyone(200), WRONG_METHOD),
    "reports:route": Page(YEAR, everyone(200), WRONG_METHOD),
    "reports:agency-stakes": Page(YEAR, everyone(200), WRONG_METHOD),
    # Every agency's lost points and every agency's documents: readers only.
    "reports:appraisal": Page(YEAR, only(READERS, 200), WRONG_METHOD),
    "reports:appraisal-export": Page(YEAR, only(READERS, 200), WRONG_METHOD),
    "reports:evidence-package": Page(YEAR, only(READERS, 200), WRONG_METHOD),
    # The drafts of the documents Sở Nội vụ issues: the readers of every report, no agency.
    "reports:document-download": Page(
        lambda w: [2018, "self-assessment", "docx"], only(READERS, 200), WRONG_METHOD
    ),
    # The standing among provinces and its JSON: as the overview, every signed-in user.
    "reports:standing": Page(get=everyone(200), post=WRONG_METHOD),
    "reports:standing-json": Page(get=everyone(200), post=WRONG_METHOD),
    "reports:national-table-json": Page(YEAR, everyone(200), WRONG_METHOD),
    # An empty form comes back with its errors: 200, and nothing written.
    "assignments:responsibility-edit": Page(
        lambda w: [w.responsibility.pk], only(WORK_EDITORS, 200), only(WORK_EDITORS, 200)
    ),
    "assignments:task-list": Page(lambda w: [w.plan.pk], everyone(200), WRONG_METHOD),
    "assignments:task-edit": Page(
        lambda w: [w.task.pk], only(WORK_EDITORS, 200), only(WORK_EDITORS, 200)
    ),
    # The agencies' reports, on the first agency's accepted report of 2018: every POST an
    # allowed role makes here is refused by a form or a service, so nothing changes.
    # tests/assignments/test_report_access.py walks the same pages through real writes.
    "assignments:workspace": Page(
        get={"anonymous": 302, "agency_user": 200, "other_agency_user": 200}
        | dict.fromkeys(READERS, 302),
        post=WRONG_METHOD,
    ),
    "assignments:cycle-current": Page(get=only(READERS, 302), post=WRONG_METHOD),
    "assignments:cycle-create": Page(get=WRONG_METHOD, post=only(REVIEWERS, 200)),
    "assignments:cycle-detail": Page(YEAR, only(READERS, 200), WRONG_METHOD),
    "assignments:cycle-export": Page(YEAR, only(READERS, 200), WRONG_METHOD),
    "assignments:review-list": Page(get=only(REVIEWERS, 200), post=WRONG_METHOD),
    "assignments:agency-detail": Page(
        lambda w: [2018, w.agency.pk], own_or_readers(200), WRONG_METHOD
    ),
    "assignments:extension-create": Page(
        lambda w: [2018, w.agency.pk], WRONG_METHOD, only(REVIEWERS, 200)
    ),
    # The agency's yearly report of 2018 is a draft: a reviewer's reminder goes back to the
    # agency's page, whatever it mailed.
    "assignments:reminder-create": Page(
        lambda w: [2018, w.agency.pk], WRONG_METHOD, only(REVIEWERS, 302)
    ),
    "assignments:report-create": Page(
        lambda w: [2018, w.task.pk], WRONG_METHOD, agency_writes(302)
    ),
    "assignments:report-detail": Page(lambda w: [w.report.pk], own_or_readers(200), WRONG_METHOD),
    "assignments:report-history": Page(lambda w: [w.report.pk], own_or_readers(200), WRONG_METHOD),
    "assignments:report-update": Page(lambda w: [w.report.pk], WRONG_METHOD, agency_writes(200)),
    # The first agency has not opened its yearly report of 2018: the readers read that it
    # has not, and a review of it finds nothing to act on. Its own users go to their own
    # report's page once it exists (tests/assignments/test_report_access.py).
    "assignments:yearly-review": Page(
        lambda w: [2018, w.agency.pk],
        own_or_readers(200) | {"agency_user": _own_yearly_answer()},
        # An empty review of the agency's (draft) yearly report goes back to its page.
        agency_writes(403) | dict.fromkeys(REVIEWERS, 302),
    ),
    "assignments:evidence-download": Page(
        lambda w: [w.evidence.pk], own_or_readers(200), WRONG_METHOD
    ),
    # Each agency sees its own library; the readers see every one and write none.
    "assignments:document-list": Page(get=everyone(200), post=WRONG_METHOD),
    "assignments:document-create": Page(get=only(AGENCY_USERS, 200), post=only(AGENCY_USERS, 200)),
    "assignments:document-edit": Page(
        lambda w: [w.document.pk], agency_writes(200), agency_writes(200)
    ),
    "assignments:document-download": Page(
        lambda w: [w.document.pk], own_or_readers(200), WRONG_METHOD
    ),
    # The agency's own yearly report (opened for the first agency): each agency reads and
    # writes only its own; an empty form comes back with its errors, an empty send goes
    # back to the page, and nothing is written.
    "assignments:yearly-report": Page(
        YEAR,
        {"anonymous": 302} | dict.fromkeys(AGENCY_USERS, 200) | dict.fromkeys(READERS, 403),
        WRONG_METHOD,
    ),
    "assignments:yearly-general": Page(YEAR, WRONG_METHOD, agency_writes(200)),
    "assignments:yearly-send": Page(YEAR, WRONG_METHOD, agency_writes(302)),
    "assignments:yearly-proposal": Page(
        lambda w: [2018, w.proposal.pk], WRONG_METHOD, agency_writes(200)
    ),
    # The province's self-assessment: Sở Nội vụ decides, leaders read and approve. Each POST
    # here is refused by its form or has nothing to act on (no proposals, no assessment).
    "assessments:assessment-current": Page(get=only(READERS, 302), post=WRONG_METHOD),
    "assessments:assessment-detail": Page(YEAR, only(READERS, 200), WRONG_METHOD),
    "assessments:entry-decide": Page(
        lambda w: [2018, w.criterion.pk], WRONG_METHOD, only(SCORE_EDITORS, 302)
    ),
    "assessments:assessment-adopt": Page(YEAR, WRONG_METHOD, only(SCORE_EDITORS, 302)),
    "assessments:assessment-approve": Page(YEAR, WRONG_METHOD, only({"leader"}, 302)),
    "assessments:assessment-unlock": Page(YEAR, WRONG_METHOD, only({"leader"}, 302)),
    # The index of the units, on the first agency's (a department's) assessment of the
    # departments' round of 2020, still a draft: a unit reaches only its own, others get 404;
    # each POST an allowed role makes is refused by its form or its service (the round is
    # closed, nothing is approved to publish), so nothing changes.
    # tests/assessments/test_unit_*.py walk the real writes.
    "assessments:unit-rounds": Page(get=everyone(200), post=WRONG_METHOD),
    "assessments:unit-round": Page(
        UNIT_ROUND,
        {"anonymous": 302, "agency_user": 302, "other_agency_user": 404}
        | dict.fromkeys(READERS, 200),
        WRONG_METHOD,
    ),
    "assessments:unit-round-publish": Page(
        UNIT_ROUND, WRONG_METHOD, only({"leader"}, 302, 404) | {"other_agency_user": 404}
    ),
    "assessments:unit-assessment": Page(UNIT_ASSESSMENT, own_or_readers(200), WRONG_METHOD),
    "assessments:unit-assessment-start": Page(
        UNIT_ASSESSMENT, WRONG_METHOD, only({"agency_user"}, 302, 404)
    ),
    "assessments:unit-assessment-step": Page(
        lambda w: [w.unit_round.pk, w.agency.pk, "send"],
        WRONG_METHOD,
        only({"agency_user"}, 302, 404),
    ),
    "assessments:unit-entry-save": Page(UNIT_ENTRY, WRONG_METHOD, only({"agency_user"}, 302, 404)),
    "assessments:unit-entry-appraise": Page(UNIT_ENTRY, WRONG_METHOD, only(REVIEWERS, 302, 404)),
    "assessments:unit-entry-respond": Page(
        UNIT_ENTRY, WRONG_METHOD, only({"agency_user"}, 302, 404)
    ),
    "assessments:unit-entry-final": Page(UNIT_ENTRY, WRONG_METHOD, only(REVIEWERS, 302, 404)),
    "reports:unit-results": Page(lambda w: [2020], everyone(200), WRONG_METHOD),
    # Nothing approved yet: no unit has a page.
    "reports:unit-detail": Page(lambda w: [2020, w.agency.pk], everyone(404), WRONG_METHOD),
    # An empty form comes back with its errors: 200, and nothing written.
    "accounts:user-list": Page(get=only(USER_MANAGERS, 200), post=WRONG_METHOD),
    "accounts:user-create": Page(get=only(USER_MANAGERS, 200), post=only(USER_MANAGERS, 200)),
    "accounts:user-edit": Page(
        lambda w: [w.member.pk], only(USER_MANAGERS, 200), only(USER_MANAGERS, 200)
    ),
    "twofactor:device-detail": Page(get=everyone(200), post=WRONG_METHOD),
    "twofactor:device-create": Page(get=WRONG_METHOD, post=everyone(302)),
    "twofactor:device-confirm": Page(get=WRONG_METHOD, post=everyone(302)),
    "twofactor:device-delete": Page(get=WRONG_METHOD, post=everyone(302)),
    "twofactor:login-verify": Page(get=everyone(302), post=everyone(302)),
}


def portal_url_names() -> set[str]:
    names = set()

    def walk(resolver: URLResolver, namespace: str | None) -> None:
        for pattern in resolver.url_patterns:
            if isinstance(pattern, URLResolver):
                if pattern.namespace == "admin":
                    continue
                inner = pattern.namespace or None
                walk(pattern, ":".join(filter(None, [namespace, inner])) or None)
            elif isinstance(pattern, URLPattern) and pattern.name:
                names.add(f"{namespace}:{pattern.name}" if namespace else pattern.name)

    walk(get_resolver(), None)
    return names - NOT_PORTAL_PAGES


def test_every_page_is_in_the_matrix():
    assert portal_url_names() == set(PAGES)


@pytest.fixture
def world(agency, settings, tmp_path, staff_password) -> World:
    framework = Framework.objects.create(code="QĐ 2948/QĐ-BNV", name="Đề án", first_year=2017)
    plan = Plan.objects.create(
        number="252/KH-UBND",
        title="Kế hoạch",
        issued_on="2018-09-19",
        province="Tiền Giang",
        framework=framework,
        baseline_year=2017,
        first_year=2018,
        last_year=2020,
    )
    area = Criterion.objects.create(framework=framework, code="1", title="Lĩnh vực", max_score=2)
    criterion = Criterion.objects.create(
        framework=framework, parent=area, code="1.1", title="Tiêu chí", max_score=2
    )
    Score.objects.create(criterion=criterion, year=2018, kind="official", value=Decimal(1))
    NationalTable.objects.create(year=2018, citation="Ban Chỉ đạo CCHC")
    Target.objects.create(
        plan=plan, criterion=area, first_year=2018, last_year=2018, min_score=1, max_score=2
    )
    responsibility = Responsibility.objects.create(plan=plan, criterion=criterion)
    responsibility.leads.add(agency)
    settings.MEDIA_ROOT = tmp_path
    cycle = ReportingCycle.objects.create(plan=plan, year=2018, deadline="2018-11-25")
    area_of_work = ContentArea.objects.create(plan=plan, number=1, title="Công tác chỉ đạo")
    task = Task.objects.create(content_area=area_of_work, number=1, text="Ban hành kế hoạch")
    task.lead_agencies.add(agency)
    report = Report.objects.create(
        cycle=cycle, agency=agency, task=task, status=Report.Status.ACCEPTED, narrative="Xong"
    )
    evidence = Evidence(
        report=report, original_name="qd.pdf", content_type="application/pdf", size=9
    )
    evidence.file.save("evidence.pdf", ContentFile(b"%PDF-1.4\n"), save=True)
    document = EvidenceDocument(
        agency=agency, title="Kế hoạch", original_name="kh.pdf", content_type="application/pdf",
        size=9,
    )  # fmt: skip
    document.file.save("evidence.pdf", ContentFile(b"%PDF-1.4\n"), save=True)
    member = get_user_model().objects.create_user("canbo.thanhvien", password=staff_password)
    member.groups.add(Role.AGENCY_USER.group())
    Membership.objects.create(user=member, agency=agency)
    unit_framework = Framework.objects.create(
        code="SBN-2020", name="Sở", unit_type="department", first_year=2020, max_score=2
    )
    unit_area = Criterion.objects.create(
        framework=unit_framework, code="1", title="Lĩnh vực", max_score=2
    )
    Criterion.objects.create(
        framework=unit_framework, parent=unit_area, code="1.1", title="Tiêu chí", max_score=2
    )
    unit_round = AssessmentRound.objects.create(
        year=2020, unit_type="department", framework=unit_framework,
        opens_on="2021-01-05", deadline="2021-01-31",
    )  # fmt: skip
    unit_assessment = units.unit_assessment(unit_round=unit_round, agency=agency)
    report_of_year = yearly.open_yearly_report(cycle=cycle, agency=agency)
    return World(
        unit_round=unit_round,
        unit_entry=unit_assessment.entries.get(),
        proposal=report_of_year.score_proposals.get(),
        plan=plan,
        criterion=criterion,
        responsibility=responsibility,
        task=task,
        cycle=cycle,
        agency=agency,
        report=report,
        evidence=evidence,
        document=document,
        member=member,
    )


def snapshot() -> dict[str, list]:
    """Every row of every project model, to prove a refused request wrote nothing."""
    state = {}
    for label in ("auth", "criteria", "assignments", "assessments", "reports"):
        for model in apps.get_app_config(label).get_models():
            if model._meta.model_name.startswith("historical"):
                continue
            state[model._meta.label] = sorted(map(str, model.objects.values_list()))
    return state


@pytest.fixture
def as_role(request, client):
    def login(role: str):
        if role != "anonymous":
            client.force_login(request.getfixturevalue(role))
        return client

    return login


CASES = [
    (name, role, method) for name in sorted(PAGES) for role in ROLES for method in ("get", "post")
]


@pytest.mark.parametrize(("name", "role", "method"), CASES)
def test_role_gets_the_expected_status(world, as_role, name, role, method):
    page = PAGES[name]
    expected = getattr(page, method)[role]
    client = as_role(role)
    before = snapshot()

    response = getattr(client, method)(reverse(name, args=page.args(world)))

    assert response.status_code == expected
    if expected == 302 and role == "anonymous":
        assert response.headers["Location"].startswith(reverse("login"))
    if (
        method == "post"
        and expected in (302, 403, 404, 405, 422)
        and name.startswith(("criteria:", "reports:", "assignments:", "assessments:", "accounts:"))
    ):
        assert snapshot() == before
