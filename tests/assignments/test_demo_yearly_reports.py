"""The demo's yearly reports (assignments/demo.py): 2019 filled and accepted for every agency
with sections, 2020 with one report in each state, and demonstration documents that are
real PDF files."""

import io
import re
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db.models import Exists, OuterRef

from assignments.demo import DEMO_NOTE, RETURN_COMMENTS, demo_pdf
from assignments.forms import check_evidence
from assignments.models import (
    Agency,
    AgencyGroup,
    EvidenceLink,
    Report,
    ReportingCycle,
    ReportTransition,
    Task,
    TaskTarget,
    YearlyReport,
    YearlyTransition,
)
from assignments.yearly import missing_items, owned_criteria
from criteria.models import Target

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo(settings) -> None:
    settings.DEBUG = True
    call_command("load_demo", stdout=io.StringIO())


def _pdf_is_well_formed(content: bytes) -> int:
    """The number of pages, once every cross-reference points at its object and every
    reference names an object of the file."""
    assert content.startswith(b"%PDF-1.4\n") and content.endswith(b"%%EOF\n")
    xref = int(re.search(rb"startxref\n(\d+)\n", content).group(1))
    assert content[xref:].startswith(b"xref\n")
    count = int(re.match(rb"xref\n0 (\d+)\n", content[xref:]).group(1))
    offsets = re.findall(rb"(\d{10}) 00000 n \n", content[xref:])
    assert len(offsets) == count - 1
    for number, offset in enumerate(offsets, start=1):
        assert content[int(offset) :].startswith(b"%d 0 obj\n" % number)
    assert {int(n) for n in re.findall(rb"(\d+) 0 R", content)} <= set(range(1, count))
    for length, stream in re.findall(rb"/Length (\d+) >>\nstream\n(.*?)\nendstream", content, re.S):
        assert int(length) == len(stream)
    return int(re.search(rb"/Count (\d+)", content).group(1))


def test_demo_pdf_is_a_pdf_with_a_page_per_section():
    content = demo_pdf("Sở Tư pháp – Kế hoạch (dữ liệu minh họa)", ["2.1.1", "2.1.2"])

    assert _pdf_is_well_formed(content) == 3
    assert b"(So Tu phap" in content and b"tieu chi 2.1.2" in content


def test_2020_has_a_report_in_each_state(demo):
    cycle = ReportingCycle.objects.get(year=2020)
    reports = {
        y.agency.name: y for y in YearlyReport.objects.filter(cycle=cycle).select_related("agency")
    }

    assert {name: y.status for name, y in reports.items()} == {
        "Sở Tư pháp": "draft",
        "Văn phòng UBND tỉnh": "returned",
        "UBND huyện Cái Bè": "submitted",
        "Sở Tài chính": "accepted",
    }
    # Sở Tư pháp: one lead task written, 2.1.1 proposed with a demonstration document at its
    # page; the rest is listed as missing.
    drafting = reports["Sở Tư pháp"]
    written = drafting.task_reports.exclude(narrative="")
    assert [r.task.lead_agencies.filter(pk=drafting.agency_id).exists() for r in written] == [True]
    assert written.get().narrative.startswith(DEMO_NOTE)
    proposal = drafting.score_proposals.get(criterion__code="2.1.1")
    assert proposal.score is not None and proposal.evidence_complete
    link = proposal.evidence_links.select_related("document").get()
    assert link.location == "trang 2"
    assert "minh họa" in link.document.title
    with link.document.file.open("rb") as stream:
        content = stream.read()
    assert _pdf_is_well_formed(content) == 2
    assert check_evidence(SimpleUploadedFile("minh-hoa.pdf", content)).label == "PDF"
    missing = [m.message for m in missing_items(drafting)]
    assert len(missing) > 5
    assert not [m for m in missing if "2.1.1" in m]
    assert any("chủ trì" in m for m in missing)
    # Văn phòng UBND tỉnh: one task and one sub-criterion reopened with noivu's comments.
    returned = reports["Văn phòng UBND tỉnh"]
    task_report = returned.task_reports.get(status=Report.Status.RETURNED)
    assert task_report.review_comment == RETURN_COMMENTS[0]
    reopened = returned.score_proposals.get(status="returned")
    assert reopened.review_comment == RETURN_COMMENTS[1]
    assert returned.task_reports.exclude(status="submitted").count() == 1
    step = returned.transitions.last()
    assert (step.to_status, step.by.username) == ("returned", "noivu")
    assert missing_items(returned) == []
    assert reports["Sở Tài chính"].transitions.last().by.username == "noivu"


def test_2019_every_agency_with_sections_is_filled_and_accepted(demo):
    cycle = ReportingCycle.objects.select_related("plan").get(year=2019)
    plan = cycle.plan
    with_sections = {
        agency.name
        for agency in Agency.objects.all()
        if agency.led_tasks.exists()
        or agency.coordinated_tasks.exists()
        or owned_criteria(agency, plan.pk, AgencyGroup.objects.ids_including(agency)).exists()
    }
    reports = list(YearlyReport.objects.filter(cycle=cycle).select_related("agency"))

    assert str(cycle.deadline) == "2019-11-25"
    assert {y.agency.name for y in reports} >= with_sections
    assert len(reports) > 25
    for report in reports:
        assert report.status == "accepted"
        assert missing_items(report) == []
        assert report.difficulties.startswith(DEMO_NOTE)
        assert report.submitted_at.date() < cycle.deadline
        assert set(report.task_reports.values_list("status", flat=True)) == {"accepted"}
        assert not report.task_reports.filter(narrative="").exists()
    # A value for every measurable target of 2019 of every task an agency leads.
    lead = Task.lead_agencies.through.objects.filter(
        task=OuterRef("task"), agency=OuterRef("agency")
    )
    with_values = 0
    for task_report in Report.objects.filter(cycle=cycle).filter(Exists(lead)):
        targets = TaskTarget.objects.filter(
            task=task_report.task_id, first_year__lte=2019, last_year__gte=2019
        )
        assert set(task_report.values.values_list("target", flat=True)) == set(
            targets.values_list("pk", flat=True)
        )
        assert all(t.is_met_by(task_report.values.get(target=t).value) for t in targets)
        with_values += targets.exists()
    assert with_values > 5
    # Scores at the 2019 target within the maximum, a few below; most with a document linked
    # to several sub-criteria at their pages, the others explained.
    targets = dict(
        Target.objects.filter(plan=plan, first_year=2019).values_list("criterion", "min_score")
    )
    proposals = [
        p
        for y in reports
        for p in y.score_proposals.select_related("criterion").prefetch_related("evidence_links")
        if not p.criterion.is_survey
    ]
    assert all(p.score is not None and p.score <= p.criterion.max_score for p in proposals)
    below = [p for p in proposals if p.score < targets.get(p.criterion_id, Decimal(0))]
    assert 0 < len(below) < len(proposals) / 4
    linked = [p for p in proposals if p.evidence_links.all()]
    assert len(proposals) / 2 < len(linked) < len(proposals)
    assert all(p.explanation.startswith(DEMO_NOTE) for p in proposals if p not in linked)
    links = EvidenceLink.objects.filter(proposal__report__cycle=cycle)
    assert links.values("document").distinct().count() < links.count()
    assert all(re.fullmatch(r"trang \d+", link.location) for link in links)
    # The steps happened in late 2019, before and after the deadline as they would.
    steps = YearlyTransition.objects.filter(report__cycle=cycle)
    assert {s.at.year for s in steps} == {2019}
    assert {s.at.year for s in ReportTransition.objects.filter(report__cycle=cycle)} == {2019}
