"""The documents Sở Nội vụ issues (reports/documents/), read back as a reader opens them:
the demo's 2019 with the agencies' yearly reports filled in, the self-assessment report and
the plan's yearly report as .docx in Decree 30's layout and their tables as .xlsx."""

import datetime
import io
import re
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.core.management import CommandError, call_command
from django.db import connection, transaction
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation
from docx import Document
from docx.shared import Pt

from assignments import yearly
from assignments.models import (
    Agency,
    AgencyGroup,
    EvidenceDocument,
    EvidenceLink,
    Extension,
    Report,
    ReportingCycle,
    ReportTransition,
    ScoreProposal,
    Task,
    YearlyReport,
    YearlyTransition,
)
from assignments.services import save_report
from criteria.models import Criterion, Plan, Score
from criteria.templatetags.scores import score
from reports.appraisal import losses

pytestmark = pytest.mark.django_db

D = Decimal
PLAN = "252/KH-UBND"
YEAR = 2019
MOTTO = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
MOTTO_2 = "Độc lập - Tự do - Hạnh phúc"
# The leads that send their yearly report, and the day each first sends it; Sở Thông tin
# và Truyền thông sends nothing. Văn phòng UBND tỉnh sends after 25/11, with an extension.
SENDERS = {
    "Sở Tư pháp": datetime.date(2019, 11, 1),
    "Sở Nội vụ": datetime.date(2019, 11, 20),
    "Sở Tài chính": datetime.date(2019, 11, 25),
    "Văn phòng UBND tỉnh": datetime.date(2019, 11, 28),
}
SILENT = "Sở Thông tin và Truyền thông"


def _result(task: Task, agency: Agency) -> str:
    return f"Kết quả nhiệm vụ {task.content_area.number}.{task.number} của {agency.name}."


def _send(report: YearlyReport, user, day: datetime.date, monkeypatch) -> None:
    """Fill every section as an agency does, then send it on `day`."""
    monkeypatch.setattr(timezone, "localdate", lambda *args, **kwargs: day)
    document = EvidenceDocument.objects.create(
        agency=report.agency,
        number=f"{report.pk}/KH",
        issued_on=datetime.date(2019, 1, 15),
        issuer="UBND tỉnh Tiền Giang",
        title="Kế hoạch năm 2019",
        file="evidence/library/x.pdf",
        original_name="kh.pdf",
        content_type="application/pdf",
        size=10,
        sha256=f"{report.pk:064d}",
    )
    for task_report in report.task_reports.filter(task__lead_agencies=report.agency):
        # Each target at exactly its value: met "at least" and "between", not "above".
        values = {
            target.pk: target.value
            for target in task_report.task.targets.filter(first_year__lte=YEAR, last_year__gte=YEAR)
        }
        save_report(
            report=task_report,
            by=user,
            progress=Report.Progress.DONE,
            narrative=_result(task_report.task, report.agency),
            values=values,
            version=task_report.version,
        )
    proposals = list(report.score_proposals.select_related("criterion"))
    for index, proposal in enumerate(proposals):
        if proposal.criterion.is_survey:
            continue
        has_document = index % 2 == 0
        if has_document:
            yearly.link_document(proposal=proposal, document=document, location="trang 2", by=user)
        yearly.save_proposal(
            proposal=proposal,
            by=user,
            score=proposal.criterion.max_score,
            evidence_complete=has_document,
            explanation="" if has_document else f"Chưa có văn bản ({report.agency.name}).",
            version=proposal.version,
        )
    report.refresh_from_db()
    report = yearly.save_general(
        report=report,
        by=user,
        difficulties=f"Thiếu biên chế ({report.agency.name}).",
        proposals=f"Đề nghị tập huấn ({report.agency.name}).",
        version=report.version,
    )
    yearly.send_yearly_report(report=report, by=user, version=report.version)
    sent_at = timezone.make_aware(datetime.datetime.combine(day, datetime.time(9)))
    ReportTransition.objects.filter(report__yearly=report).update(at=sent_at)
    YearlyTransition.objects.filter(report=report).update(at=sent_at)
    YearlyReport.objects.filter(pk=report.pk).update(submitted_at=sent_at)


@pytest.fixture(scope="module")
def demo_2019(django_db_setup, django_db_blocker):
    """load_demo, a 2019 cycle whose leads (but one) sent their yearly reports, and the
    province's self-assessed 2019 scores (the owners' proposals where they made one).

    Built once for the module (load_demo and four yearly reports take a while) inside a
    transaction rolled back at its end; each test runs in a savepoint within it.
    """
    with (
        django_db_blocker.unblock(),
        override_settings(DEBUG=True),
        pytest.MonkeyPatch.context() as monkeypatch,
        transaction.atomic(),
    ):
        call_command("load_demo", stdout=io.StringIO())
        plan = Plan.objects.select_related("framework").get(number=PLAN)
        # The demo's own 2019 has every agency's report accepted; this module's 2019 has one
        # agency silent and one late, so it replaces it.
        YearlyReport.objects.filter(cycle__plan=plan, cycle__year=YEAR).delete()
        Report.objects.filter(cycle__plan=plan, cycle__year=YEAR).delete()
        ReportingCycle.objects.filter(plan=plan, year=YEAR).delete()
        cycle = ReportingCycle.objects.create(
            plan=plan, year=YEAR, deadline=datetime.date(2019, 11, 25)
        )
        user = get_user_model().objects.get(username="sotuphap")
        for name, day in SENDERS.items():
            agency = Agency.objects.get(name=name)
            if day > cycle.deadline:
                Extension.objects.create(
                    cycle=cycle, agency=agency, until=datetime.date(2019, 12, 5)
                )
            _send(yearly.open_yearly_report(cycle=cycle, agency=agency), user, day, monkeypatch)
        proposed = {
            proposal.criterion_id: proposal.score
            for proposal in ScoreProposal.objects.filter(report__agency__name="Sở Tư pháp")
        }
        for index, leaf in enumerate(Criterion.objects.filter(framework=plan.framework).leaves()):
            if leaf.is_survey or index % 9 == 4:  # a few the province has not scored
                continue
            value = proposed.get(leaf.pk) or (leaf.max_score * D("0.75")).quantize(D("0.01"))
            Score.objects.update_or_create(
                criterion=leaf, year=YEAR, kind=Score.Kind.SELF, defaults={"value": value}
            )
        yield plan
        transaction.set_rollback(True)


@pytest.fixture
def demo(demo_2019, db, monkeypatch) -> Plan:
    """The module's 2019, seen on 6/12/2019, after every deadline and extension."""
    monkeypatch.setattr(timezone, "localdate", lambda *args, **kwargs: datetime.date(2019, 12, 6))
    cache.clear()
    return demo_2019


def _client(username: str) -> Client:
    client = Client()
    client.force_login(get_user_model().objects.get(username=username))
    return client


def _draft(tmp_path: Path, kind: str, *options: str, suffix: str = "docx") -> Path:
    out = tmp_path / f"{kind}.{suffix}"
    call_command(
        "draft_report", kind, "--year", str(YEAR), "--plan", PLAN, "-o", str(out), *options,
        stdout=io.StringIO(),
    )  # fmt: skip
    return out


def _mm(*lengths) -> tuple[int, ...]:
    return tuple(round(length.mm) for length in lengths)


def _lines(cell) -> list[str]:
    return [p.text for p in cell.paragraphs]


def _paragraphs(document) -> list[str]:
    return [p.text for p in document.paragraphs]


def _section(texts: list[str], start: str, end: str) -> list[str]:
    first = next(i for i, t in enumerate(texts) if t.startswith(start))
    last = next(i for i, t in enumerate(texts) if t.startswith(end) and i > first)
    return texts[first + 1 : last]


def _overview_self_total(year: int) -> str:
    """The self-assessed total of `year` as the overview page shows it."""
    html = _client("noivu").get(reverse("reports:overview"), {"basis": "self"}).content.decode()
    match = re.search(rf'<th scope="row">{year}</th>\s*<td class="num">([\d,]+)', html)
    assert match, f"no row {year} on the overview"
    return match.group(1)


# -- The layout ------------------------------------------------------------------------------


def test_the_self_assessment_has_the_decrees_header_page_and_font(demo, tmp_path):
    document = Document(_draft(tmp_path, "self-assessment"))

    left, right = document.tables[0].rows[0].cells
    assert _lines(left)[:2] == ["ỦY BAN NHÂN DÂN\nTỈNH TIỀN GIANG", ""]
    assert "Số: …/BC-UBND" in _lines(left)
    assert _lines(right)[:2] == [MOTTO, MOTTO_2]
    assert "Tiền Giang, ngày …… tháng …… năm ……" in _lines(right)
    texts = _paragraphs(document)
    assert texts[texts.index("BÁO CÁO") + 1] == (
        "Kết quả tự đánh giá, chấm điểm Chỉ số cải cách hành chính năm 2019 của tỉnh Tiền Giang"
    )
    assert not any("{{" in t for t in texts)
    recipients, signature = document.tables[-1].rows[0].cells
    assert _lines(recipients)[0] == "Nơi nhận:"
    assert _lines(signature)[0] == "TM. ỦY BAN NHÂN DÂN\nKT. CHỦ TỊCH\nPHÓ CHỦ TỊCH"
    section = document.sections[0]
    # In millimetres, as the decree states them (Word stores twentieths of a point).
    assert _mm(section.page_width, section.page_height) == (210, 297)
    assert _mm(section.top_margin, section.bottom_margin) == (20, 20)
    assert _mm(section.left_margin, section.right_margin) == (30, 15)
    normal = document.styles["Normal"].font
    assert (normal.name, normal.size) == ("Times New Roman", Pt(14))


def test_options_fill_the_number_date_issuer_and_signer(demo, tmp_path):
    out = _draft(
        tmp_path,
        "self-assessment",
        "--issuer", "snv",
        "--number", "125",
        "--date", "05/12/2019",
        "--signer-name", "Nguyễn Văn A",
    )  # fmt: skip
    document = Document(out)

    left, right = document.tables[0].rows[0].cells
    assert _lines(left)[:2] == ["UBND TỈNH TIỀN GIANG", "SỞ NỘI VỤ"]
    assert "Số: 125/BC-SNV" in _lines(left)
    assert "Tiền Giang, ngày 05 tháng 12 năm 2019" in _lines(right)
    signature = _lines(document.tables[-1].rows[0].cells[1])
    assert signature[0] == "GIÁM ĐỐC" and signature[-1] == "Nguyễn Văn A"


def test_the_plan_results_are_sở_nội_vụs_by_default(demo, tmp_path):
    document = Document(
        _draft(tmp_path, "plan-results", "--signer-title", "KT. GIÁM ĐỐC/PHÓ GIÁM ĐỐC")
    )

    left, right = document.tables[0].rows[0].cells
    assert "Số: …/BC-SNV" in _lines(left) and _lines(right)[:2] == [MOTTO, MOTTO_2]
    assert _lines(document.tables[-1].rows[0].cells[1])[0] == "KT. GIÁM ĐỐC\nPHÓ GIÁM ĐỐC"


# -- The self-assessment -------------------------------------------------------------------


def _summary(document) -> dict[str, list[str]]:
    table = next(t for t in document.tables if t.rows[0].cells[0].text == "Stt")
    rows = [[cell.text for cell in row.cells] for row in table.rows[1:]]
    return {row[0] or row[1]: row for row in rows}


def test_the_summary_table_holds_every_sub_criterion_and_the_overviews_total(demo, tmp_path):
    document = Document(_draft(tmp_path, "self-assessment"))
    rows = _summary(document)

    leaves = list(Criterion.objects.filter(framework=demo.framework).leaves().order_by("sort_key"))
    scores = {
        s.criterion_id: s.value for s in Score.objects.filter(year=YEAR, kind=Score.Kind.SELF)
    }
    with_documents = set(
        EvidenceLink.objects.filter(proposal__report__cycle__year=YEAR).values_list(
            "criterion__code", flat=True
        )
    )
    assert len(leaves) == 76 and len(with_documents) > 5
    for leaf in leaves:
        code, title, max_score, self_score, evidence = rows[leaf.code]
        assert title == leaf.title
        assert max_score == f"{leaf.max_score.normalize():f}".replace(".", ",")
        if leaf.is_survey:
            assert (self_score, evidence) == ("—", "—")
            continue
        expected = scores.get(leaf.pk)
        assert self_score == (
            "" if expected is None else f"{expected.normalize():f}".replace(".", ",")
        )
        assert evidence == ("Có" if leaf.code in with_documents else "Không"), leaf.code
    # The areas are rows of the table too, in bold.
    assert rows["1"][1] == Criterion.objects.get(framework__unit_type="", code="1").title
    assert rows["TỔNG ĐIỂM"][3] == _overview_self_total(YEAR)
    total = sum(scores.values(), D(0))
    assert rows["TỔNG ĐIỂM"][3] == f"{total.normalize():f}".replace(".", ",")
    assert f"Tổng điểm tự đánh giá: {rows['TỔNG ĐIỂM'][3]}/100 điểm." in _paragraphs(document)


def test_explanations_difficulties_and_proposals_are_listed(demo, tmp_path):
    texts = _paragraphs(Document(_draft(tmp_path, "self-assessment")))

    explanations = _section(texts, "II. GIẢI TRÌNH", "III. KHÓ KHĂN")
    explained = {
        p.criterion.code
        for p in YearlyReport.objects.get(
            agency__name="Sở Tư pháp", cycle__year=YEAR
        ).score_proposals.exclude(explanation="")
    }
    assert explained
    for code in explained:
        line = next(t for t in explanations if t.startswith(f"{code}. "))
        assert "Chưa có văn bản (Sở Tư pháp)." in line
    difficulties = _section(texts, "III. KHÓ KHĂN", "IV. KIẾN NGHỊ")
    proposals = _section(texts, "IV. KIẾN NGHỊ", "Trên đây")
    for name in SENDERS:
        assert f"- {name}: Thiếu biên chế ({name})." in difficulties
        assert f"- {name}: Đề nghị tập huấn ({name})." in proposals
    assert not any(SILENT in t for t in difficulties)


def test_the_self_assessment_xlsx_is_the_appendix_with_the_years_columns(demo, tmp_path):
    out = _draft(tmp_path, "self-assessment", suffix="xlsx")
    docx_rows = _summary(Document(_draft(tmp_path, "self-assessment")))

    sheet = openpyxl.load_workbook(out).active
    header = [cell.value for cell in sheet[5]]
    assert header[:3] == ["Stt", "Lĩnh vực/Tiêu chí/Tiêu chí thành phần", "Điểm chuẩn"]
    own, evidence = header.index("Tự đánh giá năm 2019"), header.index("Tài liệu kiểm chứng")
    by_code = {row[0]: row for row in sheet.iter_rows(min_row=7, values_only=True)}
    for code, row in docx_rows.items():
        key = "TỔNG ĐIỂM" if code == "TỔNG ĐIỂM" else code
        value = by_code[key][own]
        shown = (
            ""
            if value is None
            else (
                value
                if isinstance(value, str)
                else f"{D(str(value)).normalize():f}".replace(".", ",")
            )
        )
        assert shown == row[3], code
        if key != "TỔNG ĐIỂM" and row[4]:
            assert by_code[key][evidence] == row[4], code


# -- The plan's yearly report -------------------------------------------------------------


def test_plan_results_list_every_task_with_its_leads_result(demo, tmp_path):
    texts = _paragraphs(Document(_draft(tmp_path, "plan-results")))

    tasks = Task.objects.filter(content_area__plan=demo).select_related("content_area")
    assert tasks.count() == 39
    for task in tasks.prefetch_related("lead_agencies"):
        number = f"{task.content_area.number}.{task.number}."
        start = next(i for i, t in enumerate(texts) if t.startswith(number))
        assert texts[start] == f"{number} {task.text}"
        following = texts[start + 1 : start + 2 + task.lead_agencies.count()]
        for agency in task.lead_agencies.all():
            if agency.name in SENDERS:
                assert f"- {agency.name} (hoàn thành): {_result(task, agency)}" in following
            else:
                assert f"- {agency.name}: chưa báo cáo." in following


def test_control_characters_pasted_from_word_do_not_break_the_draft(demo, tmp_path):
    # Word's manual line break is a vertical tab; a .docx (XML) has no place for it.
    task = Task.objects.filter(content_area__plan=demo, lead_agencies__name="Sở Tư pháp").first()
    Report.objects.filter(cycle__year=YEAR, task=task, agency__name="Sở Tư pháp").update(
        narrative="Dòng một\x0bDòng hai\x07."
    )

    texts = _paragraphs(Document(_draft(tmp_path, "plan-results")))

    assert "- Sở Tư pháp (hoàn thành): Dòng một\nDòng hai." in texts


def test_plan_results_judge_every_target_of_the_year(demo, tmp_path):
    document = Document(_draft(tmp_path, "plan-results"))

    table = next(t for t in document.tables if t.rows[0].cells[0].text == "Nhiệm vụ")
    rows = [[cell.text for cell in row.cells] for row in table.rows[1:]]
    verdicts = {row[1]: (row[2], row[3], row[4], row[5]) for row in rows}
    assert len(rows) == 17
    # Each lead reported exactly the target's value: "ít nhất" and "từ … đến" are met,
    # "trên" is not; Sở Thông tin và Truyền thông did not report.

    def by_start(start: str) -> tuple[str, str, str, str]:
        return next(v for description, v in verdicts.items() if description.startswith(start))

    assert by_start("Tỷ lệ nội dung các kế hoạch về văn bản QPPL") == (
        "≥ 100%", "Sở Tư pháp", "100%", "Đạt",
    )  # fmt: skip
    assert by_start("Tỷ lệ cơ quan chuyên môn cấp tỉnh") == (
        "> 30%", "Sở Nội vụ", "30%", "Không đạt",
    )  # fmt: skip
    assert by_start("Thời hạn cập nhật TTHC")[0] == "0 – 5 ngày làm việc"
    assert by_start("Thời hạn cập nhật TTHC")[3] == "Đạt"
    assert by_start("Tỷ lệ hồ sơ TTHC tiếp nhận")[3] == "Đạt"
    silent = [v for v in verdicts.values() if v[1] == SILENT]
    assert len(silent) == 4 and {v[2:] for v in silent} == {("—", "Chưa báo cáo")}
    assert [v[3] for v in verdicts.values()].count("Không đạt") == 2


def test_plan_results_name_the_agencies_that_did_not_report_or_were_late(demo, tmp_path):
    texts = _paragraphs(Document(_draft(tmp_path, "plan-results")))

    missing = _section(texts, "1. Cơ quan, đơn vị chưa báo cáo", "2. Cơ quan, đơn vị báo cáo trễ")
    late = _section(texts, "2. Cơ quan, đơn vị báo cáo trễ", "IV. KẾT QUẢ")
    silent = [t for t in missing if t.startswith(f"- {SILENT}: ")]
    required = _required_sections(SILENT)
    assert silent == [
        f"- {SILENT}: chưa gửi báo cáo năm – chưa bắt đầu, đã điền 0/{required} phần bắt buộc "
        "(đã quá hạn)."
    ]
    assert not any(name in t for t in missing for name in SENDERS)
    # Sent after 25/11 within the extension it was granted: late, and said so.
    assert late == [
        "- Văn phòng UBND tỉnh: gửi ngày 28/11/2019 (hạn 25/11/2019, được gia hạn đến 05/12/2019)."
    ]


def test_a_report_returned_and_sent_again_counts_from_its_first_sending(demo, tmp_path):
    """Sở Tài chính sent on the deadline day; sent again after a return on 2/12, it is not
    late."""
    report = YearlyReport.objects.get(
        cycle__plan=demo, cycle__year=YEAR, agency__name="Sở Tài chính"
    )
    again = timezone.make_aware(datetime.datetime(2019, 12, 2, 9))
    YearlyReport.objects.filter(pk=report.pk).update(submitted_at=again)
    YearlyTransition.objects.create(
        report=report,
        from_status=YearlyReport.Status.RETURNED,
        to_status=YearlyReport.Status.SUBMITTED,
    )
    YearlyTransition.objects.filter(report=report, at__year=timezone.now().year).update(at=again)
    texts = _paragraphs(Document(_draft(tmp_path, "plan-results")))

    late = _section(texts, "2. Cơ quan, đơn vị báo cáo trễ", "IV. KẾT QUẢ")
    assert not any("Sở Tài chính" in t for t in late)


def _required_sections(name: str) -> int:
    """The tasks the agency leads and the scored sub-criteria it owns, counted on the plan."""
    agency = Agency.objects.get(name=name)
    leads = Task.objects.filter(content_area__plan__number=PLAN, lead_agencies=agency).count()
    owned = [
        leaf
        for leaf in yearly.owned_criteria(
            agency,
            Plan.objects.get(number=PLAN).pk,
            list(AgencyGroup.objects.ids_including(agency)),
        )
        if not leaf.is_survey
    ]
    return leads + len(owned)


def test_plan_results_show_the_scores_against_the_targets_and_remedies(demo, tmp_path):
    texts = _paragraphs(Document(_draft(tmp_path, "plan-results", "--basis", "self")))

    scores = _section(texts, "IV. KẾT QUẢ", "V. GIẢI PHÁP")
    total = _overview_self_total(YEAR)
    assert (
        f"Tổng điểm (tự đánh giá): {total}/100 điểm; mục tiêu năm 2019: 93,1 – 99,5 điểm "
        "– chưa đạt mục tiêu." in scores
    )
    remedies = _section(texts, "V. GIẢI PHÁP", "VI. KIẾN NGHỊ")
    assert remedies[0].startswith("Tổng điểm còn thiếu ")
    assert any(t.startswith("- Nhiệm vụ 4.1, chỉ tiêu “Tỷ lệ cơ quan chuyên môn") for t in remedies)
    assert any(t.startswith("- Lĩnh vực ") for t in remedies)


def test_plan_results_xlsx_holds_the_targets_and_the_agencies(demo, tmp_path):
    book = openpyxl.load_workbook(_draft(tmp_path, "plan-results", suffix="xlsx"))

    targets = list(book["Chỉ tiêu"].iter_rows(min_row=2, values_only=True))
    assert len(targets) == 17
    assert [row[5] for row in targets].count("Không đạt") == 2
    assert [row[5] for row in targets].count("Chưa báo cáo") == 4
    agencies = {row[0]: row for row in book["Đơn vị"].iter_rows(min_row=2, values_only=True)}
    late = agencies["Văn phòng UBND tỉnh"]
    assert late[1:3] == ("Báo cáo trễ hạn", "đã gửi, chờ Sở Nội vụ xem xét")
    assert late[4:] == (
        datetime.datetime(2019, 11, 28),
        datetime.datetime(2019, 11, 25),
        datetime.datetime(2019, 12, 5),
    )
    silent = agencies[SILENT]
    assert silent[1:4] == ("Chưa báo cáo", "chưa bắt đầu", f"0/{_required_sections(SILENT)}")
    tasks = list(book["Nhiệm vụ"].iter_rows(min_row=2, values_only=True))
    assert {row[0] for row in tasks} == {
        f"{t.content_area.number}.{t.number}"
        for t in Task.objects.filter(content_area__plan=demo).select_related("content_area")
    }


# -- The command's refusals -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["nonsense", "--year", "2019", "--plan", PLAN], "Không có loại báo cáo “nonsense”"),
        (["plan-results", "--year", "2019", "--plan", "9/KH"], "Không có kế hoạch số 9/KH"),
        (["self-assessment", "--year", "2031", "--plan", PLAN], "Năm 2031 không thuộc kế hoạch"),
        (["plan-results", "--year", "2018", "--plan", PLAN], "chưa có kỳ báo cáo năm 2018"),
        (
            ["self-assessment", "--year", "2019", "--plan", PLAN, "--date", "5/13/2019"],
            "dd/mm/yyyy",
        ),
    ],
)
def test_the_command_refuses_in_vietnamese_and_writes_nothing(demo, tmp_path, arguments, message):
    out = tmp_path / "x.docx"

    with pytest.raises(CommandError, match=message):
        call_command("draft_report", *arguments, "-o", str(out), stdout=io.StringIO())

    assert not out.exists()


# -- The downloads ----------------------------------------------------------------------------


@pytest.mark.parametrize("username", ["noivu", "lanhdao", "admin"])
def test_sở_nội_vụ_leaders_and_administrators_download_the_docx(demo, username):
    response = _client(username).get(
        reverse("reports:document-download", args=[YEAR, "self-assessment", "docx"])
    )

    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats-officedocument")
    assert response["Content-Disposition"] == (
        "attachment; filename*=utf-8''B%C3%A1o%20c%C3%A1o%20t%E1%BB%B1%20%C4%91%C3%A1nh%20gi%C3%A1"
        "%20Ch%E1%BB%89%20s%E1%BB%91%20CCHC%20n%C4%83m%202019.docx"
    )
    document = Document(io.BytesIO(response.content))
    assert _summary(document)["TỔNG ĐIỂM"][3] == _overview_self_total(YEAR)


def test_the_plan_results_download_as_xlsx(demo):
    response = _client("noivu").get(
        reverse("reports:document-download", args=[YEAR, "plan-results", "xlsx"])
    )

    assert response.status_code == 200
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    assert book.sheetnames == ["Nhiệm vụ", "Chỉ tiêu", "Đơn vị"]


def test_an_agency_gets_403_and_anonymous_goes_to_login(demo):
    url = reverse("reports:document-download", args=[YEAR, "plan-results", "docx"])

    assert _client("sotuphap").get(url).status_code == 403
    response = Client().get(url)
    assert response.status_code == 302 and "/login/" in response["Location"]
    assert _client("noivu").post(url).status_code == 405


@pytest.mark.parametrize(
    "args",
    [
        (2031, "self-assessment", "docx"),
        (2018, "plan-results", "docx"),
        (YEAR, "x", "docx"),
        (YEAR, "plan-results", "pdf"),
    ],
)
def test_unknown_years_kinds_and_formats_are_404(demo, args):
    assert _client("noivu").get(reverse("reports:document-download", args=args)).status_code == 404


def test_the_tracker_links_to_the_drafts(demo):
    html = _client("noivu").get(reverse("assignments:cycle-detail", args=[YEAR])).content.decode()

    for kind in ("plan-results", "self-assessment"):
        for fmt in ("docx", "xlsx"):
            assert reverse("reports:document-download", args=[YEAR, kind, fmt]) in html


def test_the_downloads_queries_do_not_grow_with_the_reports(demo, monkeypatch):
    client = _client("noivu")
    urls = [
        reverse("reports:document-download", args=[YEAR, kind, fmt])
        for kind in ("self-assessment", "plan-results")
        for fmt in ("docx", "xlsx")
    ]

    def counts() -> list[int]:
        result = []
        for url in urls:
            with CaptureQueriesContext(connection) as queries:
                assert client.get(url).status_code == 200
            result.append(len(queries))
        return result

    before = counts()
    # One more lead sends its yearly report: more task reports, values, proposals, documents.
    cycle = ReportingCycle.objects.get(plan=demo, year=YEAR)
    agency = Agency.objects.get(name=SILENT)
    user = get_user_model().objects.get(username="sotuphap")
    _send(
        yearly.open_yearly_report(cycle=cycle, agency=agency),
        user,
        datetime.date(2019, 11, 24),
        monkeypatch,
    )
    monkeypatch.setattr(timezone, "localdate", lambda *args, **kwargs: datetime.date(2019, 12, 6))

    assert counts() == before
    # The same for any number of reports. Self-assessment: session, user, role, the plan,
    # the entries (5: the proposals, their links, the decisions), the year's results
    # (criteria, scores, published results, targets), the yearly reports; its .xlsx adds
    # the appendix (5). The plan's report adds the cycle, the tasks with leads and targets
    # (3), the reports with values (2), the tracker's rows (12), the late agencies' first
    # sending (1), the previous year's appraisal losses (5: criteria, scores,
    # responsibilities with their leads and lead groups) and, for the .docx, the
    # framework's maximum.
    assert before == [14, 19, 34, 33]


def test_each_task_says_its_targets_under_the_leads_result(demo, tmp_path):
    texts = _paragraphs(Document(_draft(tmp_path, "plan-results")))

    start = texts.index("- Sở Nội vụ (hoàn thành): " + _result(_task(4, 1), _agency("Sở Nội vụ")))
    assert texts[start + 1].startswith("+ Chỉ tiêu “Tỷ lệ cơ quan chuyên môn cấp tỉnh")
    assert texts[start + 1].endswith("(mục tiêu > 30%): đạt 30% – Không đạt.")
    assert texts[start + 2].endswith("(mục tiêu ≥ 100%): đạt 100% – Đạt.")


def _task(area: int, number: int) -> Task:
    return Task.objects.select_related("content_area").get(content_area__number=area, number=number)


def _agency(name: str) -> Agency:
    return Agency.objects.get(name=name)


def test_a_year_in_progress_totals_the_overviews_projection_and_says_so(demo, tmp_path):
    # 2020 is neither published nor final: three sub-criteria self-assessed so far.
    for code in ("1.1.1", "1.1.2", "1.2"):
        Score.objects.create(
            criterion=Criterion.objects.get(framework__unit_type="", code=code),
            year=2020,
            kind=Score.Kind.SELF,
            value=D("0.5"),
        )
    cache.clear()
    out = tmp_path / "2020.docx"
    call_command(
        "draft_report", "self-assessment", "--year", "2020", "--plan", PLAN, "-o", str(out),
        stdout=io.StringIO(),
    )  # fmt: skip

    document = Document(out)
    total = _summary(document)["TỔNG ĐIỂM"][3]
    assert total == _overview_self_total(2020)
    assert (
        f"Tổng điểm tự đánh giá: {total}/100 điểm (dự kiến: đã chấm 3/76 tiêu chí thành phần, "
        "các tiêu chí chưa chấm tính theo kết quả năm trước)."
    ) in _paragraphs(document)


# -- The previous year's appraisal in the plan's report ------------------------------------


def _previous_year_losses(count: int) -> list[Criterion]:
    """`count` sub-criteria of 2018 scored officially below the self-assessment, each with
    the ministry's reason; every other 2018 score removed. The i-th loses 0,05·(i+1)."""
    Score.objects.filter(criterion__framework=demo_plan().framework, year=YEAR - 1).delete()
    leaves = [
        leaf
        for leaf in Criterion.objects.filter(framework=demo_plan().framework).leaves()
        if not leaf.is_survey and leaf.max_score >= 1
    ][:count]
    for index, leaf in enumerate(leaves):
        Score.objects.create(
            criterion=leaf, year=YEAR - 1, kind=Score.Kind.SELF, value=leaf.max_score
        )
        Score.objects.create(
            criterion=leaf,
            year=YEAR - 1,
            kind=Score.Kind.OFFICIAL,
            value=leaf.max_score - D("0.05") * (index + 1),
            note=f"Thiếu tài liệu kiểm chứng {leaf.code}",
        )
    cache.clear()
    return leaves


def demo_plan() -> Plan:
    return Plan.objects.select_related("framework").get(number=PLAN)


def test_plan_results_list_the_previous_years_appraisal_losses(demo, tmp_path):
    leaves = _previous_year_losses(12)
    appraisal = losses(demo, YEAR - 1)
    assert len(appraisal.rows) == 12 and appraisal.lost == D("3.9")  # 0,05 × (1 + … + 12)

    document = Document(_draft(tmp_path, "plan-results"))
    texts = _paragraphs(document)
    section = _section(texts, "Điểm bị trừ khi thẩm định năm 2018", "V. GIẢI PHÁP")
    assert section[0] == (
        "Kết quả thẩm định chính thức năm 2018 trừ tổng cộng 3,9 điểm so với điểm tự đánh "
        "giá của tỉnh, ở 12 tiêu chí thành phần."
    )
    with translation.override("vi"):
        for area in appraisal.areas:
            line = (
                f"- Lĩnh vực {area.area.code} “{area.area.title}”: bị trừ {score(area.lost)} "
                f"điểm ({area.count} tiêu chí thành phần)."
            )
            assert line in section
        assert sum(a.lost for a in appraisal.areas) == appraisal.lost
        for owner in appraisal.owners:
            assert any(t.startswith(f"- {owner.name}: {score(owner.lost)} điểm") for t in section)
    table = next(t for t in document.tables if t.rows[0].cells[0].text == "Mã")
    rows = [[cell.text for cell in row.cells] for row in table.rows[1:]]
    # The ten losing the most, the most first, then the total of all twelve.
    assert [row[0] for row in rows[:-1]] == [leaf.code for leaf in reversed(leaves)][:10]
    assert rows[0][4] == "0,6" and rows[0][5] == f"Thiếu tài liệu kiểm chứng {leaves[-1].code}"
    assert rows[-1][1] == "Tổng cộng" and rows[-1][4] == "3,9"
    assert any("(10/12; 2 tiêu chí còn lại bị trừ 0,15 điểm)" in t for t in section)

    book = openpyxl.load_workbook(_draft(tmp_path, "plan-results", suffix="xlsx"))
    sheet = list(book["Điểm bị trừ năm 2018"].iter_rows(min_row=2, values_only=True))
    assert len(sheet) == 13
    assert {row[6] for row in sheet[:-1]} == {f"Thiếu tài liệu kiểm chứng {x.code}" for x in leaves}
    assert sheet[-1][0] == "Tổng cộng" and D(str(sheet[-1][5])) == appraisal.lost


def test_without_previous_losses_the_plan_results_have_no_such_section(demo, tmp_path):
    leaves = _previous_year_losses(2)
    # The ministry agreed with the province on both.
    for leaf in leaves:
        Score.objects.filter(criterion=leaf, year=YEAR - 1, kind=Score.Kind.OFFICIAL).update(
            value=leaf.max_score
        )

    texts = _paragraphs(Document(_draft(tmp_path, "plan-results")))
    assert "IV. KẾT QUẢ CHỈ SỐ CẢI CÁCH HÀNH CHÍNH NĂM 2019" in texts
    assert not any("Điểm bị trừ khi thẩm định" in t for t in texts)
    book = openpyxl.load_workbook(_draft(tmp_path, "plan-results", suffix="xlsx"))
    assert book.sheetnames == ["Nhiệm vụ", "Chỉ tiêu", "Đơn vị"]
