"""The plan's yearly report to the People's Committee (báo cáo kết quả thực hiện Kế hoạch):
per content area and task of section II, the lead agencies' results and each measurable
target of the year with the value achieved and whether it is met; the agencies that have
not reported or reported late; the index's figures against the year's targets; and what to
do about what is below target. As .docx in the decree's layout and its tables as .xlsx.
"""

import datetime
import io
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Min, Prefetch
from django.utils import timezone, translation
from docx.document import Document as DocxDocument
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font

from assessments.province import SENT
from assignments.models import (
    Agency,
    Report,
    ReportingCycle,
    Task,
    TaskTarget,
    YearlyReport,
    YearlyTransition,
)
from assignments.progress import TargetResult, targets_of_year
from assignments.review import NOT_STARTED, YearlyProgress, yearly_progress
from criteria.exporters import write_text
from criteria.models import Criterion, Plan
from criteria.templatetags.scores import score
from reports.appraisal import Appraisal, losses
from reports.documents import layout
from reports.rollups import GapRow, Status, YearResults

TEMPLATE = "plan_results"
MET, NOT_MET, NOT_REPORTED = "Đạt", "Không đạt", "Chưa báo cáo"
# The state of a yearly report not sent, in the report's words.
UNSENT_STATES = {
    NOT_STARTED: "chưa bắt đầu",
    YearlyReport.Status.DRAFT: "đang soạn",
    YearlyReport.Status.RETURNED: "bị trả lại, chưa gửi lại",
}
SENT_STATES = {
    YearlyReport.Status.SUBMITTED: "đã gửi, chờ Sở Nội vụ xem xét",
    YearlyReport.Status.ACCEPTED: "đã được chấp nhận",
}
COMPARATOR_SIGNS = {
    TaskTarget.Comparator.AT_LEAST: "≥",
    TaskTarget.Comparator.ABOVE: ">",
    TaskTarget.Comparator.EXACTLY: "=",
}


@dataclass
class LeadResult:
    """A lead agency's sent report on a task (None: not reported) and its targets' values."""

    agency: Agency
    report: Report | None
    targets: list[TargetResult]


@dataclass
class TaskResult:
    task: Task
    leads: list[LeadResult]


@dataclass
class LateAgency:
    """An agency that first sent its yearly report after the cycle's deadline (with the
    extension it was granted, if any)."""

    row: YearlyProgress
    sent_on: datetime.date
    deadline: datetime.date

    @property
    def agency(self) -> Agency:
        return self.row.agency

    @property
    def extended_until(self) -> datetime.date | None:
        extension = self.row.deadline.extension
        return extension.until if extension is not None else None


@dataclass
class PlanResults:
    """What the report says, read once for its .docx and its .xlsx."""

    plan: Plan
    cycle: ReportingCycle
    today: datetime.date
    tasks: list[TaskResult]
    missing: list[YearlyProgress]  # agencies whose yearly report is not sent
    late: list[LateAgency]
    results: YearResults
    reports: list[YearlyReport] = field(default_factory=list)
    # The previous year's appraisal: the points the ministry took off the self-assessment.
    previous: Appraisal | None = None

    @property
    def year(self) -> int:
        return self.cycle.year

    @classmethod
    def build(
        cls, cycle: ReportingCycle, *, today: datetime.date, basis: str | None = None
    ) -> "PlanResults":
        plan = cycle.plan
        progress = yearly_progress(cycle, today=today)
        return cls(
            plan=plan,
            cycle=cycle,
            today=today,
            tasks=_task_results(cycle),
            missing=[row for row in progress if not row.is_sent],
            late=_late_agencies(cycle, [row for row in progress if row.is_sent]),
            results=YearResults.build(plan, cycle.year, basis=basis),
            reports=list(
                YearlyReport.objects.filter(cycle=cycle, status__in=SENT)
                .select_related("agency")
                .order_by("agency__name")
            ),
            previous=losses(plan, cycle.year - 1),
        )

    @property
    def targets(self) -> list[tuple[Task, Agency, TargetResult]]:
        return [
            (item.task, lead.agency, result)
            for item in self.tasks
            for lead in item.leads
            for result in lead.targets
        ]

    @property
    def below_target(self) -> list[GapRow]:
        """The areas, criteria and sub-criteria below their target of the year."""
        return [row for row in self.results.rows if row.status == Status.BELOW]


def _task_results(cycle: ReportingCycle) -> list[TaskResult]:
    """Every task of the plan in its order with its leads' sent reports (four queries)."""
    tasks = (
        Task.objects.filter(content_area__plan=cycle.plan)
        .select_related("content_area")
        .prefetch_related(
            Prefetch("lead_agencies", queryset=Agency.objects.order_by("name")),
            Prefetch("targets", queryset=targets_of_year(cycle.year), to_attr="year_targets"),
        )
        .order_by("content_area__number", "number")
    )
    reports = {
        (report.task_id, report.agency_id): report
        for report in Report.objects.filter(cycle=cycle, status__in=SENT).prefetch_related("values")
    }
    results = []
    for task in tasks:
        leads = []
        for agency in task.lead_agencies.all():
            report = reports.get((task.pk, agency.pk))
            values = {v.target_id: v.value for v in report.values.all()} if report else {}
            leads.append(
                LeadResult(
                    agency,
                    report,
                    [TargetResult(target, values.get(target.pk)) for target in task.year_targets],
                )
            )
        results.append(TaskResult(task, leads))
    return results


def _late_agencies(cycle: ReportingCycle, sent: list[YearlyProgress]) -> list[LateAgency]:
    """The agencies whose yearly report, sent, was first sent after the cycle's deadline
    (one query): a report returned and sent again counts from its first sending."""
    first_sent = dict(
        YearlyTransition.objects.filter(
            report__cycle=cycle, to_status=YearlyReport.Status.SUBMITTED
        )
        .values("report")
        .annotate(at=Min("at"))
        .values_list("report", "at")
    )
    late = []
    for row in sent:
        at = first_sent.get(row.report.pk, row.submitted_at)
        if at is None:
            continue
        sent_on = timezone.localtime(at).date()
        if sent_on > cycle.deadline:
            late.append(LateAgency(row, sent_on, cycle.deadline))
    return sorted(late, key=lambda item: item.agency.name)


def unsent_text(row: YearlyProgress) -> str:
    """ "chưa bắt đầu, đã điền 0/5 phần bắt buộc"."""
    return f"{UNSENT_STATES[row.status]}, đã điền {row.filled}/{row.required} phần bắt buộc"


def target_text(target: TaskTarget) -> str:
    """ "≥ 70%", "95% – 100%", "≥ 3 văn bản"."""
    unit = "%" if target.is_percent else f" {target.unit}"
    if target.comparator == TaskTarget.Comparator.BETWEEN:
        return f"{score(target.value)} – {score(target.value_max)}{unit}"
    return f"{COMPARATOR_SIGNS[target.comparator]} {score(target.value)}{unit}"


def value_text(target: TaskTarget, value: Decimal | None) -> str:
    if value is None:
        return "—"
    return f"{score(value)}{'%' if target.is_percent else f' {target.unit}'}"


def met_text(result: TargetResult) -> str:
    if result.is_met is None:
        return NOT_REPORTED
    return MET if result.is_met else NOT_MET


def abstract(plan: Plan, year: int) -> str:
    return f"Kết quả thực hiện Kế hoạch số {plan.number} năm {year}"


def plan_results_docx(results: PlanResults, letterhead: layout.Letterhead) -> bytes:
    """The report as .docx; the body is Vietnamese whatever the reader's language."""
    with translation.override("vi"):
        return layout.render(TEMPLATE, letterhead, lambda doc: _body(doc, results))


def _body(document: DocxDocument, r: PlanResults) -> None:
    layout.paragraph(
        document,
        f"Thực hiện {layout.plan_reference(r.plan)}, trên cơ sở báo cáo của các cơ quan, đơn "
        f"vị, Sở Nội vụ báo cáo kết quả thực hiện Kế hoạch năm {r.year} như sau:",
    )
    layout.heading(document, "I. KẾT QUẢ THỰC HIỆN CÁC NHIỆM VỤ")
    area = None
    for item in r.tasks:
        task = item.task
        if task.content_area != area:
            area = task.content_area
            layout.heading(document, f"{area.number}. {area.title}", level=2)
        layout.paragraph(document, " " + task.text, bold_prefix=f"{area.number}.{task.number}.")
        leads = ", ".join(lead.agency.name for lead in item.leads) or "chưa giao"
        layout.paragraph(document, " " + leads, bold_prefix="Đơn vị chủ trì:")
        for lead in item.leads:
            if lead.report is None:
                layout.paragraph(document, f"- {lead.agency.name}: chưa báo cáo.")
                continue
            progress = lead.report.get_progress_display().lower()
            layout.paragraph(
                document,
                f"- {lead.agency.name} ({progress}): {lead.report.narrative.strip() or '…'}",
            )
            for result in lead.targets:
                achieved = (
                    "chưa báo cáo số liệu"
                    if result.value is None
                    else f"đạt {value_text(result.target, result.value)} – {met_text(result)}"
                )
                layout.paragraph(
                    document,
                    f"+ Chỉ tiêu “{result.target.description}” (mục tiêu "
                    f"{target_text(result.target)}): {achieved}.",
                )

    layout.heading(document, f"II. CÁC CHỈ TIÊU ĐO ĐƯỢC NĂM {r.year}")
    targets = r.targets
    if not targets:
        layout.paragraph(document, "Kế hoạch không có chỉ tiêu đo được cho năm này.")
    else:
        layout.table(
            document,
            ["Nhiệm vụ", "Chỉ tiêu", "Mục tiêu", "Đơn vị chủ trì", "Kết quả", "Đánh giá"],
            [
                [
                    f"{task.content_area.number}.{task.number}",
                    result.target.description,
                    target_text(result.target),
                    agency.name,
                    value_text(result.target, result.value),
                    met_text(result),
                ]
                for task, agency, result in targets
            ],
            widths=[1.6, 5.4, 2.2, 3.2, 2.2, 1.9],
            centered={0, 2, 4, 5},
        )

    layout.heading(document, "III. TÌNH HÌNH BÁO CÁO CỦA CÁC CƠ QUAN, ĐƠN VỊ")
    layout.paragraph(
        document,
        f"Hạn báo cáo: ngày {layout.date_text(r.cycle.deadline)}; số liệu tính đến ngày "
        f"{layout.date_text(r.today)}.",
    )
    layout.heading(document, "1. Cơ quan, đơn vị chưa báo cáo", level=2)
    if not r.missing:
        layout.paragraph(document, "Các cơ quan, đơn vị đều đã gửi báo cáo.")
    for row in r.missing:
        overdue = " (đã quá hạn)" if row.is_overdue else ""
        layout.paragraph(
            document, f"- {row.agency.name}: chưa gửi báo cáo năm – {unsent_text(row)}{overdue}."
        )
    layout.heading(document, "2. Cơ quan, đơn vị báo cáo trễ hạn", level=2)
    if not r.late:
        layout.paragraph(document, "Không có cơ quan, đơn vị báo cáo trễ hạn.")
    for late in r.late:
        extended = (
            f", được gia hạn đến {layout.date_text(late.extended_until)}"
            if late.extended_until
            else ""
        )
        layout.paragraph(
            document,
            f"- {late.agency.name}: gửi ngày {layout.date_text(late.sent_on)} "
            f"(hạn {layout.date_text(late.deadline)}{extended}).",
        )

    _scores(document, r)
    _previous_losses(document, r)
    _remedies(document, r)
    layout.paragraph(document, f"Trên đây là báo cáo kết quả thực hiện Kế hoạch năm {r.year}./.")


def _basis_name(r: PlanResults) -> str:
    return "tự đánh giá" if r.results.basis == "self" else "kết quả thẩm định chính thức"


def _target(row_target) -> str:
    if row_target is None:
        return ""
    if row_target.min_score == row_target.max_score:
        return score(row_target.min_score)
    return f"{score(row_target.min_score)} – {score(row_target.max_score)}"


def _status(row) -> str:
    if row.figure.is_projection:
        return "Dự kiến"
    return str(row.status.label) if row.status else ""


def _scores(document: DocxDocument, r: PlanResults) -> None:
    total = r.results.total
    layout.heading(document, f"IV. KẾT QUẢ CHỈ SỐ CẢI CÁCH HÀNH CHÍNH NĂM {r.year}")
    figure = score(total.total) or "chưa có"
    sentence = f"Tổng điểm ({_basis_name(r)}): {figure}/{score(r.plan.framework.max_score)} điểm"
    if total.is_projection:
        sentence += f" (dự kiến: đã có điểm {total.entered}/{total.leaf_count} tiêu chí thành phần)"
    if total.target is not None:
        sentence += f"; mục tiêu năm {r.year}: {_target(total.target)} điểm"
        if total.status is not None:
            sentence += f" – {str(total.status.label).lower()}"
    layout.paragraph(document, sentence + ".")
    if total.rank:
        layout.paragraph(
            document, f"Xếp hạng: {total.rank}/{total.province_count} tỉnh, thành phố."
        )
    areas = r.results.areas
    rows = [
        [
            row.criterion.code,
            row.criterion.title,
            score(row.max_score),
            _target(row.target),
            score(row.actual),
            _status(row),
        ]
        for row in areas
    ]
    rows.append(
        [
            "",
            "TỔNG ĐIỂM",
            score(r.plan.framework.max_score),
            _target(total.target),
            score(total.total),
            "Dự kiến" if total.is_projection else (str(total.status.label) if total.status else ""),
        ]
    )
    layout.table(
        document,
        ["Stt", "Lĩnh vực", "Điểm tối đa", "Mục tiêu", "Kết quả", "Đánh giá"],
        rows,
        widths=[1.2, 6.8, 1.9, 2.2, 1.9, 2.5],
        bold_rows={len(rows) - 1},
        centered={0, 2, 3, 4, 5},
    )


LOSS_ROWS = 10  # the sub-criteria with the most points lost, in the .docx's table
NO_REASON = "Chưa có lý do"


def _loss_rows(appraisal: Appraisal):
    """The rows losing the most points first, in the framework's order among equals."""
    return sorted(appraisal.rows, key=lambda row: -row.lost)


def _previous_losses(document: DocxDocument, r: PlanResults) -> None:
    """Where the previous year's appraisal took points off; nothing when it took none
    (or the previous year has no official scores yet)."""
    appraisal = r.previous
    if appraisal is None or not appraisal.rows:
        return
    year = appraisal.year
    layout.heading(document, f"Điểm bị trừ khi thẩm định năm {year}", level=2)
    layout.paragraph(
        document,
        f"Kết quả thẩm định chính thức năm {year} trừ tổng cộng {score(appraisal.lost)} điểm "
        f"so với điểm tự đánh giá của tỉnh, ở {len(appraisal.rows)} tiêu chí thành phần.",
    )
    layout.paragraph(document, "Theo lĩnh vực:")
    for area in appraisal.areas:
        if area.lost:
            layout.paragraph(
                document,
                f"- Lĩnh vực {area.area.code} “{area.area.title}”: bị trừ {score(area.lost)} "
                f"điểm ({area.count} tiêu chí thành phần).",
            )
    layout.paragraph(document, "Theo đơn vị chủ trì:")
    for owner in appraisal.owners:
        text = f"- {owner.name}: {score(owner.lost)} điểm ở {len(owner.rows)} tiêu chí chủ trì"
        if owner.share != owner.lost:
            text += f" (phần chia đều: {score(owner.share)} điểm)"
        layout.paragraph(document, text + ".")
    rows = _loss_rows(appraisal)
    shown = rows[:LOSS_ROWS]
    table = [
        [
            row.criterion.code,
            row.criterion.title,
            score(row.self_score),
            score(row.official_score),
            score(row.lost),
            row.reason.strip() or NO_REASON,
            ", ".join(owner.name for owner in row.owners),
        ]
        for row in shown
    ]
    table.append(["", "Tổng cộng", "", "", score(appraisal.lost), "", ""])
    if len(rows) > len(shown):
        rest = sum((row.lost for row in rows[len(shown) :]), Decimal(0))
        layout.paragraph(
            document,
            f"Các tiêu chí thành phần bị trừ nhiều điểm nhất ({len(shown)}/{len(rows)}; "
            f"{len(rows) - len(shown)} tiêu chí còn lại bị trừ {score(rest)} điểm):",
        )
    else:
        layout.paragraph(document, "Các tiêu chí thành phần bị trừ điểm:")
    layout.table(
        document,
        ["Mã", "Tiêu chí thành phần", "Tự đánh giá", "Chính thức", "Bị trừ", "Lý do", "Chủ trì"],
        table,
        widths=[1.3, 4.4, 1.6, 1.6, 1.5, 3.9, 2.2],
        bold_rows={len(table) - 1},
        centered={0, 2, 3, 4},
    )


def _remedies(document: DocxDocument, r: PlanResults) -> None:
    layout.heading(document, "V. GIẢI PHÁP KHẮC PHỤC NHỮNG NỘI DUNG CHƯA ĐẠT")
    below = r.below_target
    total = r.results.total
    unmet = [(task, agency, res) for task, agency, res in r.targets if res.is_met is False]
    if total.status == Status.BELOW:
        layout.paragraph(
            document,
            f"Tổng điểm còn thiếu {score(total.shortfall)} điểm so với mục tiêu năm {r.year}. "
            "Các cơ quan, đơn vị được giao chủ trì tập trung khắc phục các nội dung sau:",
        )
    if not below and not unmet:
        layout.paragraph(document, "Các lĩnh vực, tiêu chí và chỉ tiêu đều đạt mục tiêu của năm.")
    for row in below:
        kind = {
            Criterion.Level.AREA: "Lĩnh vực",
            Criterion.Level.CRITERION: "Tiêu chí",
        }.get(row.criterion.level, "Tiêu chí thành phần")
        layout.paragraph(
            document,
            f"- {kind} {row.criterion.code} “{row.criterion.title}”: đạt {score(row.actual)}/"
            f"{score(row.max_score)} điểm, mục tiêu {_target(row.target)}, còn thiếu "
            f"{score(row.shortfall)} điểm.",
        )
    for task, agency, res in unmet:
        layout.paragraph(
            document,
            f"- Nhiệm vụ {task.content_area.number}.{task.number}, chỉ tiêu "
            f"“{res.target.description}”: đạt {value_text(res.target, res.value)}, mục tiêu "
            f"{target_text(res.target)}; {agency.name} chủ trì khắc phục.",
        )
    if below or unmet:
        layout.paragraph(
            document,
            "Sở Nội vụ đề nghị Ủy ban nhân dân tỉnh chỉ đạo các cơ quan, đơn vị chủ trì rà soát "
            "nguyên nhân, bổ sung tài liệu kiểm chứng và hoàn thành các nội dung trên trong năm "
            f"{r.year + 1}; Sở Nội vụ theo dõi, đôn đốc và báo cáo kết quả.",
        )
    proposals = [(rep.agency, rep.proposals.strip()) for rep in r.reports if rep.proposals.strip()]
    if proposals:
        layout.heading(document, "VI. KIẾN NGHỊ, ĐỀ XUẤT CỦA CÁC CƠ QUAN, ĐƠN VỊ")
        for agency, text in proposals:
            layout.paragraph(document, " " + text, bold_prefix=f"- {agency.name}:")


# -- The tables as a workbook ---------------------------------------------------------------

BOLD = Font(bold=True)
WRAP = Alignment(wrap_text=True, vertical="top")


def plan_results_xlsx(results: PlanResults) -> bytes:
    """The tasks with their leads' results, the targets met or not, and the agencies behind."""
    r = results
    with translation.override("vi"):
        workbook = Workbook()
        tasks = workbook.active
        tasks.title = "Nhiệm vụ"
        _sheet(
            tasks,
            ["Stt", "Nhiệm vụ", "Đơn vị chủ trì", "Tiến độ", "Kết quả thực hiện"],
            [
                [
                    f"{item.task.content_area.number}.{item.task.number}",
                    item.task.text,
                    lead.agency.name,
                    lead.report.get_progress_display() if lead.report else NOT_REPORTED,
                    lead.report.narrative if lead.report else "",
                ]
                for item in r.tasks
                for lead in item.leads
            ],
            widths=[8, 60, 30, 18, 80],
        )
        _sheet(
            workbook.create_sheet("Chỉ tiêu"),
            ["Nhiệm vụ", "Chỉ tiêu", "Mục tiêu", "Đơn vị chủ trì", "Kết quả", "Đánh giá"],
            [
                [
                    f"{task.content_area.number}.{task.number}",
                    result.target.description,
                    target_text(result.target),
                    agency.name,
                    result.value,
                    met_text(result),
                ]
                for task, agency, result in r.targets
            ],
            widths=[10, 60, 14, 30, 12, 14],
        )
        _sheet(
            workbook.create_sheet("Đơn vị"),
            [
                "Đơn vị",
                "Tình hình báo cáo",
                "Báo cáo năm",
                "Phần bắt buộc đã điền",
                "Ngày gửi",
                "Hạn",
                "Gia hạn đến",
            ],
            [
                [
                    row.agency.name,
                    "Chưa báo cáo",
                    UNSENT_STATES[row.status],
                    f"{row.filled}/{row.required}",
                    None,
                    r.cycle.deadline,
                    row.deadline.extension.until if row.deadline.extension else None,
                ]
                for row in r.missing
            ]
            + [
                [
                    late.agency.name,
                    "Báo cáo trễ hạn",
                    SENT_STATES[late.row.status],
                    f"{late.row.filled}/{late.row.required}",
                    late.sent_on,
                    late.deadline,
                    late.extended_until,
                ]
                for late in r.late
            ],
            widths=[40, 18, 24, 14, 14, 14, 14],
        )
        appraisal = r.previous
        if appraisal is not None and appraisal.rows:
            _sheet(
                workbook.create_sheet(f"Điểm bị trừ năm {appraisal.year}"),
                [
                    "Mã",
                    "Tiêu chí thành phần",
                    "Lĩnh vực",
                    "Tự đánh giá",
                    "Chính thức",
                    "Điểm bị trừ",
                    "Lý do Bộ Nội vụ nêu",
                    "Đơn vị chủ trì",
                ],
                [
                    [
                        row.criterion.code,
                        row.criterion.title,
                        row.area.code if row.area else "",
                        row.self_score,
                        row.official_score,
                        row.lost,
                        row.reason,
                        "; ".join(owner.name for owner in row.owners),
                    ]
                    for row in _loss_rows(appraisal)
                ]
                + [["Tổng cộng", "", "", None, None, appraisal.lost, "", ""]],
                widths=[10, 50, 10, 12, 12, 12, 50, 30],
            )
        buffer = io.BytesIO()
        workbook.save(buffer)
    return buffer.getvalue()


def _sheet(sheet, header: list[str], rows: list[list], *, widths: list[int]) -> None:
    for column, title in enumerate(header, start=1):
        cell = sheet.cell(1, column)
        write_text(cell, title)
        cell.font = BOLD
    for row_number, values in enumerate(rows, start=2):
        for column, value in enumerate(values, start=1):
            cell = sheet.cell(row_number, column)
            if isinstance(value, str):
                write_text(cell, value)  # the agencies' texts are never run as formulas
            else:
                cell.value = value
                if isinstance(value, datetime.date):
                    cell.number_format = "DD/MM/YYYY"
            cell.alignment = WRAP
    for column, width in enumerate(widths, start=1):
        sheet.column_dimensions[chr(64 + column)].width = width
    sheet.freeze_panes = "A2"
