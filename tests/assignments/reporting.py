"""Test data for the agencies' reports: a plan, its criteria and tasks, a cycle, agencies.

Who works on what (agency = Sở Tư pháp, a department; other = UBND huyện Cái Bè):

    criteria      1.1.1 led by agency; 1.1.2 led by other, supported by agency;
                  1.2 named through the group of departments; 2.1 led by other only
    tasks         1.1 led by agency; 1.2 led by other, agency coordinates;
                  2.1 led by other only; 2.2 led by other, the departments' group coordinates
    third         Sở Tài chính, a department: reports on 2.2 through the group

So agency reports on 1.1, 1.2, 2.2; other on 1.2, 2.1, 2.2; third on 2.2.
"""

import datetime
import io
import zipfile
from dataclasses import dataclass
from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from assignments import services, yearly
from assignments.models import (
    Agency,
    AgencyGroup,
    ContentArea,
    Report,
    ReportingCycle,
    Responsibility,
    Task,
    TaskTarget,
    YearlyReport,
)
from criteria.models import Criterion, Framework, Plan, Score, Target

D = Decimal
YEAR = 2019
DEADLINE = datetime.date(2019, 11, 25)


@dataclass
class World:
    plan: Plan
    cycle: ReportingCycle
    agency: Agency
    other: Agency
    third: Agency
    areas: dict[int, ContentArea]
    tasks: dict[str, Task]
    criteria: dict[str, Criterion]
    targets: dict[str, TaskTarget]


def build_world(agency: Agency, other: Agency, *, number: str = "252/KH-UBND") -> World:
    framework = Framework.objects.create(
        code=f"QĐ 2948 ({number})", name="Chỉ số CCHC", first_year=2017
    )
    plan = Plan.objects.create(
        number=number,
        title="Nâng cao Chỉ số CCHC giai đoạn 2018-2020",
        issued_on=datetime.date(2018, 9, 19),
        province="Tiền Giang",
        framework=framework,
        baseline_year=2017,
        first_year=2018,
        last_year=2020,
    )
    third = Agency.objects.get_or_create(
        name="Sở Tài chính", defaults={"short_name": "Sở TC", "kind": Agency.Kind.DEPARTMENT}
    )[0]
    departments = AgencyGroup.objects.get_or_create(
        name="Các sở, ban, ngành tỉnh", defaults={"kinds": [Agency.Kind.DEPARTMENT]}
    )[0]

    criteria = {}
    for code, title, max_score in [
        ("1", "CÔNG TÁC CHỈ ĐẠO, ĐIỀU HÀNH CCHC", "3"),
        ("1.1", "Kế hoạch CCHC", "1.5"),
        ("1.1.1", "Ban hành kế hoạch CCHC", "0.5"),
        ("1.1.2", "Mức độ hoàn thành kế hoạch CCHC", "1"),
        ("1.2", "Kiểm tra công tác CCHC", "1.5"),
        ("2", "XÂY DỰNG VÀ TỔ CHỨC THỰC HIỆN VĂN BẢN QPPL", "2"),
        ("2.1", "Rà soát, hệ thống hóa văn bản", "2"),
    ]:
        criteria[code] = Criterion.objects.create(
            framework=framework, code=code, title=title, max_score=D(max_score)
        )
    for code, year, kind, value in [
        ("1.1.1", 2017, Score.Kind.OFFICIAL, "0.25"),
        ("1.1.1", 2018, Score.Kind.SELF, "0.5"),
        ("1.1.1", 2018, Score.Kind.OFFICIAL, "0.4"),
        ("1.1.2", 2017, Score.Kind.OFFICIAL, "1"),
        ("1.2", 2017, Score.Kind.OFFICIAL, "1"),
        ("2.1", 2017, Score.Kind.OFFICIAL, "1.5"),
    ]:
        Score.objects.create(criterion=criteria[code], year=year, kind=kind, value=D(value))
    for code, low, high in [("1.1.1", "0.5", "0.5"), ("1.2", "1.25", "1.5"), ("2.1", "2", "2")]:
        Target.objects.create(
            plan=plan,
            criterion=criteria[code],
            first_year=2019,
            last_year=2020,
            min_score=D(low),
            max_score=D(high),
        )
    Responsibility.objects.create(plan=plan, criterion=criteria["1.1.1"]).leads.add(agency)
    shared = Responsibility.objects.create(plan=plan, criterion=criteria["1.1.2"])
    shared.leads.add(other)
    shared.supporting.add(agency)
    Responsibility.objects.create(plan=plan, criterion=criteria["1.2"]).groups.add(departments)
    Responsibility.objects.create(plan=plan, criterion=criteria["2.1"]).leads.add(other)

    areas = {
        1: ContentArea.objects.create(plan=plan, number=1, title="Công tác chỉ đạo, điều hành"),
        2: ContentArea.objects.create(plan=plan, number=2, title="Cải cách thể chế"),
    }
    tasks = {}
    for key, text, leads, coordinators, groups in [
        ("1.1", "Ban hành kế hoạch CCHC đúng hạn", [agency], [], []),
        ("1.2", "Kiểm tra công tác CCHC tại các đơn vị", [other], [agency], []),
        ("2.1", "Rà soát văn bản quy phạm pháp luật của huyện", [other], [], []),
        ("2.2", "Lấy ý kiến dự thảo văn bản", [other], [], [departments]),
    ]:
        area_number, task_number = (int(part) for part in key.split("."))
        task = Task.objects.create(content_area=areas[area_number], number=task_number, text=text)
        task.lead_agencies.add(*leads)
        task.coordinating_agencies.add(*coordinators)
        task.coordinating_groups.add(*groups)
        tasks[key] = task
    targets = {
        "on_time": TaskTarget.objects.create(
            task=tasks["1.1"],
            description="Tỷ lệ văn bản ban hành đúng hạn",
            comparator=TaskTarget.Comparator.AT_LEAST,
            value=D("95"),
            first_year=2018,
            last_year=2020,
        ),
        "level_3": TaskTarget.objects.create(
            task=tasks["1.1"],
            description="Tỷ lệ thủ tục mức độ 3",
            comparator=TaskTarget.Comparator.BETWEEN,
            value=D("70"),
            value_max=D("100"),
            first_year=2019,
            last_year=2020,
        ),
        "old": TaskTarget.objects.create(
            task=tasks["1.1"],
            description="Chỉ tiêu chỉ của năm 2018",
            comparator=TaskTarget.Comparator.AT_LEAST,
            value=D("50"),
            first_year=2018,
            last_year=2018,
        ),
        "inspected": TaskTarget.objects.create(
            task=tasks["1.2"],
            description="Số đơn vị được kiểm tra",
            comparator=TaskTarget.Comparator.AT_LEAST,
            value=D("30"),
            unit="%",
            first_year=2018,
            last_year=2020,
        ),
    }
    cycle = ReportingCycle.objects.create(plan=plan, year=YEAR, deadline=DEADLINE)
    return World(plan, cycle, agency, other, third, areas, tasks, criteria, targets)


def make_report(
    world: World,
    task_key: str,
    *,
    agency: Agency | None = None,
    status: Report.Status = Report.Status.DRAFT,
    narrative: str = "Đã ban hành kế hoạch đúng hạn.",
) -> Report:
    return Report.objects.create(
        cycle=world.cycle,
        agency=agency or world.agency,
        task=world.tasks[task_key],
        status=status,
        narrative=narrative,
    )


# The smallest files of each accepted kind, and of some refused ones.
PDF_BYTES = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG_BYTES = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
JPEG_BYTES = b"\xff\xd8\xff\xe0" + b"\x00" * 32
GIF_BYTES = b"GIF89a" + b"\x00" * 32


def office_bytes(parts: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as package:
        for name, content in parts.items():
            package.writestr(name, content)
    return buffer.getvalue()


def docx_bytes(*, content_types: bytes = b"<Types/>", extra: dict | None = None) -> bytes:
    return office_bytes(
        {
            "[Content_Types].xml": content_types,
            "_rels/.rels": b"<Relationships/>",
            "word/document.xml": b"<w:document/>",
        }
        | (extra or {})
    )


def xlsx_bytes() -> bytes:
    return office_bytes(
        {
            "[Content_Types].xml": b"<Types/>",
            "_rels/.rels": b"<Relationships/>",
            "xl/workbook.xml": b"<workbook/>",
        }
    )


def upload(name: str, content: bytes, content_type: str = "application/octet-stream"):
    return SimpleUploadedFile(name, content, content_type=content_type)


def report_form_data(report: Report, **fields) -> dict:
    """What the report page's one form sends, as the report stands: its text and version,
    with `fields` (evidence files, a button's name) added or replaced."""
    report.refresh_from_db()
    data = {"progress": report.progress, "narrative": report.narrative, "version": report.version}
    return data | fields


def post_evidence(client, report: Report, *files, follow: bool = False, **fields):
    """Choose `files` on the report page and press "Lưu nháp"."""
    url = reverse("assignments:report-update", args=[report.pk])
    data = report_form_data(report, evidence=list(files), save="", **fields)
    return client.post(url, data, follow=follow)


def delete_evidence(client, evidence_pk: int, report: Report, **fields):
    """Press "Xóa" on a listed file and confirm with "Xóa tệp này"."""
    url = reverse("assignments:report-update", args=[report.pk])
    return client.post(url, report_form_data(report, delete_evidence=evidence_pk, **fields))


def ready_yearly_report(world: World, user) -> YearlyReport:
    """The agency's yearly report with everything required filled: a result for each task
    it leads (kept when one is written) and a score with an explanation for each
    sub-criterion it owns."""
    report = yearly.open_yearly_report(cycle=world.cycle, agency=world.agency)
    for task_report in report.task_reports.filter(task__lead_agencies=world.agency):
        if not task_report.narrative.strip():
            services.save_report(
                report=task_report,
                by=user,
                progress=Report.Progress.DONE,
                narrative="Đã thực hiện.",
                values={},
                version=task_report.version,
            )
    for proposal in report.score_proposals.select_related("criterion"):
        yearly.save_proposal(
            proposal=proposal,
            by=user,
            score=D(0),
            evidence_complete=False,
            explanation="Chưa có văn bản.",
            version=proposal.version,
        )
    report.refresh_from_db()
    return report


def send_yearly(client, world: World, **kwargs):
    """Press "Gửi báo cáo năm đến Sở Nội vụ" on the agency's yearly report page."""
    report = YearlyReport.objects.get(cycle=world.cycle, agency=world.agency)
    url = reverse("assignments:yearly-send", args=[world.cycle.year])
    return client.post(url, {"version": report.version}, **kwargs)
