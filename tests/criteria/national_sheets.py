"""National tables as the ministry's report lays them out, and as a clean copy, for tests."""

import io
from typing import Any

import openpyxl

from criteria.models import Province

# (name as the messy copy spells it, clean name, region, total, rank, group, SIPAS %)
ROWS = [
    ("TỈNH QUẢNG NINH", "Quảng Ninh", Province.Region.RED_RIVER_DELTA, "91,04", 1, "A", "85,5"),
    ("THÀNH PHỐ HẢI PHÒNG", "Hải Phòng", Province.Region.RED_RIVER_DELTA, "90,51", 2, "A", "84,1"),
    ("Thừa Thiên - Huế", "Thừa Thiên Huế", Province.Region.CENTRAL_COAST, "88,47", 3, "B", "83"),
    ("TP. Đà Nẵng", "Đà Nẵng", Province.Region.CENTRAL_COAST, "86,56", 4, "B", "82,75"),
    ("Long An", "Long An", Province.Region.MEKONG_DELTA, "86,56", 4, "B", "81,2"),
    ("tiền giang", "Tiền Giang", Province.Region.MEKONG_DELTA, "79,68", 6, "B", "83,39"),
    ("Tỉnh Bến Tre", "Bến Tre", Province.Region.MEKONG_DELTA, "78,2", 7, "C", "80"),
    ("Cà Mau", "Cà Mau", Province.Region.MEKONG_DELTA, "73,25", 8, "C", "79,5"),
]


def make_provinces() -> dict[str, Province]:
    return {
        clean: Province.objects.create(name=clean, region=region)
        for _messy, clean, region, *_rest in ROWS
    }


def _book(rows: list[list[Any]], merges: list[str] = ()) -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(row)
    for cells in merges:
        sheet.merge_cells(cells)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def clean_xlsx() -> bytes:
    header = ["Tỉnh, thành phố", "Tổng điểm", "Điểm thẩm định", "Xếp hạng", "Nhóm", "SIPAS (%)"]
    return _book(
        [header]
        + [
            [clean, _float(total), 50.5, rank, group, _float(sipas)]
            for _messy, clean, _region, total, rank, group, sipas in ROWS
        ]
    )


def _float(text: str) -> float:
    return float(text.replace(",", "."))


def messy_xlsx(*, replace: dict[tuple[int, int], Any] | None = None) -> bytes:
    """Title lines, a two-row merged header, "NHÓM" lines, capitals, decimal commas as text,
    a national average line and the signature below; `replace` sets (row, column) cells of
    the data part, 0-based, to another value."""
    rows: list[list[Any]] = [
        ["BAN CHỈ ĐẠO CẢI CÁCH HÀNH CHÍNH CỦA CHÍNH PHỦ", None, None, None, None, None, None],
        ["KẾT QUẢ CHỈ SỐ CẢI CÁCH HÀNH CHÍNH NĂM 2019 CỦA CÁC TỈNH, THÀNH PHỐ"],
        [],
        ["STT", "Tỉnh, thành phố", "Chỉ số CCHC", None, "Xếp hạng", "Nhóm", "Chỉ số SIPAS"],
        [None, None, "Tổng điểm", "Điểm thẩm định", None, None, "(%)"],
    ]
    data = []
    for number, (messy, _clean, _region, total, rank, group, sipas) in enumerate(ROWS, 1):
        data.append([number, messy, total, "50,5", f"{rank}", group.lower(), f"{sipas} %"])
    for (row, column), value in (replace or {}).items():
        data[row][column] = value
    rows += [["NHÓM A"], *data[:2], ["NHÓM B: từ 80% đến dưới 90%"], *data[2:]]
    rows += [
        [None, "Trung bình cả nước", "81,52", None, None, None, "80"],
        [],
        [None, None, None, None, "TRƯỞNG BAN", None, None],
    ]
    return _book(rows, merges=["C4:D4", "A4:A5", "B4:B5", "E4:E5", "F4:F5"])
