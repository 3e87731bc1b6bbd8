"""The year's consolidated export of the agencies' yearly reports (assignments/yearly_export.py)
on the seed plan: Sở Tư pháp's report filled through the services, downloaded by Sở Nội vụ
and read back with openpyxl."""

import datetime
import io
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from assignments import yearly
from assignments.models import (
    Agency,
    EvidenceDocument,
    Report,
    ReportingCycle,
    Role,
    ScoreProposal,
    TaskTarget,
    YearlyReport,
)
from assignments.owners import assign_from_actions
from assignments.services import save_report
from tests.assignments.conftest import _logged_in
from tests.conftest import _user_with_role

D = Decimal
pytestmark = pytest.mark.django_db

EXPORT = reverse("assignments:cycle-export", args=[2019])
FIRST_ROW = 5  # title, subtitle, blank line, header


@pytest.fixture
def agency_user(seed_tasks, staff_password):
    """A user of Sở Tư pháp as the registry names it."""
    agency = Agency.objects.get(name="Sở Tư pháp")
    return _user_with_role("canbo.sotuphap", staff_password, Role.AGENCY_USER, agency)


@pytest.fixture
def cycle(seed_tasks) -> ReportingCycle:
    # The tasks propose the owners of the sub-criteria whose text names none, as load_demo.
    assign_from_actions(plan=seed_tasks)
    return ReportingCycle.objects.create(
        plan=seed_tasks, year=2019, deadline=datetime.date(2019, 11, 25)
    )


def _document(agency: Agency, number: str, **fields) -> EvidenceDocument:
    defaults = {
        "issued_on": datetime.date(2019, 1, 15),
        "issuer": "UBND tỉnh Tiền Giang",
        "title": f"Văn bản {number}",
        "file": f"evidence/library/{number.replace('/', '-')}.pdf",
        "original_name": "vb.pdf",
        "content_type": "application/pdf",
        "size": 10,
        "sha256": number.ljust(64, "0")[:64],
    }
    return EvidenceDocument.objects.create(agency=agency, number=number, **(defaults | fields))


def _fill_and_send(report: YearlyReport, user, documents: list[EvidenceDocument]) -> YearlyReport:
    """A result for each task it leads (95% against a target of 100%), a score for each
    sub-criterion: the first with both documents, the second with one, the rest explained."""
    for task_report in report.task_reports.filter(task__lead_agencies=report.agency).order_by(
        "task__content_area__number", "task__number"
    ):
        targets = TaskTarget.objects.filter(task=task_report.task_id)
        save_report(
            report=task_report,
            by=user,
            progress=Report.Progress.DONE,
            narrative=f"Kết quả nhiệm vụ {task_report.task_id}: đã ban hành kế hoạch.",
            values={target.pk: D(95) for target in targets},
            version=task_report.version,
        )
    proposals = report.score_proposals.select_related("criterion").order_by("criterion__sort_key")
    for index, proposal in enumerate(proposals):
        if proposal.criterion.is_survey:
            continue
        linked = documents[: 2 - index] if index < 2 else []
        for page, document in enumerate(linked, start=1):
            yearly.link_document(
                proposal=proposal, document=document, location=f"trang {page}", by=user
            )
        yearly.save_proposal(
            proposal=proposal,
            by=user,
            score=proposal.criterion.max_score - D("0.25") * (index % 2),
            evidence_complete=bool(linked),
            explanation="" if linked else f"Tiêu chí {proposal.criterion.code}: đang trình ký.",
            version=proposal.version,
        )
    yearly.save_general(
        report=report,
        by=user,
        difficulties="Thiếu công chức pháp chế.",
        proposals="Bổ sung biên chế.",
        version=report.version,
    )
    report.refresh_from_db()
    return yearly.send_yearly_report(report=report, by=user, version=report.version)


@pytest.fixture
def sent_report(cycle, agency_user, today) -> YearlyReport:
    agency = agency_user.membership.agency
    report = yearly.open_yearly_report(cycle=cycle, agency=agency)
    documents = [
        _document(agency, "10/KH-UBND", title="Kế hoạch xây dựng văn bản QPPL năm 2019"),
        _document(agency, "25/BC-STP", issued_on=None, issuer="", title="Báo cáo kết quả"),
    ]
    return _fill_and_send(report, agency_user, documents)


def _line(link) -> str:
    """ "số ký hiệu, ngày dd/mm/yyyy, cơ quan ban hành, trích yếu (vị trí)", the parts known."""
    document = link.document
    day = f"ngày {document.issued_on:%d/%m/%Y}" if document.issued_on else ""
    parts = [document.number, day, document.issuer, document.title]
    return ", ".join(part for part in parts if part) + f" ({link.location})"


def _sheets(response) -> dict[str, list[list]]:
    workbook = load_workbook(io.BytesIO(response.content))
    return {
        sheet.title: [[cell.value for cell in row] for row in sheet.iter_rows(min_row=FIRST_ROW)]
        for sheet in workbook.worksheets
    }


def test_noivu_gets_each_proposed_score_with_its_documents_and_explanation(
    sent_report, noivu_client
):
    response = noivu_client.get(EXPORT)

    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="bao-cao-nam-2019.xlsx"'
    all_rows = _sheets(response)["Tiêu chí"]
    rows = [row for row in all_rows if row[4] == "Sở Tư pháp"]
    expected = []
    for proposal in ScoreProposal.objects.filter(report=sent_report).order_by(
        "criterion__sort_key"
    ):
        links = proposal.evidence_links.select_related("document").order_by("pk")
        expected.append(
            [
                proposal.criterion.code,
                proposal.criterion.title,
                float(proposal.criterion.max_score),
                "Sở Tư pháp",
                None if proposal.score is None else float(proposal.score),
                "Có" if proposal.evidence_complete else "Không",
                "\n".join(_line(link) for link in links) or None,
                proposal.explanation or None,
                "Đã gửi",
            ]
        )
    assert [row[1:] for row in rows] == expected
    assert [row[0] for row in all_rows] == list(range(1, len(all_rows) + 1))
    # The other owners have not opened their report: a row each, by code then agency.
    others = [row for row in all_rows if row[4] != "Sở Tư pháp"]
    assert ["1.1.1", "Sở Nội vụ", None, "Chưa báo cáo"] in [
        [row[1], row[4], row[5], row[9]] for row in others
    ]
    assert {row[9] for row in others} == {"Chưa báo cáo"}
    codes = [tuple(int(part) for part in row[1].split(".")) for row in all_rows]
    assert codes == sorted(codes)
    # The first sub-criterion has both documents, each with its date, issuer and title
    # where known, and its place in it; the second the first document only.
    first, second = rows[0], rows[1]
    assert first[1] == "2.1.1"
    assert first[7] == (
        "10/KH-UBND, ngày 15/01/2019, UBND tỉnh Tiền Giang, "
        "Kế hoạch xây dựng văn bản QPPL năm 2019 (trang 1)\n"
        "25/BC-STP, Báo cáo kết quả (trang 2)"
    )
    assert second[7].startswith("10/KH-UBND, ngày 15/01/2019") and "\n" not in second[7]
    assert (first[5], second[5]) == (float(first[3]), float(second[3]) - 0.25)
    assert rows[2][8] == f"Tiêu chí {rows[2][1]}: đang trình ký."


def test_task_rows_give_the_result_and_each_target_of_the_year_met_or_not(
    sent_report, noivu_client
):
    rows = _sheets(noivu_client.get(EXPORT))["Nhiệm vụ"]

    own = [row for row in rows if row[4] == "Sở Tư pháp"]
    assert [row[2] for row in own] == ["2.1", "2.2", "2.3"]
    for row, task_report in zip(
        own,
        sent_report.task_reports.filter(task__lead_agencies=sent_report.agency).order_by(
            "task__number"
        ),
        strict=True,
    ):
        assert row[3] == task_report.task.text
        assert (row[5], row[6], row[7]) == ("Đã gửi", "Hoàn thành", task_report.narrative)
    assert own[1][8] == (
        "Tỷ lệ nội dung các kế hoạch về văn bản QPPL được triển khai: 95% (chưa đạt); "
        "mục tiêu ít nhất 100%"
    )
    assert own[0][8] is None  # 2.1 sets no measurable target
    # Every task of section II has a row per lead agency; those not reported say so.
    assert len(rows) >= 39
    others = [row for row in rows if row[4] != "Sở Tư pháp"]
    assert {row[5] for row in others} == {"Chưa báo cáo"}
    general = _sheets(noivu_client.get(EXPORT))["Khó khăn, kiến nghị"]
    sent_on = datetime.datetime.combine(
        timezone.localtime(sent_report.submitted_at).date(), datetime.time()
    )
    assert [row[1:] for row in general] == [
        ["Sở Tư pháp", "Đã gửi", sent_on, "Thiếu công chức pháp chế.", "Bổ sung biên chế."]
    ]  # fmt: skip


def test_drafts_stay_with_their_agency_and_coordinators_notes_show_once_sent(
    sent_report, cycle, noivu_staff, noivu_client, today
):
    # Sở Nội vụ leads 1.1 and coordinates 2.1 with Sở Tư pháp; its report is a draft.
    noi_vu = Agency.objects.get(name="Sở Nội vụ")
    draft = yearly.open_yearly_report(cycle=cycle, agency=noi_vu)
    proposal = draft.score_proposals.first()
    yearly.save_proposal(
        proposal=proposal,
        by=noivu_staff,
        score=D(0),
        evidence_complete=False,
        explanation="NHÁP CHƯA GỬI",
        version=proposal.version,
    )
    coordinated = draft.task_reports.get(task__content_area__number=2, task__number=1)
    save_report(
        report=coordinated,
        by=noivu_staff,
        progress=Report.Progress.IN_PROGRESS,
        narrative="Phối hợp thẩm định 12 văn bản.",
        values={},
        version=coordinated.version,
    )
    before = _sheets(noivu_client.get(EXPORT))

    # Sent (as its yearly report's sending does, with a history row the export notices).
    Report.objects.filter(pk=coordinated.pk).update(status=Report.Status.SUBMITTED)
    cache.clear()
    after = _sheets(noivu_client.get(EXPORT))

    text = repr(before)
    assert "NHÁP CHƯA GỬI" not in text and "12 văn bản" not in text
    drafted = [row for row in before["Tiêu chí"] if row[4] == "Sở Nội vụ"]
    assert drafted and {(row[5], row[8], row[9]) for row in drafted} == {(None, None, "Đang soạn")}
    task_21 = next(row for row in after["Nhiệm vụ"] if row[2] == "2.1")
    assert task_21[9] == "Sở Nội vụ: Phối hợp thẩm định 12 văn bản."


def test_a_change_after_a_download_is_in_the_next_one(sent_report, noivu_staff, noivu_client):
    proposal = sent_report.score_proposals.select_related("criterion").get(criterion__code="2.3")
    first = _sheets(noivu_client.get(EXPORT))["Tiêu chí"]
    report = yearly.return_yearly_report(
        report=sent_report,
        by=noivu_staff,
        version=sent_report.version,
        comments={f"proposal-{proposal.pk}": "Thiếu tài liệu."},
    )
    proposal.refresh_from_db()
    yearly.save_proposal(
        proposal=proposal,
        by=noivu_staff,
        score=D("0.5"),
        evidence_complete=False,
        explanation="Đã bổ sung giải trình.",
        version=proposal.version,
    )

    second = _sheets(noivu_client.get(EXPORT))["Tiêu chí"]

    assert report.status == YearlyReport.Status.RETURNED
    row_of = {row[1]: row for row in first}, {row[1]: row for row in second}
    assert row_of[0]["2.3"][9] == "Đã gửi"
    assert (row_of[1]["2.3"][5], row_of[1]["2.3"][8], row_of[1]["2.3"][9]) == (
        0.5,
        "Đã bổ sung giải trình.",
        "Bị trả lại",
    )


def test_workbook_layout_is_readable_in_excel(sent_report, noivu_client):
    workbook = load_workbook(io.BytesIO(noivu_client.get(EXPORT).content))

    assert workbook.sheetnames == ["Nhiệm vụ", "Tiêu chí", "Khó khăn, kiến nghị"]
    for sheet in workbook.worksheets:
        assert sheet["A1"].value == "KẾT QUẢ THỰC HIỆN KẾ HOẠCH 252/KH-UBND NĂM 2019"
        assert sheet.freeze_panes == "A5"
        assert sheet["B4"].font.b and sheet["B4"].alignment.wrap_text
        assert all(cell.alignment.wrap_text for cell in sheet[5])
        assert sheet.auto_filter.ref.startswith("A4:")
    criteria = workbook["Tiêu chí"]
    assert [c.value for c in criteria[4]][:6] == [
        "STT", "Mã", "Tiêu chí thành phần", "Điểm tối đa", "Đơn vị đề xuất", "Điểm đề xuất"
    ]  # fmt: skip
    assert criteria.column_dimensions["H"].width == 60
    own = next(row for row in criteria.iter_rows(min_row=5) if row[4].value == "Sở Tư pháp")
    maximum, score = own[3], own[5]
    assert (maximum.number_format, score.number_format) == ("0.00", "0.00")
    assert (maximum.data_type, score.data_type, score.value) == ("n", "n", 1)


def test_text_longer_than_a_cell_is_cut_with_a_note(sent_report, noivu_client):
    task_report = sent_report.task_reports.filter(task__lead_agencies=sent_report.agency).first()
    Report.objects.filter(pk=task_report.pk).update(narrative="Đã triển khai. " * 3000)

    rows = _sheets(noivu_client.get(EXPORT))["Nhiệm vụ"]

    narrative = next(row[7] for row in rows if row[4] == "Sở Tư pháp")
    assert len(narrative) <= 32_767
    assert narrative.endswith("xem đầy đủ trên cổng.]")


def test_formula_looking_text_is_inert(sent_report, noivu_client):
    proposal = sent_report.score_proposals.exclude(explanation="").first()
    ScoreProposal.objects.filter(pk=proposal.pk).update(explanation='=HYPERLINK("x","y")')

    workbook = load_workbook(io.BytesIO(noivu_client.get(EXPORT).content))

    cell = next(row[8] for row in workbook["Tiêu chí"].iter_rows(min_row=5) if row[8].value)
    assert (cell.value, cell.data_type, cell.quotePrefix) == ('=HYPERLINK("x","y")', "s", True)


def test_only_the_formula_looking_cell_is_marked_not_the_rows_after_it(sent_report, noivu_client):
    # The rows are written through one cell per column (yearly_export._Columns): the mark a
    # text gets must stay with its own row.
    explained = sent_report.score_proposals.exclude(explanation="").order_by("criterion__sort_key")
    first = explained.first()
    ScoreProposal.objects.filter(pk=first.pk).update(explanation="-5 điểm do nộp muộn")

    workbook = load_workbook(io.BytesIO(noivu_client.get(EXPORT).content))

    cells = [row[8] for row in workbook["Tiêu chí"].iter_rows(min_row=5) if row[8].value]
    marked = [cell.value for cell in cells if cell.quotePrefix]
    assert marked == ["-5 điểm do nộp muộn"]
    assert len(cells) == explained.count() > 1
    assert all(cell.alignment.wrap_text for cell in cells)


def test_leader_gets_it_and_agency_user_gets_403(sent_report, leader_client, agency_user):
    assert leader_client.get(EXPORT).status_code == 200
    assert _logged_in(agency_user).get(EXPORT).status_code == 403


def test_query_count_does_not_grow_with_reports(
    sent_report, cycle, noivu_staff, noivu_client, django_assert_num_queries
):
    # session, user, user's groups, cycle with plan, the data's version, then the workbook:
    # lead agencies of the tasks, task reports, their values, the year's targets; the
    # sub-criteria's leads, agency groups, their chosen agencies, active agencies, lead
    # groups, proposals, their documents; the yearly reports
    with django_assert_num_queries(17):
        small = noivu_client.get(EXPORT)
    # A second agency's report, with its documents.
    finance = Agency.objects.get(name="Sở Tài chính")
    report = yearly.open_yearly_report(cycle=cycle, agency=finance)
    finance_user = _user_with_role("canbo.stc", "mật-khẩu-đủ-dài-2026", Role.AGENCY_USER, finance)
    documents = [_document(finance, "3/QĐ-STC"), _document(finance, "4/QĐ-STC")]
    _fill_and_send(report, finance_user, documents)
    cache.clear()

    with django_assert_num_queries(17):
        large = noivu_client.get(EXPORT)
    # Kept: the same workbook again costs the version only.
    with django_assert_num_queries(5):
        again = noivu_client.get(EXPORT)

    sent = [
        [row for row in _sheets(response)["Tiêu chí"] if row[9] == "Đã gửi"]
        for response in (small, large)
    ]
    assert len(sent[1]) > len(sent[0]) > 0
    assert again.content == large.content


def test_control_characters_pasted_from_word_do_not_break_the_export(sent_report, noivu_client):
    # Word's manual line break is a vertical tab; XML (and so .xlsx) has no place for it.
    task_report = sent_report.task_reports.filter(task__lead_agencies=sent_report.agency).first()
    Report.objects.filter(pk=task_report.pk).update(narrative="Dòng một\x0bDòng hai\x07.")

    response = noivu_client.get(EXPORT)

    assert response.status_code == 200
    rows = _sheets(response)["Nhiệm vụ"]
    assert next(row[7] for row in rows if row[4] == "Sở Tư pháp") == "Dòng một\nDòng hai."
