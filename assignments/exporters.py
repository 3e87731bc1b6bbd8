"""The year's consolidated reports as one workbook, for the People's Committee (UBND tỉnh).

Two sheets: "Tổng hợp", one line per agency as in Sở Nội vụ's tracker, and "Báo cáo",
one line per report sent (drafts stay with their agency). Text cells that a spreadsheet
could run as formulas are neutralised as in criteria/exporters.py: written as strings
with Excel's quote-prefix flag, the text itself unchanged.
"""

import datetime
import io
from collections import defaultdict
from copy import copy
from decimal import Decimal

from django.db.models import Count
from django.utils.formats import date_format, number_format
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell import Cell, WriteOnlyCell
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet._write_only import WriteOnlyWorksheet as Worksheet

from assignments.models import Agency, Report, ReportingCycle, ReportValue, TaskTarget
from assignments.progress import (
    AGENCY_LEADS,
    AgencyProgress,
    TargetResult,
    cycle_progress,
    targets_of_year,
)
from assignments.templatetags.targets import target_label, with_unit
from criteria.exporters import XLSX_CONTENT_TYPE, write_text

__all__ = ["XLSX_CONTENT_TYPE", "cycle_export_bytes", "cycle_export_filename"]

BOLD = Font(bold=True)
WRAP = Alignment(vertical="top", wrap_text=True)
HEADER_ROW = 4  # rows 1-2 hold the title lines, row 3 is left blank


def cycle_export_filename(cycle: ReportingCycle) -> str:
    return f"bao-cao-nam-{cycle.year}.xlsx"


def cycle_export_bytes(cycle: ReportingCycle, *, today: datetime.date) -> bytes:
    """The workbook, written row by row (openpyxl's write-only mode) from plain values."""
    title = _("Kết quả thực hiện Kế hoạch %(plan)s năm %(year)s") % {
        "plan": cycle.plan.number,
        "year": cycle.year,
    }
    subtitle = _("Hạn báo cáo %(deadline)s; số liệu đến ngày %(today)s") % {
        "deadline": date_format(cycle.deadline, "SHORT_DATE_FORMAT"),
        "today": date_format(today, "SHORT_DATE_FORMAT"),
    }
    workbook = Workbook(write_only=True)
    summary = workbook.create_sheet(_("Tổng hợp"))
    _write_summary(summary, cycle_progress(cycle, today=today), title, subtitle)
    details = workbook.create_sheet(_("Báo cáo"))
    _write_reports(details, cycle, title, subtitle)
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
    kinds = {value: str(label) for value, label in Agency.Kind.choices}
    overdue = _("Có")
    for number, row in enumerate(rows, start=1):
        deadline = WriteOnlyCell(sheet, row.deadline.date)
        deadline.number_format = "DD/MM/YYYY"
        counts = [row.expected, row.reported, row.accepted, row.returned, row.missing]
        sheet.append(
            [
                number,
                _text(sheet, row.agency.name),
                _text(sheet, kinds[row.agency.kind]),
                deadline,
                *counts,
                _text(sheet, overdue if row.is_overdue else ""),
            ]
        )
    _filter_rows(sheet, len(headers), len(rows))


def _write_reports(sheet: Worksheet, cycle: ReportingCycle, title: str, subtitle: str) -> None:
    """One line per report sent; three queries (reports, their values, their tasks' targets)."""
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
    reports = (
        Report.objects.filter(cycle=cycle)
        .exclude(status=Report.Status.DRAFT)
        .annotate(
            evidence_count=Count("evidence"),
            is_lead=AGENCY_LEADS,
        )
        .order_by("agency__kind", "agency__name", "task__content_area__number", "task__number")
        .values_list(
            "pk",
            "task_id",
            "agency__name",
            "task__content_area__number",
            "task__content_area__title",
            "task__number",
            "task__text",
            "is_lead",
            "progress",
            "status",
            "narrative",
            "evidence_count",
        )
    )
    reports = list(reports)
    values: dict[int, dict[int, Decimal]] = defaultdict(dict)
    for report_id, target_id, value in ReportValue.objects.filter(
        report__in=[report[0] for report in reports]
    ).values_list("report_id", "target_id", "value"):
        values[report_id][target_id] = value
    targets: dict[int, list[TaskTarget]] = defaultdict(list)
    for target in targets_of_year(cycle.year).filter(task__in={report[1] for report in reports}):
        targets[target.task_id].append(target)
    roles = {True: _("Chủ trì"), False: _("Phối hợp")}
    progresses = {value: str(label) for value, label in Report.Progress.choices}
    statuses = {value: str(label) for value, label in Report.Status.choices}
    wording = _TargetWording()
    wrapped = WriteOnlyCell(sheet)
    wrapped.alignment = WRAP
    for number, (
        report_id,
        task_id,
        agency_name,
        area_number,
        area_title,
        task_number,
        task_text,
        is_lead,
        progress,
        status,
        narrative,
        evidence_count,
    ) in enumerate(reports, start=1):
        texts = [
            agency_name,
            f"{area_number}. {area_title}",  # as str(ContentArea)
            f"{area_number}.{task_number}. {task_text}",
            roles[is_lead],
            progresses[progress],
            statuses[status],
            wording.results(targets[task_id], values[report_id]),
            narrative,
        ]
        sheet.append(
            [
                _cell(sheet, number, wrapped),
                *(_text(sheet, text, wrapped) for text in texts),
                _cell(sheet, evidence_count, wrapped),
            ]
        )
    _filter_rows(sheet, len(headers), len(reports))


class _TargetWording:
    """The words of the targets' results, translated once per workbook, not once per line."""

    def __init__(self) -> None:
        self.missing = _("chưa nhập")
        self.verdicts = {True: _("đạt"), False: _("chưa đạt")}
        self.line = _("%(target)s: %(outcome)s; mục tiêu %(goal)s")
        self.goals: dict[int, str] = {}

    def results(self, targets: list[TaskTarget], achieved: dict[int, Decimal]) -> str:
        """One line per measurable target: achieved value, target, met or not."""
        lines = []
        for result in (TargetResult(target, achieved.get(target.pk)) for target in targets):
            target = result.target
            if result.value is None:
                outcome = self.missing
            else:
                verdict = self.verdicts[result.is_met]
                figure = with_unit(number_format(result.value.normalize()), target.unit)
                outcome = f"{figure} ({verdict})"
            if target.pk not in self.goals:
                self.goals[target.pk] = target_label(target)
            lines.append(
                self.line
                % {"target": target.description, "outcome": outcome, "goal": self.goals[target.pk]}
            )
        return "\n".join(lines)


def _cell(sheet: Worksheet, value, style: Cell | None = None) -> Cell:
    cell = WriteOnlyCell(sheet, value)
    if style is not None:
        # The style of a model cell, copied: setting `alignment` on each of tens of
        # thousands of cells would look the same style up again every time.
        cell._style = copy(style._style)
    return cell


def _text(sheet: Worksheet, text: str, style: Cell | None = None) -> Cell:
    cell = _cell(sheet, None, style)
    write_text(cell, text)
    return cell


def _write_heading(
    sheet: Worksheet, title: str, subtitle: str, headers: list[tuple[str, int]]
) -> None:
    """Rows 1-4 and the sheet's layout, which a write-only sheet takes before any row."""
    for column, (_header, width) in enumerate(headers, start=1):
        sheet.column_dimensions[get_column_letter(column)].width = width
    sheet.freeze_panes = f"A{HEADER_ROW + 1}"
    sheet.page_setup.orientation = "landscape"
    heading = _text(sheet, title.upper())
    heading.font = BOLD
    sheet.append([heading])
    sheet.append([_text(sheet, subtitle)])
    sheet.append([])
    cells = []
    for header, _width in headers:
        cell = _text(sheet, header)
        cell.font = BOLD
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        cells.append(cell)
    sheet.append(cells)


def _filter_rows(sheet: Worksheet, columns: int, rows: int) -> None:
    """Excel's filter buttons on the header, over the data rows."""
    sheet.auto_filter.ref = f"A{HEADER_ROW}:{get_column_letter(columns)}{HEADER_ROW + rows}"
