"""Build appendix spreadsheets the way offices type them, for the importer's tests."""

import io
from collections.abc import Sequence
from typing import Any

import openpyxl

HEADER_TOP = [
    "Stt",
    "Lĩnh vực/Tiêu chí/Tiêu chí thành phần",
    "Điểm chuẩn",
    "Điểm đạt được năm 2017",
    "Mục tiêu",
    None,
    "Thực hiện",
]
HEADER_SUB = [None, None, None, None, "Năm 2018", "Năm 2019- 2020", None]

# A small plan in the seed's shape: two areas, one with a criterion and sub-criteria.
ROWS: list[list[Any]] = [
    [1, "CÔNG TÁC CHỈ ĐẠO, ĐIỀU HÀNH CCHC", 10, 7.5, 9.5, 10, None],
    [1.1, "Kế hoạch CCHC", 1.5, 1.5, 1.5, 1.5, None],
    ["1.1.1", "Ban hành kế hoạch CCHC", 0.5, 0.5, 0.5, 0.5, "Sở Nội vụ tiếp tục tham mưu"],
    ["1.1.2", "Mức độ hoàn thành kế hoạch CCHC", 1, 1, 1, 1, "Sở Nội vụ tiếp tục tham mưu"],
    [
        "1.2",
        "Tác động của cải cách (qua điều tra XHH)",
        8.5,
        6,
        "8 - 8,5",
        "8,5 – 8.5",
        "- Văn phòng UBND tăng cường kiểm tra.\n- Sở Nội vụ rà soát.",
    ],
    [2, "XÂY DỰNG VÀ TỔ CHỨC THỰC HIỆN VBQPPL", 10, 8.37, "8.5 - 9", "9 - 10", None],
    ["2.1", "Theo dõi thi hành pháp luật", 10, 8.37, "8,5 - 9", "9 - 10", "Sở Tư pháp duy trì"],
]
TOTAL = ["TỔNG ĐIỂM", "TỔNG ĐIỂM", 20, 15.87, "18 - 18.5", "18.5 - 20", None]


def appendix_xlsx(
    rows: Sequence[Sequence[Any]] = ROWS,
    *,
    total: Sequence[Any] | None = TOTAL,
    header_top: Sequence[Any] = HEADER_TOP,
    header_sub: Sequence[Any] | None = HEADER_SUB,
    title_lines: bool = True,
    blank_rows_after: Sequence[int] = (),
    signature: bool = True,
) -> bytes:
    """An appendix with title lines, a merged two-row header, spacer rows and signatures."""
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Phụ lục"
    if title_lines:
        sheet.append(["PHỤ LỤC"])
        sheet.append(["MỤC TIÊU PHẤN ĐẤU NÂNG CAO CHỈ SỐ CẢI CÁCH HÀNH CHÍNH TỈNH TIỀN GIANG"])
        sheet.append(["(Kèm theo Kế hoạch số 252/KH-UBND ngày 19/9/2018 của UBND tỉnh)"])
        sheet.append([])
    sheet.append(list(header_top))
    top = sheet.max_row
    if header_sub is not None:
        sheet.append(list(header_sub))
        if "Mục tiêu" in header_top:
            column = list(header_top).index("Mục tiêu") + 1
            sheet.merge_cells(
                start_row=top, end_row=top, start_column=column, end_column=column + 1
            )
    for index, row in enumerate(rows):
        sheet.append(list(row))
        if index in blank_rows_after:
            sheet.append([])
    if total is not None:
        sheet.append([total[0], None, *total[2:]])
        sheet.merge_cells(
            start_row=sheet.max_row, end_row=sheet.max_row, start_column=1, end_column=2
        )
    if signature:
        sheet.append([])
        sheet.append(["Nơi nhận:", None, None, None, None, "KT. CHỦ TỊCH"])
        sheet.append(["- Bộ Nội vụ;", None, None, None, None, "PHÓ CHỦ TỊCH"])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def row_number(code: str, rows: Sequence[Sequence[Any]] = ROWS) -> int:
    """The Excel row a code lands on in appendix_xlsx's default layout (4 title + 2 header)."""
    for index, row in enumerate(rows):
        if str(row[0]) == code:
            return 7 + index
    raise KeyError(code)


def with_cell(code: str, column: int, value: Any, rows=ROWS) -> list[list[Any]]:
    """A copy of the rows with one cell of the row `code` replaced."""
    changed = [list(row) for row in rows]
    for row in changed:
        if str(row[0]) == code:
            row[column] = value
    return changed
