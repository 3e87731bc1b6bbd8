"""The agency's yearly report (assignments/yearly.py) on the seed plan: Sở Tư pháp's
sections, drafts, what is missing before sending, and Sở Nội vụ's review by section."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from assignments import yearly
from assignments.models import (
    Agency,
    EvidenceDocument,
    Report,
    ReportingCycle,
    Role,
    ScoreProposal,
    YearlyReport,
)
from assignments.owners import assign_from_actions
from assignments.services import save_report
from tests.conftest import _user_with_role

D = Decimal
pytestmark = pytest.mark.django_db


@pytest.fixture
def agency_user(seed_tasks, staff_password):
    """A user of Sở Tư pháp as the registry names it."""
    agency = Agency.objects.get(name="Sở Tư pháp")
    return _user_with_role("canbo.sotuphap", staff_password, Role.AGENCY_USER, agency)


@pytest.fixture
def tu_phap_report(seed_tasks, today) -> YearlyReport:
    # The tasks propose the owners of the sub-criteria whose text names none, as load_demo.
    assign_from_actions(plan=seed_tasks)
    cycle = ReportingCycle.objects.create(
        plan=seed_tasks, year=2019, deadline=datetime.date(2019, 11, 25)
    )
    agency = Agency.objects.get(name="Sở Tư pháp")
    return yearly.open_yearly_report(cycle=cycle, agency=agency)


def _codes(report: YearlyReport) -> list[str]:
    return [p.criterion.code for p in report.score_proposals.order_by("criterion__sort_key")]


def test_sections_are_the_tasks_it_leads_and_coordinates_and_the_sub_criteria_it_owns(
    tu_phap_report,
):
    task_reports = tu_phap_report.task_reports.all()
    lead = task_reports.filter(task__lead_agencies=tu_phap_report.agency)
    assert lead.count() == 3
    assert task_reports.count() > lead.count()
    codes = _codes(tu_phap_report)
    # What it leads by name, then its own part of what a group it belongs to leads
    # ("các cơ quan chuyên môn cấp tỉnh" for 3.4.1).
    assert codes == [
        "2.1.1",
        "2.1.2",
        "2.2",
        "2.3",
        "2.4",
        "3.4.1",
        "4.2.1",
        "5.5.2",
        "6.3",
        "7.1.3",
        "7.3.1",
        "7.3.2",
        "7.3.3",
    ]
    # Opening it again adds nothing twice.
    again = yearly.open_yearly_report(cycle=tu_phap_report.cycle, agency=tu_phap_report.agency)
    assert again.pk == tu_phap_report.pk
    assert again.task_reports.count() == task_reports.count()
    assert _codes(again) == codes


def test_score_is_checked_against_the_maximum(tu_phap_report, agency_user):
    proposal = tu_phap_report.score_proposals.select_related("criterion").first()
    too_high = proposal.criterion.max_score + D("0.5")
    with pytest.raises(ValidationError, match=proposal.criterion.code):
        yearly.save_proposal(
            proposal=proposal,
            by=agency_user,
            score=too_high,
            evidence_complete=True,
            explanation="",
            version=proposal.version,
        )
    proposal.refresh_from_db()
    assert proposal.score is None


def _fill(report: YearlyReport, user, document: EvidenceDocument) -> None:
    for task_report in report.task_reports.filter(task__lead_agencies=report.agency):
        save_report(
            report=task_report,
            by=user,
            progress=Report.Progress.DONE,
            narrative="Đã ban hành kế hoạch và tổ chức thực hiện.",
            values={},
            version=task_report.version,
        )
    proposals = list(report.score_proposals.select_related("criterion"))
    for index, proposal in enumerate(proposals):
        if proposal.criterion.is_survey:
            continue
        has_document = index < 2
        if has_document:
            yearly.link_document(
                proposal=proposal, document=document, location=f"trang {index + 3}", by=user
            )
        yearly.save_proposal(
            proposal=proposal,
            by=user,
            score=proposal.criterion.max_score,
            evidence_complete=has_document,
            explanation="" if has_document else "Chưa có văn bản, đang trình ký.",
            version=proposal.version,
        )


@pytest.fixture
def plan_document(tu_phap_report, agency_user) -> EvidenceDocument:
    return EvidenceDocument.objects.create(
        agency=tu_phap_report.agency,
        number="10/KH-UBND",
        issued_on=datetime.date(2019, 1, 15),
        issuer="UBND tỉnh Tiền Giang",
        title="Kế hoạch xây dựng văn bản QPPL năm 2019",
        file="evidence/library/x.pdf",
        original_name="kh.pdf",
        content_type="application/pdf",
        size=10,
        sha256="a" * 64,
    )


def test_missing_items_name_each_section_until_filled(tu_phap_report, agency_user, plan_document):
    missing = yearly.missing_items(tu_phap_report)
    scored = tu_phap_report.score_proposals.filter(criterion__is_survey=False).count()
    # 3 lead tasks without a result, each sub-criterion without a score nor an explanation,
    # but those the ministry scores by survey (2.4).
    assert tu_phap_report.score_proposals.filter(criterion__code="2.4", criterion__is_survey=True)
    assert len(missing) == 3 + 2 * scored
    assert "2.1.1" in missing[3].message
    with pytest.raises(ValidationError):
        yearly.send_yearly_report(
            report=tu_phap_report, by=agency_user, version=tu_phap_report.version
        )
    _fill(tu_phap_report, agency_user, plan_document)
    assert yearly.missing_items(tu_phap_report) == []
    # One document, linked to two sub-criteria with their page.
    assert plan_document.links.count() == 2
    assert sorted(plan_document.links.values_list("location", flat=True)) == ["trang 3", "trang 4"]


def test_return_reopens_only_the_commented_sections(
    tu_phap_report, agency_user, noivu_staff, plan_document
):
    _fill(tu_phap_report, agency_user, plan_document)
    report = yearly.send_yearly_report(
        report=tu_phap_report, by=agency_user, version=tu_phap_report.version
    )
    assert report.status == YearlyReport.Status.SUBMITTED
    assert set(report.task_reports.values_list("status", flat=True)) == {"submitted"}
    task_report = report.task_reports.filter(task__lead_agencies=report.agency).first()
    proposal = report.score_proposals.select_related("criterion").first()
    report = yearly.return_yearly_report(
        report=report,
        by=noivu_staff,
        version=report.version,
        comments={
            f"task-{task_report.pk}": "Cần nêu số văn bản đã ban hành.",
            f"proposal-{proposal.pk}": "Điểm chưa khớp tài liệu.",
            "general": "",
        },
    )
    assert report.status == YearlyReport.Status.RETURNED
    reopened = report.task_reports.filter(status=Report.Status.RETURNED)
    assert list(reopened) == [task_report]
    assert reopened.get().review_comment == "Cần nêu số văn bản đã ban hành."
    assert list(report.score_proposals.filter(status="returned")) == [proposal]
    assert report.general_status == YearlyReport.Status.SUBMITTED
    transition = report.transitions.last()
    assert transition.by == noivu_staff and "2.1.1" in transition.note

    # Only the reopened sections can be changed.
    locked = report.score_proposals.exclude(pk=proposal.pk).first()
    with pytest.raises(ValidationError):
        yearly.save_proposal(
            proposal=locked,
            by=agency_user,
            score=D(0),
            evidence_complete=True,
            explanation="",
            version=locked.version,
        )
    proposal.refresh_from_db()
    yearly.save_proposal(
        proposal=proposal,
        by=agency_user,
        score=D("0.5"),
        evidence_complete=True,
        explanation="",
        version=proposal.version,
    )
    report = yearly.send_yearly_report(report=report, by=agency_user, version=report.version)
    assert not report.score_proposals.exclude(review_comment="").exists()
    report = yearly.accept_yearly_report(report=report, by=noivu_staff, version=report.version)
    assert report.status == YearlyReport.Status.ACCEPTED
    assert set(ScoreProposal.objects.filter(report=report).values_list("status", flat=True)) == {
        "accepted"
    }
    assert [t.to_status for t in report.transitions.all()] == [
        "submitted",
        "returned",
        "submitted",
        "accepted",
    ]


def test_return_needs_a_comment(tu_phap_report, agency_user, noivu_staff, plan_document):
    _fill(tu_phap_report, agency_user, plan_document)
    report = yearly.send_yearly_report(
        report=tu_phap_report, by=agency_user, version=tu_phap_report.version
    )
    with pytest.raises(ValidationError, match="ít nhất một phần"):
        yearly.return_yearly_report(
            report=report, by=noivu_staff, version=report.version, comments={"general": " "}
        )
