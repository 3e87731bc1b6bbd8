"""Yearly reports written and sent through the services, as an agency does on its page."""

import datetime

from django.contrib.auth.models import AbstractBaseUser
from django.urls import reverse
from django.utils import timezone

from assignments import yearly
from assignments.models import EvidenceDocument, Report, ReportingCycle, YearlyReport
from assignments.services import save_report


def library_document(agency, **fields) -> EvidenceDocument:
    """A document of the agency's library (the file itself is not read)."""
    values = {
        "number": "10/KH-UBND",
        "issued_on": datetime.date(2019, 1, 15),
        "issuer": "UBND tỉnh Tiền Giang",
        "title": "Kế hoạch xây dựng văn bản QPPL năm 2019",
        "file": "evidence/library/x.pdf",
        "original_name": "kh.pdf",
        "content_type": "application/pdf",
        "size": 10,
        "sha256": f"{agency.pk:064d}",
    }
    return EvidenceDocument.objects.create(agency=agency, **(values | fields))


def fill(report: YearlyReport, user: AbstractBaseUser, document: EvidenceDocument) -> None:
    """A result for every task the agency leads, a score for every sub-criterion it owns:
    the first two with the document (at a page), the others explained."""
    for task_report in report.task_reports.filter(task__lead_agencies=report.agency):
        save_report(
            report=task_report,
            by=user,
            progress=Report.Progress.DONE,
            narrative="Đã ban hành kế hoạch và tổ chức thực hiện.",
            values={},
            version=task_report.version,
        )
    proposals = report.score_proposals.select_related("criterion").order_by("criterion__sort_key")
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


def open_filled(cycle: ReportingCycle, agency, user: AbstractBaseUser) -> YearlyReport:
    report = yearly.open_yearly_report(cycle=cycle, agency=agency)
    fill(report, user, library_document(agency))
    report.refresh_from_db()
    return report


def send(report: YearlyReport, user: AbstractBaseUser) -> YearlyReport:
    report.refresh_from_db()
    return yearly.send_yearly_report(report=report, by=user, version=report.version)


def sent_bare(cycle: ReportingCycle, agency) -> YearlyReport:
    """A yearly report sent with no section but the general one: enough for a review."""
    return YearlyReport.objects.create(
        cycle=cycle,
        agency=agency,
        status=YearlyReport.Status.SUBMITTED,
        general_status=YearlyReport.Status.SUBMITTED,
        submitted_at=timezone.now(),
    )


def review_url(report: YearlyReport) -> str:
    return reverse("assignments:yearly-review", args=[report.cycle.year, report.agency_id])
