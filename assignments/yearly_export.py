"""The year's consolidated export of the agencies' yearly reports, for the People's Committee
(UBND tỉnh) and Sở Nội vụ: one workbook per cycle.

Three sheets: "Nhiệm vụ", one row per task of section II and lead agency with its result,
its measurable targets and the coordinating agencies' notes; "Tiêu chí", one row per
sub-criterion and agency that proposes a score for it, with the score, the evidence
documents and the explanation; "Khó khăn, kiến nghị", one row per agency. What an agency
has not sent yet (a section still in draft) stays with the agency: its row shows the
status only.

The workbook is written row by row (openpyxl's write-only mode) from plain values read in a
fixed number of queries, whatever the number of agencies and tasks. Text cells that a
spreadsheet could run as formulas are neutralised and texts longer than a cell are cut with
a note (criteria.exporters.write_text). A built workbook is kept in Django's cache until a
row it shows is written (`reports_version`).
"""

import datetime
import io
from collections import defaultdict
from copy import copy
from decimal import Decimal

from django.db import models
from django.utils import timezone
from django.utils.formats import date_format, number_format
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell import Cell, WriteOnlyCell
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet._write_only import WriteOnlyWorksheet as Worksheet

from assignments.models import (
    Agency,
    AgencyGroup,
    ContentArea,
    EvidenceDocument,
    EvidenceLink,
    Extension,
    Report,
    ReportingCycle,
    ReportValue,
    Responsibility,
    ScoreProposal,
    Task,
    TaskTarget,
    YearlyReport,
)
from assignments.progress import TargetResult, targets_of_year
from assignments.templatetags.targets import target_label, with_unit
from criteria.caching import DataVersion, cached_part
from criteria.exporters import XLSX_CONTENT_TYPE, write_text
from criteria.models import Criterion, Score, Target

__all__ = ["XLSX_CONTENT_TYPE", "cached_export", "export_bytes", "export_filename"]

BOLD = Font(bold=True)
WRAP = Alignment(vertical="top", wrap_text=True)
HEADER_ROW = 4  # rows 1-2 hold the title lines, row 3 is left blank
SCORE_FORMAT = "0.00"
DRAFT = Report.Status.DRAFT


def export_filename(cycle: ReportingCycle) -> str:
    return f"bao-cao-nam-{cycle.year}.xlsx"


# -- Kept until the data changes ------------------------------------------------------------

# Every write path of the reports keeps history (services.save_report, yearly.py's saves, a
# link's save and delete, the admin); the status changes of a whole report's sections are
# plain UPDATEs, but each is made with a history row of the yearly report in the same
# transaction. Sections added in bulk when a report is opened keep none: their largest id
# changes. Agencies, their groups and content areas keep none either: their row count and
# largest id. The same version keys Sở Nội vụ's tracker (review_views.cycle_detail) and the
# agencies' workspace (views.workspace, views.agency_detail), hence the extensions, the
# coordinators and supporting agencies, the scores and the criteria's targets.
HISTORY_SOURCES: list[type[models.Model]] = [
    YearlyReport,
    ScoreProposal,
    EvidenceLink,
    EvidenceDocument,
    Report,
    ReportValue,
    ReportingCycle,
    Extension,
    Task,
    TaskTarget,
    Criterion,
    Responsibility,
    Score,
    Target,
]
PLAIN_SOURCES: list[type[models.Model]] = [
    Agency,
    AgencyGroup,
    AgencyGroup.agencies.through,
    ContentArea,
    Task.lead_agencies.through,
    Task.coordinating_agencies.through,
    Task.coordinating_groups.through,
    Responsibility.leads.through,
    Responsibility.lead_groups.through,
    Responsibility.supporting.through,
    Responsibility.groups.through,
    Report,
    ScoreProposal,
]
# Links written with their model's history (simple-history's m2m_fields on tasks and
# responsibilities, owners.py's bulk path writes it too): their largest id is enough, the
# history tells a link removed. Reports and proposals are many and only ever added.
UNCOUNTED = (
    Report,
    ScoreProposal,
    Task.lead_agencies.through,
    Task.coordinating_agencies.through,
    Task.coordinating_groups.through,
    Responsibility.leads.through,
    Responsibility.lead_groups.through,
    Responsibility.supporting.through,
    Responsibility.groups.through,
)
# A short digest that changes whenever a row the export, the tracker or the workspace
# shows is written (one query).
reports_version = DataVersion(HISTORY_SOURCES, PLAIN_SOURCES, uncounted=UNCOUNTED)


def cached_export(cycle: ReportingCycle, *, today: datetime.date) -> bytes:
    """The cycle's workbook from the cache, built when the data changed since (one query
    when it is cached)."""
    return cached_part(
        "yearly-export",
        (cycle.pk, today),
        lambda: export_bytes(cycle, today=today),
        version=reports_version,
    )


# -- The workbook ---------------------------------------------------------------------------


def export_bytes(cycle: ReportingCycle, *, today: datetime.date) -> bytes:
    """The workbook (twelve queries: lead agencies of the tasks, the cycle's task reports,
    their values, the targets of the year; the owners of the sub-criteria (leads, agency
    groups with their chosen members, active agencies, lead groups), the proposals, their
    documents; the yearly reports)."""
    title = _("Kết quả thực hiện Kế hoạch %(plan)s năm %(year)s") % {
        "plan": cycle.plan.number,
        "year": cycle.year,
    }
    subtitle = _("Hạn báo cáo %(deadline)s; số liệu đến ngày %(today)s") % {
        "deadline": date_format(cycle.deadline, "SHORT_DATE_FORMAT"),
        "today": date_format(today, "SHORT_DATE_FORMAT"),
    }
    workbook = Workbook(write_only=True)
    _write_tasks(workbook.create_sheet(_("Nhiệm vụ")), cycle, title, subtitle)
    _write_criteria(workbook.create_sheet(_("Tiêu chí")), cycle, title, subtitle)
    _write_general(workbook.create_sheet(_("Khó khăn, kiến nghị")), cycle, title, subtitle)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


class _Words:
    """The words of the workbook's cells, translated once per workbook, not once per row."""

    def __init__(self) -> None:
        self.statuses = {value: str(label) for value, label in Report.Status.choices}
        self.progresses = {value: str(label) for value, label in Report.Progress.choices}
        self.not_reported = _("Chưa báo cáo")
        self.yes_no = {True: _("Có"), False: _("Không")}
        self.missing = _("chưa nhập")
        self.verdicts = {True: _("đạt"), False: _("chưa đạt")}
        self.line = _("%(target)s: %(outcome)s; mục tiêu %(goal)s")
        self.note = _("%(agency)s: %(text)s")
        self.on_day = _("ngày %(date)s")
        self.goals: dict[int, str] = {}

    def results(self, targets: list[TaskTarget], achieved: dict[int, Decimal]) -> str:
        """One line per measurable target: achieved value, met or not, and the target."""
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

    def document(
        self,
        location: str,
        number: str,
        issued_on: datetime.date | None,
        issuer: str,
        title: str,
        original_name: str,
    ) -> str:
        """ "10/KH-UBND, ngày 15/01/2019, UBND tỉnh, Kế hoạch … (trang 3)": the parts known."""
        day = self.on_day % {"date": issued_on.strftime("%d/%m/%Y")} if issued_on else ""
        parts = [part for part in (number, day, issuer, title) if part] or [original_name]
        line = ", ".join(parts)
        return f"{line} ({location})" if location else line


def _write_tasks(sheet: Worksheet, cycle: ReportingCycle, title: str, subtitle: str) -> None:
    """One row per task and lead agency (four queries)."""
    headers = [
        (_("STT"), 6),
        (_("Nội dung"), 28),
        (_("Số"), 7),
        (_("Nhiệm vụ"), 50),
        (_("Đơn vị chủ trì"), 28),
        (_("Trạng thái"), 14),
        (_("Tiến độ"), 16),
        (_("Kết quả thực hiện"), 60),
        (_("Kết quả các chỉ tiêu"), 45),
        (_("Ý kiến đơn vị phối hợp"), 50),
    ]
    _write_heading(sheet, title, subtitle, headers)
    leads = (
        Task.lead_agencies.through.objects.filter(task__content_area__plan=cycle.plan_id)
        .order_by("task__content_area__number", "task__number", "agency__name", "agency_id")
        .values_list(
            "task_id",
            "agency_id",
            "agency__name",
            "task__content_area__number",
            "task__content_area__title",
            "task__number",
            "task__text",
        )
    )
    # Every report of the cycle: the lead's own, and the coordinators' notes.
    reports: dict[tuple[int, int], tuple] = {}
    for row in (
        Report.objects.filter(cycle=cycle)
        .order_by("agency__name", "pk")
        .values_list(
            "pk", "task_id", "agency_id", "agency__name", "status", "progress", "narrative"
        )
    ):
        reports[(row[1], row[2])] = row
    values: dict[int, dict[int, Decimal]] = defaultdict(dict)
    for report_id, target_id, value in ReportValue.objects.filter(report__cycle=cycle).values_list(
        "report_id", "target_id", "value"
    ):
        values[report_id][target_id] = value
    targets: dict[int, list[TaskTarget]] = defaultdict(list)
    for target in targets_of_year(cycle.year).filter(task__content_area__plan=cycle.plan_id):
        targets[target.task_id].append(target)
    leads = list(leads)
    lead_pairs = {(task_id, agency_id) for task_id, agency_id, *_rest in leads}
    words = _Words()
    notes: dict[int, list[str]] = defaultdict(list)
    for (task_id, agency_id), report in reports.items():
        narrative = report[6].strip()
        if (task_id, agency_id) not in lead_pairs and report[4] != DRAFT and narrative:
            notes[task_id].append(words.note % {"agency": report[3], "text": narrative})
    wrapped = _model(sheet)
    columns = _Columns(sheet, [(wrapped, False)] + [(wrapped, True)] * 9)
    for number, (task_id, agency_id, agency_name, area, area_title, task_number, text) in enumerate(
        leads, start=1
    ):
        report = reports.get((task_id, agency_id))
        if report is None:
            status, progress, narrative, results = words.not_reported, "", "", ""
        elif report[4] == DRAFT:
            status, progress, narrative, results = words.statuses[DRAFT], "", "", ""
        else:
            status = words.statuses[report[4]]
            progress = words.progresses[report[5]]
            narrative = report[6]
            results = words.results(targets[task_id], values[report[0]])
        columns.append(
            number,
            f"{area}. {area_title}",  # as str(ContentArea)
            f"{area}.{task_number}",
            text,
            agency_name,
            status,
            progress,
            narrative,
            results,
            "\n\n".join(notes[task_id]),
        )
    _filter_rows(sheet, len(headers), len(leads))


def _write_criteria(sheet: Worksheet, cycle: ReportingCycle, title: str, subtitle: str) -> None:
    """One row per sub-criterion and agency that proposes a score for it (seven queries)."""
    headers = [
        (_("STT"), 6),
        (_("Mã"), 9),
        (_("Tiêu chí thành phần"), 45),
        (_("Điểm tối đa"), 10),
        (_("Đơn vị đề xuất"), 28),
        (_("Điểm đề xuất"), 10),
        (_("Tài liệu kiểm chứng đầy đủ"), 12),
        (_("Tài liệu kiểm chứng"), 60),
        (_("Giải trình"), 50),
        (_("Trạng thái"), 14),
    ]
    _write_heading(sheet, title, subtitle, headers)
    proposals = _proposal_rows(cycle)
    words = _Words()
    documents: dict[int, list[str]] = defaultdict(list)
    for proposal_id, *document in (
        EvidenceLink.objects.filter(proposal__report__cycle=cycle)
        .order_by("proposal_id", "pk")
        .values_list(
            "proposal_id",
            "location",
            "document__number",
            "document__issued_on",
            "document__issuer",
            "document__title",
            "document__original_name",
        )
    ):
        documents[proposal_id].append(words.document(*document))
    wrapped = _model(sheet)
    score = _model(sheet, SCORE_FORMAT)
    columns = _Columns(
        sheet,
        [(wrapped, False), (wrapped, True), (wrapped, True), (score, False), (wrapped, True)]
        + [(score, False)]
        + [(wrapped, True)] * 4,
    )
    for number, (
        _order,
        proposal_id,
        code,
        criterion_title,
        maximum,
        agency_name,
        proposed,
        evidence_complete,
        explanation,
        status,
    ) in enumerate(proposals, start=1):
        is_sent = status is not None and status != DRAFT
        columns.append(
            number,
            code,
            criterion_title,
            maximum,
            agency_name,
            proposed if is_sent else None,
            words.yes_no[evidence_complete] if is_sent else "",
            "\n".join(documents[proposal_id]) if is_sent else "",
            explanation if is_sent else "",
            words.not_reported if status is None else words.statuses[status],
        )
    _filter_rows(sheet, len(headers), len(proposals))


def _proposal_rows(cycle: ReportingCycle) -> list[tuple]:
    """The proposals of the cycle and, for each owner of a sub-criterion whose yearly report
    has none yet (not opened), an empty row; by code, then agency (six queries).

    The owners are those open_yearly_report gives a proposal: the leads of each scored
    leaf, and each active member of a lead group."""
    criterion = "responsibility__criterion__"
    fields = [f"{criterion}{name}" for name in ("sort_key", "id", "code", "title", "max_score")]
    of_plan = {"responsibility__plan": cycle.plan_id, f"{criterion}children__isnull": True}
    owners = {
        (row[1], agency_id): (*row, agency_name)
        for *row, agency_id, agency_name in Responsibility.leads.through.objects.filter(
            **of_plan
        ).values_list(*fields, "agency_id", "agency__name")
    }
    groups = list(AgencyGroup.objects.prefetch_related("agencies"))
    active = list(Agency.objects.filter(is_active=True).only("pk", "name", "kind", "is_active"))
    members = {group.pk: [a for a in active if group.includes(a)] for group in groups}
    for *row, group_id in Responsibility.lead_groups.through.objects.filter(**of_plan).values_list(
        *fields, "agencygroup_id"
    ):
        for agency in members.get(group_id, []):
            owners[(row[1], agency.pk)] = (*row, agency.name)
    rows = []
    for sort_key, *row, criterion_id, agency_id in ScoreProposal.objects.filter(
        report__cycle=cycle
    ).values_list(
        "criterion__sort_key",
        "pk",
        "criterion__code",
        "criterion__title",
        "criterion__max_score",
        "report__agency__name",
        "score",
        "evidence_complete",
        "explanation",
        "status",
        "criterion_id",
        "report__agency_id",
    ):
        owners.pop((criterion_id, agency_id), None)
        rows.append(((sort_key, row[4]), *row))
    for sort_key, _criterion_id, code, criterion_title, maximum, agency_name in owners.values():
        rows.append(
            ((sort_key, agency_name), None, code, criterion_title, maximum, agency_name)
            + (None, False, "", None)
        )
    rows.sort(key=lambda row: row[0])
    return rows


def _write_general(sheet: Worksheet, cycle: ReportingCycle, title: str, subtitle: str) -> None:
    """One row per agency's yearly report: its general difficulties and proposals (one query)."""
    headers = [
        (_("STT"), 6),
        (_("Đơn vị"), 32),
        (_("Trạng thái"), 14),
        (_("Ngày gửi"), 12),
        (_("Khó khăn, vướng mắc"), 60),
        (_("Kiến nghị, đề xuất"), 60),
    ]
    _write_heading(sheet, title, subtitle, headers)
    reports = list(
        YearlyReport.objects.filter(cycle=cycle)
        .order_by("agency__name", "pk")
        .values_list(
            "agency__name", "status", "general_status", "submitted_at", "difficulties", "proposals"
        )
    )
    words = _Words()
    wrapped = _model(sheet)
    day = _model(sheet, "DD/MM/YYYY")
    columns = _Columns(
        sheet,
        [(wrapped, False), (wrapped, True), (wrapped, True), (day, False), (wrapped, True)]
        + [(wrapped, True)],
    )
    for number, (
        agency_name,
        status,
        general_status,
        submitted_at,
        difficulties,
        proposals,
    ) in enumerate(reports, start=1):
        is_sent = general_status != DRAFT
        submitted_on = timezone.localtime(submitted_at).date() if submitted_at else None
        columns.append(
            number,
            agency_name,
            words.statuses[status],
            submitted_on,
            difficulties if is_sent else "",
            proposals if is_sent else "",
        )
    _filter_rows(sheet, len(headers), len(reports))


# -- Cells ----------------------------------------------------------------------------------


def _model(sheet: Worksheet, number_format: str | None = None) -> Cell:
    """The style of a column's data cells: wrapped, top-aligned, with a number format."""
    cell = WriteOnlyCell(sheet)
    cell.alignment = WRAP
    if number_format:
        cell.number_format = number_format
    return cell


class _Columns:
    """A sheet's data rows, written through one cell per column that is filled anew for
    every row.

    A write-only sheet writes each row to its file as it is appended, so a cell can take the
    next row's value once appended: tens of thousands of values cost no cell object and no
    copy of its style each. A text that write_text marks as not-a-formula changes its
    cell's style: that cell goes with its row and the column gets a fresh one."""

    def __init__(self, sheet: Worksheet, columns: list[tuple[Cell, bool]]) -> None:
        """`columns`: per column, the model cell of its style and whether it holds text."""
        self.sheet = sheet
        self.models = [model for model, _is_text in columns]
        self.texts = [is_text for _model, is_text in columns]
        self.cells = [_cell(sheet, None, model) for model in self.models]

    def append(self, *values) -> None:
        cells, quoted = self.cells, []
        for index, (cell, is_text, value) in enumerate(zip(cells, self.texts, values, strict=True)):
            if is_text:
                write_text(cell, value)
                if cell.quotePrefix:
                    quoted.append(index)
            else:
                cell.value = value
        self.sheet.append(cells)
        for index in quoted:
            cells[index] = _cell(self.sheet, None, self.models[index])


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
