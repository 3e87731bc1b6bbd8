"""The year's consolidated reports as one workbook, for the People's Committee (UBND tỉnh).

Two sheets: "Tổng hợp", one line per agency as in Sở Nội vụ's tracker, and "Báo cáo",
one line per report sent (drafts stay with their agency). Text cells that a spreadsheet
could run as formulas are neutralised as in criteria/exporters.py: written as strings
with Excel's quote-prefix flag, the text itself unchanged.
"""

import datetime
import io

from django.db.models import Count, Exists, OuterRef, Prefetch
from django.utils.formats import date_format, number_format
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from assignments.models import Report, ReportingCycle, ReportValue, Task, TaskTarget
from assignments.progress import AgencyProgress, TargetResult, cycle_progress, targets_of_year
from assignments.templatetags.targets import target_label
from criteria.exporters import XLSX_CONTENT_TYPE, write_text

__all__ = ["XLSX_CONTENT_TYPE", "cycle_export_bytes", "cycle_export_filename"]

BOLD = Font(bold=True)
WRAP = Alignment(vertical="top", wrap_text=True)
HEADER_ROW = 4  # rows 1-2 hold the title lines, row 3 is left blank


def cycle_export_filename(cycle: ReportingCycle) -> str:
    return f"bao-cao-nam-{cycle.year}.xlsx"


def cycle_export_bytes(cycle: ReportingCycle, *, today: datetime.date) -> bytes:
    rows = cycle_progress(cycle, today=today)
    reports = (
        Report.objects.filter(cycle=cycle)
        .exclude(status=Report.Status.DRAFT)
        .select_related("agency", "task__content_area")
        .annotate(
            evidence_count=Count("evidence"),
            is_lead=Exists(
                Task.lead_agencies.through.objects.filter(
                    task=OuterRef("task"), agency=OuterRef("agency")
                )
            ),
        )
        .prefetch_related(
            Prefetch("values", queryset=ReportValue.objects.all(), to_attr="value_list"),
            Prefetch("task__targets", queryset=targets_of_year(cycle.year), to_attr="year_targets"),
        )
        .order_by("agency__kind", "agency__name", "task__content_area__number", "task__number")
    )
    title = _("Kết quả thực hiện Kế hoạch %(plan)s năm %(year)s") % {
        "plan": cycle.plan.number,
        "year": cycle.year,
    }
    subtitle = _("Hạn báo cáo %(deadline)s; số liệu đến ngày %(today)s") % {
        "deadline": date_format(cycle.deadline, "SHORT_DATE_FORMAT"),
        "today": date_format(today, "SHORT_DATE_FORMAT"),
    }

    workbook = Workbook()
    summary = workbook.active
    summary.title = _("Tổng hợp")
    _write_summary(summary, rows, title, subtitle)
    details = workbook.create_sheet(_("Báo cáo"))
    _write_reports(details, list(reports), title, subtitle)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _write_summary(sheet: Worksheet, rows: list[AgencyProgress], title: str, subtitle: str) -> None:
    headers = [
        (_("STT"), 6),
        (_("Đơn vị"), 40),
        (_("Loại đơn vị"), 24),
        (_("Hạn báo cáo"), 13),
        (_("Số nhiệm vụ"), 11),
        (_("Đã báo cáo"), 11),
        (_("Đã chấp nhận"), 11),
        (_("Bị trả lại"), 11),
        (_("Chưa báo cáo"), 11),
        (_("Quá hạn"), 9),
    ]
    _write_heading(sheet, title, subtitle, headers)
    for number, row in enumerate(rows, start=1):
        line = HEADER_ROW + number
        sheet.cell(line, 1).value = number
        write_text(sheet.cell(line, 2), row.agency.name)
        write_text(sheet.cell(line, 3), row.agency.get_kind_display())
        sheet.cell(line, 4).value = row.deadline.date
        sheet.cell(line, 4).number_format = "DD/MM/YYYY"
        counts = [row.expected, row.reported, row.accepted, row.returned, row.missing]
        for column, count in enumerate(counts, start=5):
            sheet.cell(line, column).value = count
        write_text(sheet.cell(line, 10), _("Có") if row.is_overdue else "")
    _filter_rows(sheet, len(headers), len(rows))


def _write_reports(
    sheet: Worksheet,
    reports: list[Report],
    title: str,
    subtitle: str,
) -> None:
    headers = [
        (_("STT"), 6),
        (_("Đơn vị"), 32),
        (_("Nội dung"), 28),
        (_("Nhiệm vụ"), 50),
        (_("Vai trò"), 12),
        (_("Tiến độ"), 18),
        (_("Trạng thái"), 14),
        (_("Kết quả các chỉ tiêu"), 45),
        (_("Kết quả thực hiện"), 60),
        (_("Số tài liệu minh chứng"), 12),
    ]
    _write_heading(sheet, title, subtitle, headers)
    for number, report in enumerate(reports, start=1):
        line = HEADER_ROW + number
        task = report.task
        texts = [
            report.agency.name,
            str(task.content_area),
            f"{task.content_area.number}.{task.number}. {task.text}",
            _("Chủ trì") if report.is_lead else _("Phối hợp"),
            report.get_progress_display(),
            report.get_status_display(),
            _target_results(task.year_targets, report.value_list),
            report.narrative,
        ]
        sheet.cell(line, 1).value = number
        for column, text in enumerate(texts, start=2):
            write_text(sheet.cell(line, column), text)
        sheet.cell(line, 10).value = report.evidence_count
        for column in range(1, 11):
            sheet.cell(line, column).alignment = WRAP
    _filter_rows(sheet, len(headers), len(reports))


def _target_results(targets: list[TaskTarget], values: list[ReportValue]) -> str:
    """One line per measurable target: achieved value, target, met or not."""
    achieved = {value.target_id: value.value for value in values}
    lines = []
    for result in (TargetResult(target, achieved.get(target.pk)) for target in targets):
        target = result.target
        if result.value is None:
            outcome = _("chưa nhập")
        else:
            verdict = _("đạt") if result.is_met else _("chưa đạt")
            outcome = f"{number_format(result.value.normalize())}{target.unit} ({verdict})"
        lines.append(
            _("%(target)s: %(outcome)s; mục tiêu %(goal)s")
            % {"target": target.description, "outcome": outcome, "goal": target_label(target)}
        )
    return "\n".join(lines)


def _write_heading(
    sheet: Worksheet, title: str, subtitle: str, headers: list[tuple[str, int]]
) -> None:
    write_text(sheet.cell(1, 1), title.upper())
    sheet.cell(1, 1).font = BOLD
    write_text(sheet.cell(2, 1), subtitle)
    for column, (header, width) in enumerate(headers, start=1):
        cell = sheet.cell(HEADER_ROW, column)
        write_text(cell, header)
        cell.font = BOLD
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        sheet.column_dimensions[get_column_letter(column)].width = width
    sheet.freeze_panes = sheet.cell(HEADER_ROW + 1, 1)
    sheet.page_setup.orientation = "landscape"


def _filter_rows(sheet: Worksheet, columns: int, rows: int) -> None:
    """Excel's filter buttons on the header, over the data rows."""
    sheet.auto_filter.ref = f"A{HEADER_ROW}:{get_column_letter(columns)}{HEADER_ROW + rows}"
