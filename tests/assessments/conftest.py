"""The seed plan and Sở Tư pháp's yearly report, as the agencies' tests build them."""

import datetime
from dataclasses import dataclass
from decimal import Decimal

import pytest
from django.contrib.auth.models import AbstractUser
from django.test import Client

from assignments.models import (
    Agency,
    EvidenceDocument,
    EvidenceLink,
    ReportingCycle,
    ScoreProposal,
    YearlyReport,
)
from criteria.models import Criterion, Framework, Plan
from tests.assignments.conftest import seed_plan, seed_tasks, tien_giang, today  # noqa: F401
from tests.assignments.test_yearly_report import (  # noqa: F401
    agency_user,
    plan_document,
    tu_phap_report,
)

D = Decimal


@dataclass
class Province:
    """A small framework and plan with the owners' sent proposals of 2019: Sở Tư pháp for
    1.1 (with a document, complete) and 1.2.1 (without, explained); two districts for 2.1
    (2 and 1,5); 2.2 is scored by survey; 1.2.2 has no proposal."""

    plan: Plan
    tree: dict[str, Criterion]
    document: EvidenceDocument
    districts: list[Agency]


def _criteria(framework: Framework) -> dict[str, Criterion]:
    tree: dict[str, Criterion] = {}
    for code, maximum, survey in [
        ("1", "3", False),
        ("1.1", "1", False),
        ("1.2", "2", False),
        ("1.2.1", "1", False),
        ("1.2.2", "1", False),
        ("2", "3", False),
        ("2.1", "2", False),
        ("2.2", "1", True),
    ]:
        parent = tree.get(code.rpartition(".")[0])
        tree[code] = Criterion.objects.create(
            framework=framework,
            parent=parent,
            code=code,
            title=f"Tiêu chí {code}",
            max_score=D(maximum),
            is_survey=survey,
        )
    return tree


def _document(agency: Agency, number: str) -> EvidenceDocument:
    return EvidenceDocument.objects.create(
        agency=agency,
        number=number,
        issued_on=datetime.date(2019, 3, 1),
        title=f"Văn bản {number}",
        file=f"evidence/library/{agency.pk}/{number.replace('/', '-')}.pdf",
        original_name="vb.pdf",
        content_type="application/pdf",
        size=10,
        sha256=(number * 64)[:64],
    )


def sent_report(cycle: ReportingCycle, agency: Agency, status=YearlyReport.Status.SUBMITTED):
    return YearlyReport.objects.create(cycle=cycle, agency=agency, status=status)


def propose(report, criterion, score, *, complete=False, explanation="", links=()):
    proposal = ScoreProposal.objects.create(
        report=report,
        criterion=criterion,
        score=None if score is None else D(score),
        evidence_complete=complete,
        explanation=explanation,
        status=report.status,
    )
    for document, location in links:
        EvidenceLink.objects.create(
            document=document, criterion=criterion, proposal=proposal, location=location
        )
    return proposal


@pytest.fixture
def province(agency, other_agency) -> Province:
    framework = Framework.objects.create(code="QĐ 2948/QĐ-BNV", name="Đề án", first_year=2017)
    plan = Plan.objects.create(
        number="252/KH-UBND",
        title="Kế hoạch nâng cao Chỉ số CCHC",
        issued_on=datetime.date(2018, 9, 19),
        province="Tiền Giang",
        framework=framework,
        baseline_year=2017,
        first_year=2018,
        last_year=2020,
    )
    tree = _criteria(framework)
    cycle = ReportingCycle.objects.create(
        plan=plan, year=2019, deadline=datetime.date(2019, 11, 25)
    )
    third = Agency.objects.create(
        name="UBND huyện Chợ Gạo", short_name="H. Chợ Gạo", kind=Agency.Kind.DISTRICT
    )
    document = _document(agency, "10/KH-UBND")
    tu_phap = sent_report(cycle, agency)
    propose(tu_phap, tree["1.1"], "0.75", complete=True, links=[(document, "trang 3")])
    propose(tu_phap, tree["1.2.1"], "1", explanation="Chưa có văn bản, đang trình ký.")
    for district, score in [(other_agency, "2"), (third, "1.5")]:
        report = sent_report(cycle, district)
        propose(
            report,
            tree["2.1"],
            score,
            complete=True,
            links=[(_document(district, f"{district.pk}/BC-UBND"), "mục II")],
        )
    # A draft is not the province's to weigh.
    draft = sent_report(
        cycle,
        Agency.objects.create(name="Sở Y tế", short_name="SYT", kind=Agency.Kind.DEPARTMENT),
        status=YearlyReport.Status.DRAFT,
    )
    propose(draft, tree["1.2.2"], "1")
    return Province(plan=plan, tree=tree, document=document, districts=[other_agency, third])


def _logged_in(user: AbstractUser) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def staff_client(noivu_staff) -> Client:
    return _logged_in(noivu_staff)


@pytest.fixture
def leader_client(leader) -> Client:
    return _logged_in(leader)
