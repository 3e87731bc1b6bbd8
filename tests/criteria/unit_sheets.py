"""Build unit frameworks' spreadsheets the way offices type them, for the importer's tests."""

import io
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import openpyxl
from django.conf import settings

FIXTURES = Path(settings.BASE_DIR) / "fixtures" / "unit_frameworks"
DEPARTMENTS_FILE = FIXTURES / "so_ban_nganh_2020.xlsx"
DISTRICTS_FILE = FIXTURES / "ubnd_cap_huyen_2020.xlsx"
BRANCHES_FILE = FIXTURES / "co_quan_nganh_doc_2020.xlsx"

HEADER = ["STT", "Lĩnh vực, tiêu chí, tiêu chí thành phần", "Điểm tối đa"]
TITLE_LINES = 3  # two title lines and a blank line above the header

# Two regular areas (worth 10), a bonus area and a penalty area written as negatives.
ROWS: list[list[Any]] = [
    [1, "CÔNG TÁC CHỈ ĐẠO, ĐIỀU HÀNH CCHC", 6],
    [1.1, "Kế hoạch CCHC năm", 4],
    [1.2, "Báo cáo CCHC", 2],
    [2, "CẢI CÁCH THỦ TỤC HÀNH CHÍNH", 4],
    [2.1, "Công khai TTHC", 4],
    [3, "ĐIỂM THƯỞNG", 2],
    [3.1, "Sáng kiến CCHC được công nhận", 2],
    [4, "ĐIỂM TRỪ", -3],
    [4.1, "Hồ sơ trễ hạn không xin lỗi", -3],
]


def unit_xlsx(
    rows: Sequence[Sequence[Any]] = ROWS,
    *,
    header: Sequence[Any] = HEADER,
    sub_header: Sequence[Any] | None = None,
    title_lines: bool = True,
    total: Sequence[Any] | None = None,
    signature: bool = True,
) -> bytes:
    """A unit framework's table with title lines above and signatures below."""
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Bộ chỉ số"
    if title_lines:
        sheet.append(["BỘ TIÊU CHÍ XÁC ĐỊNH CHỈ SỐ CCHC CÁC SỞ, BAN, NGÀNH"])
        sheet.append(["(Kèm theo Quyết định của UBND tỉnh)"])
        sheet.append([])
    sheet.append(list(header))
    if sub_header is not None:
        sheet.append(list(sub_header))
    for row in rows:
        sheet.append(list(row))
    if total is not None:
        sheet.append(list(total))
    if signature:
        sheet.append([])
        sheet.append(["Nơi nhận:", None, "KT. CHỦ TỊCH"])
        sheet.append(["- Như trên;", None, "PHÓ CHỦ TỊCH"])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def line_of(code: Any, rows: Sequence[Sequence[Any]] = ROWS) -> int:
    """The Excel row of `code` in unit_xlsx's default layout (3 title lines, 1 header row)."""
    for index, row in enumerate(rows):
        if row[0] == code:
            return TITLE_LINES + 2 + index
    raise KeyError(code)


def replaced(code: Any, column: int, value: Any, rows=ROWS) -> list[list[Any]]:
    """A copy of the rows with one cell of the row `code` replaced."""
    changed = [list(row) for row in rows]
    for row in changed:
        if row[0] == code:
            row[column] = value
    return changed
