"""Reading a plan's appendix from an Excel file as real offices keep it.

The file is checked before it is opened (size, unpacked size, parts, macros, DTDs), then
the table is found by its Vietnamese column titles wherever it sits on a sheet: title
lines above it, a two-row header with "Mục tiêu" merged over one column per year span,
blank spacer rows, a "TỔNG ĐIỂM" row, signature lines below. Every problem is collected
with its Excel row and column title; any problem means the table is refused whole.
"""

import io
import itertools
import re
import unicodedata
import zipfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import IO, Any

import openpyxl
from django.conf import settings
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from criteria.layout import TOTAL_LABEL, AppendixRow, AppendixTable, YearSpan
from criteria.models import CODE_PATTERN

# Parts, compression ratio: an appendix has a dozen parts and compresses maybe 10:1.
MAX_PARTS = 500
MAX_RATIO = 200
HEADER_SEARCH_ROWS = 40
# Columns read on each row: an appendix has seven to ten; a row of 16,384 cells is not read.
MAX_COLUMNS = 64
# Problems listed one by one; the rest are counted. A broken file of two thousand rows
# would otherwise list thousands of lines no one reads.
MAX_PROBLEMS_SHOWN = 50
CODE_RE = re.compile(CODE_PATTERN)
NUMBER_RE = re.compile(r"^\d+(?:[.,]\d+)?$")
RANGE_RE = re.compile(r"^(\d+(?:[.,]\d+)?)\s*[-–—]\s*(\d+(?:[.,]\d+)?)$")
SPAN_RE = re.compile(r"(\d{4})(?:\s*[-–—]\s*(\d{4}))?")
# Characters an exporter puts before text a spreadsheet could run as a formula.
FORMULA_GUARD = "'"


class AppendixError(Exception):
    """The file cannot be imported; `problems` says, row by row, what to fix."""

    def __init__(self, problems: list[str]) -> None:
        self.count = len(problems)  # all of them, listed or not
        if len(problems) > MAX_PROBLEMS_SHOWN:
            hidden = len(problems) - MAX_PROBLEMS_SHOWN
            problems = [
                *problems[:MAX_PROBLEMS_SHOWN],
                ngettext("… và %(count)s lỗi khác.", "… và %(count)s lỗi khác.", hidden)
                % {"count": number_format(hidden, force_grouping=True)},
            ]
        super().__init__("\n".join(problems))
        self.problems = problems


# Vietnamese is written with the tone mark on either vowel of "oa", "oe", "uy" when the
# syllable ends there ("hoá"/"hóa", "Uỷ"/"Ủy"). Decomposed, the mark is a combining
# character; moving it after the second vowel gives both spellings one form.
_TONE_ON_FIRST_VOWEL = re.compile(r"([oOuU])([\u0300\u0301\u0303\u0309\u0323])([aAeEyY])(?!\w)")


def one_tone_placement(text: str) -> str:
    """`text` in NFC with the tone mark of a final "oa", "oe", "uy" on its second vowel."""
    text = _TONE_ON_FIRST_VOWEL.sub(r"\1\3\2", unicodedata.normalize("NFD", text))
    return unicodedata.normalize("NFC", text)


def normalise(text: Any) -> str:
    """Compare titles the way a reader would: NFC, one space, lower case."""
    if text is None:
        return ""
    return " ".join(unicodedata.normalize("NFC", str(text)).split()).lower()


# -- The file itself ---------------------------------------------------------------------


def check_spreadsheet_file(data: bytes) -> None:
    """Refuse a file that is not a plain, reasonably sized .xlsx before any parser sees it."""
    max_bytes = settings.XLSX_MAX_UPLOAD_BYTES
    if not data:
        raise AppendixError([_("Tệp rỗng: không có dữ liệu để nhập.")])
    if len(data) > max_bytes:
        raise AppendixError(
            [
                _("Tệp quá lớn (%(size)s MB); tệp phụ lục tối đa %(max)s MB.")
                % {"size": _megabytes(len(data)), "max": _megabytes(max_bytes)}
            ]
        )
    not_xlsx = _(
        "Tệp không phải là tệp Excel .xlsx (có thể là tệp .xls cũ, tệp được mã hóa hoặc "
        "tệp khác bị đổi tên). Hãy mở trong Excel và lưu lại dạng “Excel Workbook (.xlsx)”."
    )
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile:
        raise AppendixError([not_xlsx]) from None
    with archive:
        parts = archive.infolist()
        names = {part.filename for part in parts}
        if "xl/workbook.xml" not in names:
            raise AppendixError([not_xlsx])
        if len(parts) > MAX_PARTS:
            raise AppendixError(
                [_("Tệp có quá nhiều thành phần (%(count)s); không nhận.") % {"count": len(parts)}]
            )
        if any(name.lower().endswith("vbaproject.bin") for name in names):
            raise AppendixError(
                [_("Tệp có chứa macro (.xlsm) nên không được nhận. Hãy lưu lại dạng .xlsx.")]
            )
        unpacked = sum(part.file_size for part in parts)
        if unpacked > settings.XLSX_MAX_UNPACKED_BYTES:
            raise AppendixError(
                [
                    _("Tệp khi giải nén lớn tới %(size)s MB, vượt giới hạn %(max)s MB.")
                    % {
                        "size": _megabytes(unpacked),
                        "max": _megabytes(settings.XLSX_MAX_UNPACKED_BYTES),
                    }
                ]
            )
        for part in parts:
            if part.file_size > 1_000_000 and part.file_size > MAX_RATIO * max(
                part.compress_size, 1
            ):
                raise AppendixError(
                    [_("Tệp có tỉ lệ nén bất thường (có thể là “bom nén”); không nhận.")]
                )
            if part.filename.endswith((".xml", ".rels", ".vml")) and _declares_entities(
                archive, part
            ):
                raise AppendixError(
                    [_("Tệp có khai báo DOCTYPE/ENTITY trong XML; không nhận vì lý do an toàn.")]
                )


def _declares_entities(archive: zipfile.ZipFile, part: zipfile.ZipInfo) -> bool:
    """Whether an XML part declares a DOCTYPE or an entity anywhere, not only in its first
    bytes: a comment may push the declarations far down. Read a chunk at a time; the parts
    together are within XLSX_MAX_UNPACKED_BYTES by now."""
    overlap = len(b"<!DOCTYPE") - 1
    tail = b""
    with archive.open(part) as stream:
        while chunk := stream.read(256 * 1024):
            window = tail + chunk.upper()
            if b"<!DOCTYPE" in window or b"<!ENTITY" in window:
                return True
            tail = window[-overlap:]
    return False


def _megabytes(size: int) -> str:
    return f"{size / 1024 / 1024:.1f}"


# -- Cells -------------------------------------------------------------------------------


def parse_code(value: Any) -> str | None:
    """A code typed as text ("3.4.1") or as a number (1, 2.1); None when it is no code."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int):
        text = str(value)
    elif isinstance(value, float):
        text = f"{value:g}"
    else:
        text = unicodedata.normalize("NFC", str(value)).strip().rstrip(".")
    return text if CODE_RE.match(text) else None


def parse_number(value: Any) -> Decimal:
    """A score as Excel stores it or as a person types it ("7,5" or "7.5"); never negative."""
    if isinstance(value, bool):
        raise ValueError(_("“%(value)s” không phải là số.") % {"value": value})
    if isinstance(value, int):
        number = Decimal(value)
    elif isinstance(value, float):
        # Excel keeps binary floats: 7.449999999999999 is a 7.45 that was summed.
        number = Decimal(repr(value))
        rounded = number.quantize(Decimal("0.01"))
        if abs(number - rounded) < Decimal("1e-9"):
            number = rounded
    elif isinstance(value, Decimal):
        number = value
    else:
        text = unicodedata.normalize("NFC", str(value)).strip().replace("\u00a0", "")
        if re.match(r"^[-−]\s*\d", text):
            raise ValueError(_("Điểm không được âm (“%(value)s”).") % {"value": text})
        if not NUMBER_RE.match(text):
            raise ValueError(
                _("“%(value)s” không phải là số (viết ví dụ 7,5 hoặc 7.5).") % {"value": text}
            )
        number = Decimal(text.replace(",", "."))
    if number < 0:
        raise ValueError(_("Điểm không được âm (%(value)s).") % {"value": number_format(number)})
    if number != number.quantize(Decimal("0.01")):
        # The figure as the reader writes it: "0,755" in Vietnamese, never "0.755".
        raise ValueError(
            _("Điểm có quá 2 chữ số thập phân (%(value)s).") % {"value": number_format(number)}
        )
    return number.normalize() if number == number.to_integral() else number


def parse_range(value: Any) -> tuple[Decimal, Decimal]:
    """A target: one number, or a range "8.5 - 9" / "8,5 – 9"; min must not exceed max."""
    if isinstance(value, str):
        text = unicodedata.normalize("NFC", value).strip().replace("\u00a0", " ")
        match = RANGE_RE.match(text)
        if match:
            low, high = parse_number(match[1]), parse_number(match[2])
            if low > high:
                raise ValueError(
                    _("Khoảng mục tiêu “%(value)s” có cận dưới lớn hơn cận trên.") % {"value": text}
                )
            return low, high
    number = parse_number(value)
    return number, number


def _text(value: Any) -> str:
    if value is None:
        return ""
    text = unicodedata.normalize("NFC", str(value)).replace("\r\n", "\n").replace("\r", "\n")
    text = "\n".join(line.rstrip() for line in text.split("\n")).strip()
    if text.startswith(FORMULA_GUARD) and len(text) > 1 and text[1] in "=+-@\t":
        text = text[1:]
    return "" if text == "\u00a0" else text


# -- The table ---------------------------------------------------------------------------


@dataclass
class _Columns:
    """Where each column of the appendix sits on the sheet (0-based), and its title there."""

    header_row: int
    first_data_row: int
    indexes: dict[str, int]
    titles: dict[str, str]
    baseline_year: int
    spans: dict[YearSpan, int]


def _header_titles(top: list[Any], sub: list[Any] | None) -> list[str]:
    """Column titles of a one- or two-row header; a merged group title carries rightwards."""
    titles = []
    group = ""
    for index, cell in enumerate(top):
        own = normalise(cell)
        below = normalise(sub[index]) if sub and index < len(sub) else ""
        if own:
            group = own
        elif below and group.startswith("mục tiêu"):
            own = group
        titles.append(f"{own} {below}".strip() if below and own != below else own)
    return titles


def _find_columns(rows: list[list[Any]]) -> _Columns | None:
    for number, row in enumerate(rows[:HEADER_SEARCH_ROWS]):
        cells = [normalise(cell) for cell in row]
        if not any(cell in {"stt", "tt", "số tt", "mã"} for cell in cells):
            continue
        if not any("điểm chuẩn" in cell or "điểm tối đa" in cell for cell in cells):
            continue
        sub = rows[number + 1] if number + 1 < len(rows) else None
        is_two_rows = bool(sub) and any(re.match(r"^năm\s*\d{4}", normalise(cell)) for cell in sub)
        titles = _header_titles(row, sub if is_two_rows else None)
        indexes: dict[str, int] = {}
        spans: dict[YearSpan, int] = {}
        baseline_year = 0
        for index, title in enumerate(titles):
            if title in {"stt", "tt", "số tt", "mã"}:
                indexes.setdefault("code", index)
            elif "điểm chuẩn" in title or "điểm tối đa" in title:
                indexes.setdefault("max_score", index)
            elif title.startswith("điểm đạt") and SPAN_RE.search(title):
                indexes.setdefault("baseline", index)
                baseline_year = int(SPAN_RE.search(title)[1])
            elif title.startswith("mục tiêu") and SPAN_RE.search(title):
                match = SPAN_RE.search(title)
                spans[YearSpan(int(match[1]), int(match[2] or match[1]))] = index
            elif title.startswith("thực hiện") or title.startswith("giải pháp"):
                indexes.setdefault("action", index)
            elif "tiêu chí" in title or title.startswith("lĩnh vực") or title == "nội dung":
                indexes.setdefault("title", index)
        shown = [_text(cell) for cell in row]
        sub_shown = [_text(cell) for cell in sub] if is_two_rows and sub else []
        return _Columns(
            header_row=number,
            first_data_row=number + (2 if is_two_rows else 1),
            indexes=indexes,
            titles={
                key: shown[index] or (sub_shown[index] if index < len(sub_shown) else "")
                for key, index in indexes.items()
            }
            | {
                f"target:{span.label}": (sub_shown[index] if index < len(sub_shown) else "")
                or shown[index]
                for span, index in spans.items()
            },
            baseline_year=baseline_year,
            spans=dict(sorted(spans.items(), key=lambda item: item[0].first)),
        )
    return None


def _header_and_rows(
    sheet,
    max_rows: int,
    find: Callable[[list[list[Any]]], Any] | None = None,
    too_many: Callable[[str, int], AppendixError] | None = None,
) -> tuple[Any, list[list[Any]]] | None:
    """The table's columns (the appendix's, or what `find` returns) and the sheet's rows,
    or None when the sheet has no header.

    Reads at most `max_rows` rows and refuses the sheet past them (with `too_many`'s
    error): a file of a few hundred kilobytes may hold a hundred thousand rows, whose
    parsing would outlast any request. Only a sheet with the header in its first rows is
    read to the end.
    """
    find = find or _find_columns
    too_many = too_many or _too_many_rows
    declared = sheet.max_row or 0
    # The sheet's stated size is not trusted: a smaller one would cut the table short, a
    # larger one would pad it with up to a million empty rows of 16,384 cells.
    sheet.reset_dimensions()
    stream = sheet.iter_rows(max_col=MAX_COLUMNS, values_only=True)
    rows = [list(row) for row in itertools.islice(stream, HEADER_SEARCH_ROWS + 1)]
    columns = find(rows)
    if columns is None:
        return None
    if declared > max_rows:
        raise too_many(sheet.title, max_rows)
    for row in stream:
        if len(rows) >= max_rows:
            raise too_many(sheet.title, max_rows)
        rows.append(list(row))
    return columns, rows


def _too_many_rows(sheet_title: str, max_rows: int) -> AppendixError:
    return AppendixError(
        [
            _(
                "Trang tính “%(sheet)s” có hơn %(max)s dòng, quá giới hạn của một phụ lục "
                "(một phụ lục kế hoạch chỉ có khoảng một trăm dòng). Hãy xóa các dòng thừa "
                "bên dưới bảng, lưu lại rồi nhập lại."
            )
            % {"sheet": sheet_title, "max": number_format(max_rows, force_grouping=True)}
        ]
    )


def open_checked_workbook(data: bytes) -> openpyxl.Workbook:
    """The workbook, read-only, once `check_spreadsheet_file` has passed it; a file openpyxl
    cannot open is an AppendixError too. The caller closes it."""
    check_spreadsheet_file(data)
    try:
        return openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as error:  # openpyxl raises many kinds on a damaged file
        raise AppendixError(
            [_("Không đọc được tệp Excel (%(error)s).") % {"error": type(error).__name__}]
        ) from None


def read_appendix(stream: IO[bytes] | bytes) -> AppendixTable:
    """Read and check the appendix; raise AppendixError listing every problem found."""
    data = stream if isinstance(stream, bytes) else stream.read()
    book = open_checked_workbook(data)
    try:
        for sheet in book.worksheets:
            found = _header_and_rows(sheet, settings.APPENDIX_MAX_ROWS)
            if found is not None:
                columns, rows = found
                formulas = (
                    _formula_cells(data, sheet.title, len(rows))
                    if b"<f" in _sheet_xml(data)
                    else {}
                )
                return _read_table(rows, columns, formulas)
    finally:
        book.close()
    raise AppendixError(
        [
            _(
                "Không tìm thấy bảng phụ lục: cần một dòng tiêu đề có các cột “Stt”, "
                "“Điểm chuẩn”, “Điểm đạt được năm …” và “Mục tiêu năm …”."
            )
        ]
    )


def _sheet_xml(data: bytes) -> bytes:
    """All worksheet XML, to tell cheaply whether any formula exists at all."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return b"".join(
            archive.read(name)
            for name in archive.namelist()
            if name.startswith("xl/worksheets/") and name.endswith(".xml")
        )


def _formula_cells(data: bytes, sheet_title: str, row_count: int) -> dict[tuple[int, int], str]:
    """Formulas of the table's rows by (row, column), 0-based; read only when the file has
    any."""
    book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=False)
    try:
        rows = book[sheet_title].iter_rows(max_row=row_count, max_col=MAX_COLUMNS, values_only=True)
        return {
            (row_number, column): value
            for row_number, row in enumerate(rows)
            for column, value in enumerate(row)
            if isinstance(value, str) and value.startswith("=")
        }
    finally:
        book.close()


REQUIRED = ("code", "title", "max_score", "baseline")


def _read_table(
    rows: list[list[Any]], columns: _Columns, formulas: dict[tuple[int, int], str]
) -> AppendixTable:
    problems: list[str] = []
    header_line = columns.header_row + 1
    for key in REQUIRED:
        if key not in columns.indexes:
            problems.append(
                _("Dòng tiêu đề (dòng %(row)s) thiếu cột bắt buộc “%(column)s”.")
                % {"row": header_line, "column": _required_label(key)}
            )
    if not columns.spans:
        problems.append(
            _("Dòng tiêu đề (dòng %(row)s) thiếu cột “Mục tiêu năm …”.") % {"row": header_line}
        )
    if problems:
        raise AppendixError(problems)

    table_rows: list[AppendixRow] = []
    for offset, values in enumerate(rows[columns.first_data_row :]):
        sheet_row = columns.first_data_row + offset
        row = _read_row(sheet_row, values, columns, formulas, problems)
        if row is None:
            continue
        table_rows.append(row)
        if row.is_total:
            break  # signature and recipient lines follow the total row
    if not any(not row.is_total for row in table_rows) and not problems:
        problems.append(_("Bảng phụ lục không có dòng dữ liệu nào."))
    problems.extend(_check_tree(table_rows, columns))
    if problems:
        raise AppendixError(problems)
    return AppendixTable(
        baseline_year=columns.baseline_year,
        target_spans=list(columns.spans),
        rows=table_rows,
    )


def _required_label(key: str) -> str:
    return {
        "code": "Stt",
        "title": "Lĩnh vực/Tiêu chí/Tiêu chí thành phần",
        "max_score": "Điểm chuẩn",
        "baseline": _("Điểm đạt được năm …"),
    }[key]


def _cell(values: list[Any], index: int | None) -> Any:
    if index is None or index >= len(values):
        return None
    value = values[index]
    if isinstance(value, str) and not value.strip():
        return None
    return value


def _read_row(
    sheet_row: int,
    values: list[Any],
    columns: _Columns,
    formulas: dict[tuple[int, int], str],
    problems: list[str],
) -> AppendixRow | None:
    idx = columns.indexes
    line = sheet_row + 1
    raw_code = _cell(values, idx["code"])
    raw_title = _cell(values, idx["title"])
    is_total = TOTAL_LABEL.lower() in (normalise(raw_code), normalise(raw_title)) or normalise(
        raw_code
    ) in {"tổng cộng", "tổng số điểm"}
    number_columns = {"max_score": idx["max_score"], "baseline": idx["baseline"]} | {
        f"target:{span.label}": index for span, index in columns.spans.items()
    }
    row_problems: list[str] = []

    def where(key: str) -> str:
        return _("Dòng %(row)s, cột “%(column)s”") % {"row": line, "column": columns.titles[key]}

    for key, index in number_columns.items():
        if _cell(values, index) is None and (sheet_row, index) in formulas:
            row_problems.append(
                _(
                    "%(where)s: ô có công thức %(formula)s nhưng chưa có giá trị đã tính. "
                    "Hãy mở tệp bằng Excel, lưu lại rồi nhập lại."
                )
                % {"where": where(key), "formula": formulas[(sheet_row, index)]}
            )
    has_numbers = any(_looks_numeric(_cell(values, index)) for index in number_columns.values())
    if not is_total:
        code = parse_code(raw_code)
        if code is None:
            if raw_code is None and raw_title is None and not has_numbers:
                return None  # a blank spacer row
            if not has_numbers and not row_problems:
                return None  # a note or heading line without scores
            problems.append(
                _("%(where)s: “%(value)s” không phải là mã tiêu chí (ví dụ 1, 2.1, 3.4.1).")
                % {"where": where("code"), "value": raw_code if raw_code is not None else ""}
            )
            problems.extend(row_problems)
            return None
    else:
        code = ""

    parsed: dict[str, Any] = {}
    for key, index in number_columns.items():
        value = _cell(values, index)
        if value is None:
            parsed[key] = None
            continue
        try:
            parsed[key] = parse_range(value) if key.startswith("target:") else parse_number(value)
        except ValueError as error:
            row_problems.append(f"{where(key)}: {error}")
    if not is_total:
        if parsed.get("max_score") is None and not any(
            p.startswith(where("max_score")) for p in row_problems
        ):
            row_problems.append(_("%(where)s: thiếu điểm chuẩn.") % {"where": where("max_score")})
        if raw_title is None:
            row_problems.append(_("%(where)s: thiếu nội dung.") % {"where": where("title")})
    maximum = parsed.get("max_score")
    if maximum is not None:
        for key, value in parsed.items():
            if key == "max_score" or value is None:
                continue
            top = value[1] if isinstance(value, tuple) else value
            if top > maximum:
                row_problems.append(
                    _("%(where)s: %(value)s lớn hơn điểm chuẩn %(max)s.")
                    % {"where": where(key), "value": top, "max": maximum}
                )
    problems.extend(row_problems)
    if row_problems:
        return None
    title = _text(raw_title)
    action = _text(_cell(values, idx.get("action")))
    return AppendixRow(
        excel_row=line,
        code=code,
        title=TOTAL_LABEL if is_total else title,
        max_score=maximum,
        baseline=parsed.get("baseline"),
        targets={span: parsed.get(f"target:{span.label}") for span in columns.spans},
        action="" if is_total else action,
        is_total=is_total,
        is_survey=is_survey_row(title, action),
    )


def _looks_numeric(value: Any) -> bool:
    """A cell a reader would take for a score, even a malformed one ("7,5", "8 - 9", -1)."""
    if isinstance(value, int | float | Decimal) and not isinstance(value, bool):
        return True
    return isinstance(value, str) and bool(re.match(r"^\s*[-−]?\s*\d", value))


def _check_tree(rows: Iterable[AppendixRow], columns: _Columns) -> list[str]:
    problems = []
    seen: dict[str, int] = {}
    for row in rows:
        if row.is_total:
            continue
        where = _("Dòng %(row)s, cột “%(column)s”") % {
            "row": row.excel_row,
            "column": columns.titles["code"],
        }
        if row.code in seen:
            problems.append(
                _("%(where)s: mã “%(code)s” bị trùng với dòng %(other)s.")
                % {"where": where, "code": row.code, "other": seen[row.code]}
            )
            continue
        seen[row.code] = row.excel_row
    for row in rows:
        if row.is_total or "." not in row.code:
            continue
        parent = row.code.rpartition(".")[0]
        if parent not in seen:
            problems.append(
                _("Dòng %(row)s, cột “%(column)s”: mã “%(code)s” không có dòng cha “%(parent)s”.")
                % {
                    "row": row.excel_row,
                    "column": columns.titles["code"],
                    "code": row.code,
                    "parent": parent,
                }
            )
    return problems


def is_survey_row(title: str, action: str) -> bool:
    """Rows the Ministry scores by sociological survey ("qua điều tra XHH")."""
    return "điều tra xhh" in normalise(title) or normalise(action) == "điều tra xhh"
