"""Write a plan's appendix table as an .xlsx in the official layout of the appendix.

The layout (column titles, title lines, total row) comes from criteria/layout.py, which
the importer reads too, so that an exported file imports back unchanged.

Formula injection: a text cell that a spreadsheet could run as a formula (it starts with
one of FORMULA_TRIGGERS) is written as a plain string cell whose style has Excel's
"quote prefix" flag, exactly what Excel stores when someone types a leading apostrophe.
The text itself is written unchanged: nothing is added, so the importer strips nothing.
"""

import datetime
import io
import os
import re
from copy import copy
from decimal import Decimal
from typing import TYPE_CHECKING, BinaryIO

from openpyxl import Workbook
from openpyxl.cell.cell import Cell
from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from criteria.layout import (
    ACTION_TITLE,
    APPENDIX_HEADING,
    APPENDIX_SUBTITLE,
    APPENDIX_TITLE,
    BASELINE_TITLE,
    CODE_TITLE,
    MAX_TITLE,
    NAME_TITLE,
    TARGET_GROUP_TITLE,
    TARGET_TITLE,
    AppendixRow,
    AppendixTable,
    YearSpan,
)

if TYPE_CHECKING:  # the build script writes appendices without a configured Django
    from criteria.models import Plan

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

# First characters that make Excel, LibreOffice or Google Sheets treat typed text as a
# formula; the full-width forms are read as formulas by some East Asian locales.
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r", "＝", "＋", "－", "＠")

HEADER_ROW = 5  # rows 1-3 hold the title lines, row 4 is left blank as in the seed
FIRST_DATA_ROW = HEADER_ROW + 2
SHEET_TITLE = "Phụ lục"

CODE_WIDTH = 7
NAME_WIDTH = 48
SCORE_WIDTH = 11
ACTION_WIDTH = 60

THIN = Side(style="thin")
BORDER = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
BOLD = Font(bold=True)
CENTER = Alignment(horizontal="center", vertical="center", wrap_text=True)
LEFT = Alignment(horizontal="left", vertical="center", wrap_text=True)
ACTION = Alignment(horizontal="left", vertical="top", wrap_text=True)


def write_appendix(
    table: AppendixTable,
    *,
    province: str,
    plan_number: str,
    issued_on: datetime.date,
    out: str | os.PathLike | BinaryIO,
    period: YearSpan | None = None,
    extra_columns: dict[str, dict[str, Decimal | str | None]] | None = None,
) -> None:
    """Write the table as the plan's appendix: title lines, two-row header, rows, total.

    `period` is the plan's years for the title; by default those of the target columns.
    `extra_columns` adds columns after "Thực hiện" (e.g. a year's actual scores): title →
    value by code, "" for the total row. The importer skips columns it does not know, so
    such a file still imports back as the plan.
    """
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = SHEET_TITLE
    spans = table.target_spans
    extra_columns = extra_columns or {}
    last_column = 5 + len(spans) + len(extra_columns)

    if period is None:
        if not spans:
            raise ValueError("A table without target columns needs the plan's period.")
        period = YearSpan(spans[0].first, spans[-1].last)
    title_lines = [
        (APPENDIX_HEADING, BOLD),
        (
            APPENDIX_TITLE.format(province=province.upper(), first=period.first, last=period.last),
            BOLD,
        ),
        (
            APPENDIX_SUBTITLE.format(
                number=plan_number,
                date=f"{issued_on.day}/{issued_on.month}/{issued_on.year}",
            ),
            Font(italic=True),
        ),
    ]
    for row, (text, font) in enumerate(title_lines, start=1):
        write_text(sheet.cell(row, 1), text)
        sheet.cell(row, 1).font = font
        sheet.cell(row, 1).alignment = CENTER
        sheet.merge_cells(start_row=row, start_column=1, end_row=row, end_column=last_column)

    styles = _Styles()
    _write_header(sheet, table, styles)
    for row_number, row in enumerate(table.rows, start=FIRST_DATA_ROW):
        _write_row(sheet, row_number, row, table, styles)
    for column, (title, values) in enumerate(extra_columns.items(), start=6 + len(spans)):
        write_text(sheet.cell(HEADER_ROW, column), title)
        sheet.merge_cells(
            start_row=HEADER_ROW, start_column=column, end_row=HEADER_ROW + 1, end_column=column
        )
        styles.apply(sheet.cell(HEADER_ROW, column), CENTER, bold=True)
        styles.apply(sheet.cell(HEADER_ROW + 1, column), None, bold=False)
        for row_number, row in enumerate(table.rows, start=FIRST_DATA_ROW):
            value = values.get(row.code)
            cell = sheet.cell(row_number, column)
            if isinstance(value, str):
                write_text(cell, value)
            else:
                cell.value = value
            styles.apply(cell, CENTER, bold=row.is_total or row.depth == 1)

    widths = [CODE_WIDTH, NAME_WIDTH, SCORE_WIDTH, SCORE_WIDTH]
    widths += [SCORE_WIDTH] * len(spans) + [ACTION_WIDTH] + [SCORE_WIDTH] * len(extra_columns)
    for column, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(column)].width = width
    sheet.freeze_panes = sheet.cell(FIRST_DATA_ROW, 1)
    sheet.print_title_rows = f"{HEADER_ROW}:{HEADER_ROW + 1}"
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    workbook.save(out)


def plan_appendix_bytes(plan: "Plan") -> bytes:
    """The plan's appendix as .xlsx bytes, rebuilt from the database."""
    buffer = io.BytesIO()
    write_appendix(
        AppendixTable.from_plan(plan),
        province=plan.province,
        plan_number=plan.number,
        issued_on=plan.issued_on,
        out=buffer,
        period=YearSpan(plan.first_year, plan.last_year),
    )
    return buffer.getvalue()


def appendix_filename(plan: "Plan") -> str:
    """A download name such as "phu-luc-252-KH-UBND.xlsx" (a plan number holds slashes)."""
    number = re.sub(r"\W+", "-", plan.number).strip("-")
    return f"phu-luc-{number}.xlsx"


class _Styles:
    """Give cells of the table their border, alignment, boldness and number format.

    openpyxl looks up a style object in the workbook's list each time it is set on a cell,
    hashing it field by field: most of the time of a large export. Each combination is
    therefore set once, on its first cell, and copied to the next ones (as openpyxl's own
    worksheet copier does). Each cell's quote prefix is kept.
    """

    def __init__(self) -> None:
        self._seen: dict[tuple, object] = {}

    def apply(
        self,
        cell: Cell,
        alignment: Alignment | None,
        *,
        bold: bool,
        number_format: str | None = None,
    ) -> None:
        key = (id(alignment), bold, number_format, cell.quotePrefix)
        if key in self._seen:
            cell._style = copy(self._seen[key])
            return
        cell.border = BORDER
        if alignment is not None:
            cell.alignment = alignment
        if bold:
            cell.font = BOLD
        if number_format is not None:
            cell.number_format = number_format
        self._seen[key] = copy(cell._style)


def _write_header(sheet: Worksheet, table: AppendixTable, styles: _Styles) -> None:
    top, bottom = HEADER_ROW, HEADER_ROW + 1
    spans = table.target_spans
    action_column = 5 + len(spans)
    single_titles = {
        1: CODE_TITLE,
        2: NAME_TITLE,
        3: MAX_TITLE,
        4: BASELINE_TITLE.format(year=table.baseline_year),
        action_column: ACTION_TITLE,
    }
    for column, title in single_titles.items():
        write_text(sheet.cell(top, column), title)
        sheet.merge_cells(start_row=top, start_column=column, end_row=bottom, end_column=column)
    if spans:
        write_text(sheet.cell(top, 5), TARGET_GROUP_TITLE)
        if len(spans) > 1:
            sheet.merge_cells(start_row=top, start_column=5, end_row=top, end_column=4 + len(spans))
        for column, span in enumerate(spans, start=5):
            write_text(sheet.cell(bottom, column), TARGET_TITLE.format(years=span.label))
    for row in (top, bottom):
        for column in range(1, action_column + 1):
            styles.apply(sheet.cell(row, column), CENTER, bold=True)


def _write_row(
    sheet: Worksheet, row_number: int, row: AppendixRow, table: AppendixTable, styles: _Styles
) -> None:
    action_column = 5 + len(table.target_spans)
    if row.is_total:
        write_text(sheet.cell(row_number, 1), row.title)
        sheet.merge_cells(start_row=row_number, start_column=1, end_row=row_number, end_column=2)
    else:
        write_text(sheet.cell(row_number, 1), row.code)
        write_text(sheet.cell(row_number, 2), row.title)
    sheet.cell(row_number, 3).value = row.max_score
    sheet.cell(row_number, 4).value = row.baseline
    for column, span in enumerate(table.target_spans, start=5):
        _write_target(sheet.cell(row_number, column), row.targets.get(span))
    if row.action:
        write_text(sheet.cell(row_number, action_column), row.action)

    bold = row.is_total or row.depth == 1
    for column in range(1, action_column + 1):
        alignment = {2: LEFT, action_column: ACTION}.get(column, CENTER)
        # "1.10" must stay text, even after someone edits the cell in Excel.
        text_format = "@" if column == 1 and not row.is_total else None
        cell = sheet.cell(row_number, column)
        styles.apply(cell, alignment, bold=bold, number_format=text_format)


def _write_target(cell: Cell, target: tuple[Decimal, Decimal] | None) -> None:
    """A single number stays a number; a range is the text "8,5 - 9".

    A number cell is shown by Excel in the reader's own format; a range is text, which Excel
    shows as written, so it is written as Vietnamese writes decimals, with a comma (the
    importer reads "8,5 - 9" and "8.5 - 9" alike).
    """
    if target is None:
        return
    low, high = target
    if low == high:
        cell.value = low
    else:
        write_text(cell, f"{_vietnamese_number(low)} - {_vietnamese_number(high)}")


def _vietnamese_number(value: Decimal) -> str:
    # normalize() alone would turn 10.00 into "1E+1".
    return format(value.normalize(), "f").replace(".", ",")


# The most characters a spreadsheet cell holds (Excel); openpyxl silently cuts the rest.
CELL_MAX_CHARACTERS = 32_767


# Word's manual line and page breaks, pasted into a text box, as line breaks.
_BREAKS = str.maketrans({"\x0b": "\n", "\x0c": "\n"})
# The control characters XML 1.0 has no place for (openpyxl's list): .xlsx and .docx files
# are XML, and openpyxl and python-docx refuse them.
_NOT_IN_XML = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def xml_text(text: str) -> str:
    """A text as an .xlsx or .docx file can hold it: breaks kept as line breaks, the other
    invisible control characters left out."""
    return _NOT_IN_XML.sub("", text.translate(_BREAKS))


def write_text(cell: Cell, text: str) -> None:
    """Write text as a string cell that no spreadsheet runs as a formula (see module doc).

    A text longer than a cell holds is cut with a note saying so at its end, never silently.
    """
    text = xml_text(text)
    if len(text) > CELL_MAX_CHARACTERS:
        text = _cut_to_cell(text)
    cell.value = text
    # openpyxl would store "=1+1" as a formula and "#N/A" as an error value.
    cell.data_type = "s"
    if text.startswith(FORMULA_TRIGGERS):
        cell.quotePrefix = True


def _cut_to_cell(text: str) -> str:
    """The start of a text too long for a cell, and a note that says the rest is missing."""
    # Django is imported here: the build script writes appendices without configuring it,
    # and never has such texts.
    from django.utils.formats import number_format
    from django.utils.translation import gettext as _

    note = _(
        "[Nội dung dài %(length)s ký tự, quá giới hạn %(limit)s ký tự của một ô Excel: "
        "phần còn lại bị cắt bớt, xem đầy đủ trên cổng.]"
    ) % {
        "length": number_format(len(text), force_grouping=True),
        "limit": number_format(CELL_MAX_CHARACTERS, force_grouping=True),
    }
    ending = f"…\n{note}"
    return text[: CELL_MAX_CHARACTERS - len(ending)] + ending
