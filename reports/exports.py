"""A year's results as a plain .xlsx: the whole tree with the year's actual scores.

Until the appendix exporter (criteria/exporters.py) writes actual columns in the official
layout, this writes the gap table's figures in tree order. Text cells are neutralised the
way that exporter does it: a string cell, with Excel's quote prefix when the text starts
like a formula, so no spreadsheet runs it.
"""

import io
from decimal import Decimal

from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell.cell import Cell
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from criteria.exporters import FORMULA_TRIGGERS
from reports.rollups import GapRow, YearResults

BOLD = Font(bold=True)
HEADER_ROW = 4  # two title lines, a blank line
WIDTHS = (8, 60, 10, 12, 11, 11, 12, 10, 12, 18, 12)


def _write_text(cell: Cell, text: str) -> None:
    cell.value = text
    cell.data_type = "s"  # openpyxl would otherwise store "=1+1" as a formula
    if text.startswith(FORMULA_TRIGGERS):
        cell.quotePrefix = True


def _write_row(sheet: Worksheet, row: int, values: list[object], *, bold: bool = False) -> None:
    for column, value in enumerate(values, start=1):
        cell = sheet.cell(row=row, column=column)
        if isinstance(value, str):
            _write_text(cell, value)
        else:
            cell.value = value
        if bold:
            cell.font = BOLD


def _headers(results: YearResults) -> list[object]:
    return [
        _("Stt"),
        _("Lĩnh vực/Tiêu chí/Tiêu chí thành phần"),
        _("Điểm chuẩn"),
        _("Điểm đạt được năm %(year)s") % {"year": results.plan.baseline_year},
        _("Mục tiêu (cận dưới)"),
        _("Mục tiêu (cận trên)"),
        _("Điểm đạt được năm %(year)s") % {"year": results.year},
        _("Điểm bị mất"),
        _("Còn thiếu để đạt mục tiêu"),
        _("Trạng thái"),
        _("Chấm qua điều tra XHH"),
    ]


def _row_values(row: GapRow) -> list[object]:
    return [
        row.criterion.code,
        row.criterion.title,
        row.max_score,
        row.baseline,
        row.target.min_score if row.target else None,
        row.target.max_score if row.target else None,
        row.actual,
        row.points_lost,
        row.shortfall,
        str(row.status.label) if row.status else None,
        _("có") if row.criterion.is_survey else None,
    ]


def _total_values(results: YearResults) -> list[object]:
    total, max_score = results.total, results.plan.framework.max_score
    lost: Decimal | None = None if total.total is None else max_score - total.total
    return [
        None,
        _("TỔNG ĐIỂM"),
        max_score,
        None,
        total.target.min_score if total.target else None,
        total.target.max_score if total.target else None,
        total.total,
        lost,
        total.shortfall,
        str(total.status.label) if total.status else None,
        None,
    ]


def results_workbook(results: YearResults) -> bytes:
    """The workbook's bytes: two title lines, a header row, the criteria, the total."""
    plan = results.plan
    book = Workbook()
    sheet = book.active
    sheet.title = _("Kết quả năm %(year)s") % {"year": results.year}
    title = _("KẾT QUẢ CHỈ SỐ CẢI CÁCH HÀNH CHÍNH NĂM %(year)s – TỈNH %(province)s") % {
        "year": results.year,
        "province": plan.province.upper(),
    }
    _write_row(sheet, 1, [title], bold=True)
    _write_row(sheet, 2, [_("Theo Kế hoạch số %(number)s") % {"number": plan.number}])
    _write_row(sheet, HEADER_ROW, _headers(results), bold=True)
    for cell in sheet[HEADER_ROW]:
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    for number, row in enumerate(results.rows, start=HEADER_ROW + 1):
        _write_row(sheet, number, _row_values(row), bold=row.criterion.level == 1)
    _write_row(sheet, HEADER_ROW + len(results.rows) + 1, _total_values(results), bold=True)
    sheet.freeze_panes = sheet.cell(row=HEADER_ROW + 1, column=3)
    for column, width in enumerate(WIDTHS, start=1):
        sheet.column_dimensions[get_column_letter(column)].width = width
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
