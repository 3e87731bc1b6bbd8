"""The province's own frameworks for its units (departments, districts, communes, branch
agencies): read from an .xlsx laid out like the plan's appendix, written whole or not at all.

Offices keep these tables as they keep the appendix: title lines above; a one- or two-row
header found by its titles ("STT"/"Mã", "Lĩnh vực, tiêu chí, tiêu chí thành phần",
"Điểm tối đa"/"Điểm chuẩn", perhaps "Loại"), perhaps a row of column numbers (1) (2) (3)
under it; areas numbered 1, 2 … or I, II … (then "1.2" under area II is 2.1.2); section
lines "A. TIÊU CHÍ CHẤM ĐIỂM", "B. ĐIỂM THƯỞNG"; lines of scoring levels ("- Ban hành đúng
hạn: 1 điểm"); a total row; signatures below.

A column "Tiêu chí thành phần Bộ chỉ số tỉnh liên quan" (any title with "liên quan") may
name, for each scored criterion, the sub-criteria of the national index it bears on
("3.4.1; 5.2"): they are resolved against the national framework that applies in the unit
framework's first year and kept as criteria.CriterionLink rows, the file being the whole
mapping of the framework.

Bonus criteria (điểm thưởng) and penalty criteria (điểm trừ) are told apart by a "Loại"
column, by their area's title ("ĐIỂM THƯỞNG"), or by the section line above their area;
a criterion is of its area's kind. A penalty's maximum may be written negative ("-2"): it
is kept as the positive maximum deduction. The framework's maximum is the sum of its
regular areas' maxima; a total row that states another is an error.
"""

import re
from dataclasses import dataclass, field
from decimal import Decimal
from typing import IO, Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from criteria.importers import (
    AppendixError,
    _formula_cells,
    _header_and_rows,
    _sheet_xml,
    _text,
    is_survey_row,
    normalise,
    open_checked_workbook,
    parse_code,
    parse_number,
)
from criteria.models import Criterion, CriterionLink, Framework, code_sort_key
from criteria.national import _titles
from criteria.services import Change, show

Kind = Criterion.Kind
HEADER_SEARCH_ROWS = 40
MAX_DEPTH = 3
CODE_TITLES = {
    "stt",
    "tt",
    "số tt",
    "số thứ tự",
    "mã",
    "mã số",
    "mã tiêu chí",
    "stt/mã",
    "mã/stt",
    "tt/mã",
}
BONUS_WORDS = ("điểm thưởng", "điểm cộng", "cộng điểm", "tiêu chí thưởng")
PENALTY_WORDS = ("điểm trừ", "trừ điểm", "tiêu chí trừ")
KIND_VALUES = {
    "": None,
    "chấm điểm": Kind.REGULAR,
    "tiêu chí chấm điểm": Kind.REGULAR,
    "thường": Kind.REGULAR,
    "điểm thưởng": Kind.BONUS,
    "thưởng": Kind.BONUS,
    "điểm cộng": Kind.BONUS,
    "cộng": Kind.BONUS,
    "+": Kind.BONUS,
    "điểm trừ": Kind.PENALTY,
    "trừ": Kind.PENALTY,
    "-": Kind.PENALTY,
}
# Read case-sensitively on the cell as typed: "A." opens a section, "a)" is a scoring level.
SECTION_RE = re.compile(r"^(?:PHẦN\s+)?[A-EĐ](?:[.:)]|\s|$)")
LEVEL_RE = re.compile(r"^(?:[-+*•–—]|[a-zđ][.)])(?:\s|$)")
NUMBERING_RE = re.compile(r"^\(?(\d{1,2})\)?$")
_ROMAN_DIGITS = [(10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I")]


def _roman(number: int) -> str:
    text = ""
    for value, letters in _ROMAN_DIGITS:
        while number >= value:
            text, number = text + letters, number - value
    return text


ROMANS = {_roman(number): number for number in range(1, 31)}


@dataclass
class UnitRow:
    """One criterion of a unit framework as read from the sheet (its 1-based Excel row)."""

    excel_row: int
    code: str
    title: str
    max_score: Decimal
    kind: str = Kind.REGULAR
    is_survey: bool = False
    # The codes of the national index's sub-criteria it bears on, as written.
    related: list[str] = field(default_factory=list)

    @property
    def depth(self) -> int:
        return self.code.count(".") + 1


@dataclass
class UnitSheet:
    """A unit framework's criteria in sheet order, with its columns' titles as shown."""

    rows: list[UnitRow]
    titles: dict[str, str]
    warnings: list[str] = field(default_factory=list)

    @property
    def has_related(self) -> bool:
        """Whether the file has the column of related national sub-criteria."""
        return "related" in self.titles

    def maximum(self, kind: str = Kind.REGULAR) -> Decimal:
        """The sum of the areas' maxima of one kind: for regular areas, the framework's
        maximum; for bonus, the most a unit may gain; for penalty, the most it may lose."""
        return sum(
            (row.max_score for row in self.rows if row.depth == 1 and row.kind == kind),
            Decimal(0),
        )


# -- Reading -----------------------------------------------------------------------------


@dataclass
class _Header:
    header_row: int  # 0-based
    first_data_row: int
    indexes: dict[str, int]
    titles: dict[str, str]


def _column_key(title: str) -> str | None:
    title = re.sub(r"\s*/\s*", "/", title)
    if "liên quan" in title:
        return "related"
    if title in CODE_TITLES:
        return "code"
    if title.startswith("loại") or title == "phân loại":
        return "kind"
    if any(words in title for words in ("điểm tối đa", "điểm chuẩn", "thang điểm")):
        return "max_score"
    if "tiêu chí" in title or title.startswith("lĩnh vực") or "nội dung" in title:
        return "title"
    return None


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float | Decimal) and not isinstance(value, bool)


def _continues_header(row: list[Any] | None) -> bool:
    """Whether a row under a header row is its second row: text titles, no figures."""
    if not row:
        return False
    cells = [cell for cell in row if cell not in (None, "")]
    return bool(cells) and not any(
        _is_number(cell) or NUMBERING_RE.match(normalise(cell)) for cell in cells
    )


def _is_numbering(row: list[Any]) -> bool:
    """A row of column numbers under the header: 1 2 3 4 or (1) (2) (3) (4)."""
    numbers = []
    for cell in row:
        if cell in (None, ""):
            continue
        match = NUMBERING_RE.match(normalise(f"{cell:g}" if isinstance(cell, float) else cell))
        if match is None:
            return False
        numbers.append(int(match[1]))
    return len(numbers) >= 3 and numbers == list(range(numbers[0], numbers[0] + len(numbers)))


def _find_header(rows: list[list[Any]]) -> _Header | None:
    for number, row in enumerate(rows[:HEADER_SEARCH_ROWS]):
        if not any(_column_key(normalise(cell)) == "code" for cell in row):
            continue
        sub = rows[number + 1] if number + 1 < len(rows) else None
        is_two_rows = _continues_header(sub)
        titles = _titles(row, sub if is_two_rows else None)
        indexes: dict[str, int] = {}
        for index, title in enumerate(titles):
            key = _column_key(title)
            if key:
                indexes.setdefault(key, index)
        if "max_score" not in indexes and "title" not in indexes:
            continue
        shown = {}
        for key, index in indexes.items():
            parts = [row[index], sub[index] if is_two_rows and index < len(sub) else None]
            shown[key] = " – ".join(
                " ".join(str(part).split()) for part in parts if part not in (None, "")
            )
        first = number + (2 if is_two_rows else 1)
        if first < len(rows) and _is_numbering(rows[first]):
            first += 1
        return _Header(number, first, indexes, shown)
    return None


def _too_many_rows(sheet_title: str, max_rows: int) -> AppendixError:
    return AppendixError(
        [
            _(
                "Trang tính “%(sheet)s” có hơn %(max)s dòng, quá giới hạn của một bộ chỉ số "
                "(một bộ chỉ số chỉ có vài trăm dòng). Hãy xóa các dòng thừa bên dưới bảng, "
                "lưu lại rồi nhập lại."
            )
            % {"sheet": sheet_title, "max": number_format(max_rows, force_grouping=True)}
        ]
    )


def read_unit_framework(stream: IO[bytes] | bytes) -> UnitSheet:
    """Read and check a unit framework's table; raise AppendixError listing every problem."""
    data = stream if isinstance(stream, bytes) else stream.read()
    book = open_checked_workbook(data)
    try:
        for sheet in book.worksheets:
            found = _header_and_rows(
                sheet, settings.APPENDIX_MAX_ROWS, find=_find_header, too_many=_too_many_rows
            )
            if found is not None:
                header, rows = found
                formulas = (
                    _formula_cells(data, sheet.title, len(rows))
                    if b"<f" in _sheet_xml(data)
                    else {}
                )
                return _read_rows(rows, header, formulas)
    finally:
        book.close()
    raise AppendixError(
        [
            _(
                "Không tìm thấy bảng tiêu chí: cần một dòng tiêu đề có các cột “STT” (hoặc "
                "“Mã”), “Lĩnh vực, tiêu chí, tiêu chí thành phần” và “Điểm tối đa” (hoặc "
                "“Điểm chuẩn”)."
            )
        ]
    )


def _cell(values: list[Any], index: int | None) -> Any:
    if index is None or index >= len(values):
        return None
    value = values[index]
    if isinstance(value, str) and not value.strip():
        return None
    return value


def _marker(text: str) -> str | None:
    """The kind a title names ("ĐIỂM THƯỞNG", "Điểm trừ"), if any; "both" when both."""
    text = normalise(text)
    bonus = any(words in text for words in BONUS_WORDS)
    penalty = any(words in text for words in PENALTY_WORDS)
    if bonus and penalty:
        return "both"
    return Kind.BONUS if bonus else Kind.PENALTY if penalty else None


def _is_total(text: str) -> bool:
    return text == "tổng" or text.startswith(("tổng điểm", "tổng cộng", "tổng số điểm"))


def _looks_numeric(value: Any) -> bool:
    return _is_number(value) or (
        isinstance(value, str) and bool(re.match(r"^\s*[-−]?\s*\d", value))
    )


def _parse_penalty(value: Any) -> Decimal:
    """A penalty's maximum, typed as the deduction (2) or as a negative figure (-2)."""
    if _is_number(value) and value < 0:
        value = -value
    elif isinstance(value, str):
        value = re.sub(r"^\s*[-−]\s*", "", value)
    return parse_number(value)


@dataclass
class _Reading:
    """What reading the rows carries from one row to the next."""

    header: _Header
    formulas: dict[tuple[int, int], str]
    problems: list[str] = field(default_factory=list)
    rows: list[UnitRow] = field(default_factory=list)
    kinds: dict[str, str] = field(default_factory=dict)
    section: str | None = None
    roman_area: str | None = None
    levels_skipped: int = 0
    stated_total: tuple[int, Decimal] | None = None

    def where(self, line: int, key: str) -> str:
        return _("Dòng %(row)s, cột “%(column)s”") % {
            "row": line,
            "column": self.header.titles.get(key, key),
        }


def _read_rows(
    rows: list[list[Any]], header: _Header, formulas: dict[tuple[int, int], str]
) -> UnitSheet:
    missing = [key for key in ("code", "title", "max_score") if key not in header.indexes]
    if missing:
        labels = {
            "code": "STT",
            "title": "Lĩnh vực, tiêu chí, tiêu chí thành phần",
            "max_score": _("Điểm tối đa"),
        }
        raise AppendixError(
            [
                _("Dòng tiêu đề (dòng %(row)s) thiếu cột bắt buộc “%(column)s”.")
                % {"row": header.header_row + 1, "column": labels[key]}
                for key in missing
            ]
        )
    reading = _Reading(header=header, formulas=formulas)
    for offset, values in enumerate(rows[header.first_data_row :]):
        if normalise(_cell(values, 0)).startswith("nơi nhận"):
            break  # the recipients and signatures below the table
        _read_row(reading, header.first_data_row + offset, values)
    problems = reading.problems
    if not reading.rows and not problems:
        problems.append(_("Bảng không có tiêu chí nào."))
    problems.extend(_tree_problems(reading))
    sheet = UnitSheet(rows=reading.rows, titles=header.titles)
    if reading.rows and not problems and sheet.maximum() <= 0:
        problems.append(_("Bộ chỉ số không có lĩnh vực chấm điểm nào (chỉ có điểm thưởng, trừ)."))
    if reading.stated_total is not None and not problems:
        line, stated = reading.stated_total
        if stated != sheet.maximum():
            problems.append(
                _(
                    "%(where)s: tổng điểm ghi %(stated)s nhưng tổng điểm tối đa của các lĩnh "
                    "vực chấm điểm (không kể điểm thưởng, điểm trừ) là %(sum)s."
                )
                % {
                    "where": reading.where(line, "max_score"),
                    "stated": show(stated),
                    "sum": show(sheet.maximum()),
                }
            )
    if problems:
        raise AppendixError(problems)
    sheet.warnings = _sum_warnings(reading.rows)
    if reading.levels_skipped:
        sheet.warnings.append(
            _(
                "%(count)s dòng mức chấm (bắt đầu bằng “-”, “+”, “a)” …) không phải là tiêu "
                "chí, không được nhập."
            )
            % {"count": reading.levels_skipped}
        )
    return sheet


def _read_row(reading: _Reading, sheet_row: int, values: list[Any]) -> None:
    idx = reading.header.indexes
    line = sheet_row + 1
    raw_code = _cell(values, idx["code"])
    raw_title = _cell(values, idx["title"])
    raw_max = _cell(values, idx["max_score"])
    raw_kind = _cell(values, idx.get("kind"))
    raw_related = _cell(values, idx.get("related"))
    code_text = " ".join(str(raw_code).split()) if raw_code is not None else ""
    words = f"{code_text} {normalise(raw_title)}"
    if raw_max is None and (sheet_row, idx["max_score"]) in reading.formulas:
        reading.problems.append(
            _(
                "%(where)s: ô có công thức %(formula)s nhưng chưa có giá trị đã tính. "
                "Hãy mở tệp bằng Excel, lưu lại rồi nhập lại."
            )
            % {
                "where": reading.where(line, "max_score"),
                "formula": reading.formulas[(sheet_row, idx["max_score"])],
            }
        )
        return
    if _is_total(normalise(raw_code)) or (raw_code is None and _is_total(normalise(raw_title))):
        if _marker(words) is None and raw_max is not None:
            try:
                reading.stated_total = (line, parse_number(raw_max))
            except ValueError as error:
                reading.problems.append(f"{reading.where(line, 'max_score')}: {error}")
        return
    if SECTION_RE.match(code_text):
        marker = _marker(words)
        reading.section = marker if marker != "both" else None
        reading.roman_area = None
        return
    if LEVEL_RE.match(code_text) or (raw_code is None and LEVEL_RE.match(_text(raw_title))):
        reading.levels_skipped += 1
        return
    code = _unit_code(reading, raw_code)
    if code is None:
        if raw_code is None and raw_title is None and raw_max is None:
            return  # a blank spacer row
        if not _looks_numeric(raw_max):
            marker = _marker(words)
            if marker in (Kind.BONUS, Kind.PENALTY):
                reading.section = marker  # a heading line: "ĐIỂM THƯỞNG (tối đa 5 điểm)"
            return  # a note or heading line without a maximum
        reading.problems.append(
            _("%(where)s: “%(value)s” không phải là mã tiêu chí (ví dụ 1, 2.1, 3.4.1 hoặc I, II).")
            % {"where": reading.where(line, "code"), "value": code_text}
        )
        return
    _read_criterion(reading, line, code, raw_title, raw_max, raw_kind)
    if reading.rows and reading.rows[-1].excel_row == line:
        reading.rows[-1].related = _related_codes(reading, line, raw_related)


RELATED_SEPARATORS = re.compile(r"[;,\n]+")


def _related_codes(reading: _Reading, line: int, raw: Any) -> list[str]:
    """The national sub-criteria a row names ("3.4.1; 5.2"), each once, in order."""
    if raw is None:
        return []
    parts = [raw] if _is_number(raw) else RELATED_SEPARATORS.split(str(raw))
    codes: list[str] = []
    for part in parts:
        if isinstance(part, str) and not part.strip():
            continue
        code = parse_code(part.strip() if isinstance(part, str) else part)
        if code is None:
            reading.problems.append(
                _(
                    "%(where)s: “%(value)s” không phải là mã tiêu chí thành phần của Bộ chỉ số "
                    "tỉnh (ví dụ 3.4.1; ghi nhiều mã cách nhau bởi dấu chấm phẩy)."
                )
                % {"where": reading.where(line, "related"), "value": _text(part)}
            )
        elif code not in codes:
            codes.append(code)
    return codes


def _unit_code(reading: _Reading, raw_code: Any) -> str | None:
    """The criterion's code: an area numbered I, II … becomes 1, 2 …, and the codes under it
    are prefixed with it ("1.2" under II is 2.1.2)."""
    if isinstance(raw_code, str):
        roman = raw_code.strip().rstrip(".").strip()
        if roman in ROMANS:
            reading.roman_area = str(ROMANS[roman])
            return reading.roman_area
    code = parse_code(raw_code)
    if code is not None and reading.roman_area is not None:
        return f"{reading.roman_area}.{code}"
    return code


def _read_criterion(
    reading: _Reading, line: int, code: str, raw_title: Any, raw_max: Any, raw_kind: Any
) -> None:
    problems: list[str] = []
    title = _text(raw_title)
    stated = KIND_VALUES.get(normalise(raw_kind), "?")
    if stated == "?":
        problems.append(
            _(
                "%(where)s: “%(value)s” không phải là loại tiêu chí (để trống hoặc ghi “Chấm "
                "điểm”, “Điểm thưởng”, “Điểm trừ”)."
            )
            % {"where": reading.where(line, "kind"), "value": _text(raw_kind)}
        )
        stated = None
    depth = code.count(".") + 1
    if depth > MAX_DEPTH:
        problems.append(
            _("%(where)s: mã “%(code)s” có quá 3 cấp (lĩnh vực, tiêu chí, tiêu chí thành phần).")
            % {"where": reading.where(line, "code"), "code": code}
        )
    if depth == 1:
        marker = _marker(title)
        if marker == "both":
            problems.append(
                _(
                    "%(where)s: lĩnh vực ghi cả điểm thưởng và điểm trừ; hãy tách thành hai "
                    "lĩnh vực hoặc ghi cột “Loại”."
                )
                % {"where": reading.where(line, "title")}
            )
            marker = None
        if stated and marker and stated != marker:
            problems.append(
                _("%(where)s: ghi “%(stated)s” nhưng tên lĩnh vực là %(kind)s.")
                % {
                    "where": reading.where(line, "kind"),
                    "stated": Kind(stated).label,
                    "kind": Kind(marker).label.lower(),
                }
            )
        kind = stated or marker or reading.section or Kind.REGULAR
    else:
        parent = code.rpartition(".")[0]
        kind = reading.kinds.get(parent, stated or Kind.REGULAR)
        if stated and stated != kind:
            problems.append(
                _(
                    "%(where)s: tiêu chí %(code)s ghi “%(stated)s” nhưng thuộc %(parent)s là "
                    "“%(kind)s”."
                )
                % {
                    "where": reading.where(line, "kind"),
                    "code": code,
                    "stated": Kind(stated).label,
                    "parent": parent,
                    "kind": Kind(kind).label,
                }
            )
    maximum = None
    if raw_max is None:
        problems.append(
            _("%(where)s: thiếu điểm tối đa.") % {"where": reading.where(line, "max_score")}
        )
    else:
        try:
            maximum = _parse_penalty(raw_max) if kind == Kind.PENALTY else parse_number(raw_max)
        except ValueError as error:
            problems.append(f"{reading.where(line, 'max_score')}: {error}")
    if not title:
        problems.append(_("%(where)s: thiếu nội dung.") % {"where": reading.where(line, "title")})
    reading.kinds.setdefault(code, kind)
    if problems:
        reading.problems.extend(problems)
        return
    reading.rows.append(
        UnitRow(
            excel_row=line,
            code=code,
            title=title,
            max_score=maximum,
            kind=kind,
            is_survey=is_survey_row(title, ""),
        )
    )


def _tree_problems(reading: _Reading) -> list[str]:
    problems = []
    seen: dict[str, int] = {}
    for row in reading.rows:
        if row.code in seen:
            problems.append(
                _("%(where)s: mã “%(code)s” bị trùng với dòng %(other)s.")
                % {
                    "where": reading.where(row.excel_row, "code"),
                    "code": row.code,
                    "other": seen[row.code],
                }
            )
            continue
        seen[row.code] = row.excel_row
    parents = {row.code.rpartition(".")[0] for row in reading.rows}
    for row in reading.rows:
        if row.related and (row.code in parents or row.kind != Kind.REGULAR):
            problems.append(
                _(
                    "%(where)s: chỉ ghi tiêu chí liên quan ở tiêu chí chấm điểm không có tiêu "
                    "chí con; %(code)s %(why)s."
                )
                % {
                    "where": reading.where(row.excel_row, "related"),
                    "code": row.code,
                    "why": _("có tiêu chí con")
                    if row.code in parents
                    else _("là %(kind)s") % {"kind": Kind(row.kind).label.lower()},
                }
            )
    for row in reading.rows:
        parent = row.code.rpartition(".")[0]
        if parent and parent not in seen:
            problems.append(
                _("%(where)s: mã “%(code)s” không có dòng cha “%(parent)s”.")
                % {
                    "where": reading.where(row.excel_row, "code"),
                    "code": row.code,
                    "parent": parent,
                }
            )
    return problems


def _sum_warnings(rows: list[UnitRow]) -> list[str]:
    """Parents whose maximum is not the sum of their children's, as stated in the file."""
    children: dict[str, Decimal] = {}
    for row in rows:
        parent = row.code.rpartition(".")[0]
        if parent:
            children[parent] = children.get(parent, Decimal(0)) + row.max_score
    return [
        _("%(code)s · Điểm tối đa: ghi %(stated)s nhưng tổng các dòng con là %(sum)s.")
        % {"code": row.code, "stated": show(row.max_score), "sum": show(children[row.code])}
        for row in rows
        if row.code in children and children[row.code] != row.max_score
    ]


# -- Writing -----------------------------------------------------------------------------


@dataclass
class UnitFrameworkReport:
    """What an import did (or, in a dry run, would do) to a unit framework."""

    code: str
    is_new: bool
    maximum: Decimal
    bonus_maximum: Decimal
    penalty_maximum: Decimal
    created: list[str] = field(default_factory=list)
    changes: list[Change] = field(default_factory=list)
    unchanged: int = 0
    warnings: list[str] = field(default_factory=list)
    dry_run: bool = False

    @property
    def updated(self) -> list[str]:
        return sorted({c.code for c in self.changes if c.code}, key=_sort_key)

    def summary(self) -> str:
        return _(
            "Bộ chỉ số %(code)s: %(created)s tiêu chí mới, %(updated)s tiêu chí thay đổi, "
            "%(unchanged)s tiêu chí không đổi; điểm tối đa %(max)s, điểm thưởng tối đa "
            "%(bonus)s, điểm trừ tối đa %(penalty)s."
        ) % {
            "code": self.code,
            "created": len(self.created),
            "updated": len(self.updated),
            "unchanged": self.unchanged,
            "max": show(self.maximum),
            "bonus": show(self.bonus_maximum),
            "penalty": show(self.penalty_maximum),
        }


def _sort_key(code: str) -> list[int]:
    return [int(part) for part in code.split(".")]


def row_cells(row: UnitRow | Criterion) -> dict[str, object]:
    """A criterion's cells as the preview and the change report name them."""
    return {
        _("Nội dung"): row.title,
        _("Điểm tối đa"): row.max_score,
        _("Loại"): Kind(row.kind).label,
        _("Chấm qua điều tra XHH"): row.is_survey,
    }


def _framework_problems(
    *,
    sheet: UnitSheet,
    framework: Framework | None,
    code: str,
    unit_type: str,
    first_year: int,
    last_year: int | None,
) -> list[str]:
    problems = []
    if unit_type not in Framework.UnitType.values:
        problems.append(
            _("Không có loại đơn vị “%(type)s”. Các loại: %(types)s.")
            % {"type": unit_type, "types": ", ".join(Framework.UnitType.values)}
        )
        return problems
    if last_year is not None and last_year < first_year:
        problems.append(
            _("Năm kết thúc %(last)s trước năm bắt đầu %(first)s.")
            % {"last": last_year, "first": first_year}
        )
    if framework is not None and not framework.is_unit_framework:
        problems.append(
            _(
                "%(code)s là bộ chỉ số của Bộ Nội vụ đánh giá tỉnh; bộ chỉ số của tỉnh đánh giá "
                "đơn vị phải có số hiệu khác."
            )
            % {"code": code}
        )
    elif framework is not None and framework.unit_type != unit_type:
        problems.append(
            _("Bộ chỉ số %(code)s đã có và áp dụng cho %(type)s.")
            % {"code": code, "type": framework.get_unit_type_display()}
        )
    elif framework is not None and (framework.first_year, framework.last_year) != (
        first_year,
        last_year,
    ):
        problems.append(
            _("Bộ chỉ số %(code)s đã có và áp dụng từ năm %(first)s đến năm %(last)s.")
            % {"code": code, "first": framework.first_year, "last": framework.last_year or "…"}
        )
    overlapping = (
        Framework.objects.filter(unit_type=unit_type)
        .overlapping(first_year, last_year)
        .exclude(code=code)
    )
    problems.extend(
        _("Trong các năm này đã có bộ chỉ số %(other)s cho %(type)s (từ năm %(first)s).")
        % {
            "other": other.code,
            "type": other.get_unit_type_display(),
            "first": other.first_year,
        }
        for other in overlapping
    )
    if framework is not None:
        codes = {row.code for row in sheet.rows}
        missing = sorted(
            (c for c in framework.criteria.values_list("code", flat=True) if c not in codes),
            key=_sort_key,
        )
        if missing:
            problems.append(
                _(
                    "Tệp thiếu các tiêu chí đã có của bộ chỉ số %(framework)s: %(codes)s. Nhập "
                    "tệp không xóa tiêu chí; hãy bổ sung vào tệp (hoặc xóa tiêu chí trong trang "
                    "quản trị trước)."
                )
                % {"framework": code, "codes": ", ".join(missing)}
            )
    return problems


@transaction.atomic
def import_unit_framework(
    *,
    sheet: UnitSheet,
    code: str,
    name: str,
    unit_type: str,
    first_year: int,
    last_year: int | None = None,
    dry_run: bool = False,
) -> UnitFrameworkReport:
    """Create the unit framework `code` with the tree of `sheet`, or bring the existing one
    in line with it: new criteria are added, changed ones updated, none removed (a file
    without some existing criterion is refused). Its maximum becomes the sum of the regular
    areas' maxima. Everything or nothing; with `dry_run`, only report what would change."""
    framework = Framework.objects.filter(code=code).first()
    problems = _framework_problems(
        sheet=sheet,
        framework=framework,
        code=code,
        unit_type=unit_type,
        first_year=first_year,
        last_year=last_year,
    )
    national, links, link_problems = _resolve_related(sheet, first_year)
    problems.extend(link_problems)
    if problems:
        raise AppendixError(problems)
    report = UnitFrameworkReport(
        code=code,
        is_new=framework is None,
        maximum=sheet.maximum(),
        bonus_maximum=sheet.maximum(Kind.BONUS),
        penalty_maximum=sheet.maximum(Kind.PENALTY),
        warnings=list(sheet.warnings),
        dry_run=dry_run,
    )
    if sheet.has_related and national is None and links:
        report.warnings.append(
            _(
                "Chưa có bộ chỉ số của Bộ Nội vụ áp dụng năm %(year)s: chưa ghi các tiêu chí "
                "liên quan của cột “%(column)s”; hãy nhập lại tệp sau khi có bộ chỉ số đó."
            )
            % {"year": first_year, "column": sheet.titles["related"]}
        )
    # The file is the framework's whole mapping, once its codes are resolved (or it has none).
    sync_links = sheet.has_related and (national is not None or not links)
    existing = {c.code: c for c in framework.criteria.all()} if framework else {}
    before_links = _existing_links(framework) if framework else {}
    changed: set[str] = set()
    for row in sheet.rows:
        before = existing.get(row.code)
        if before is None:
            report.created.append(row.code)
            continue
        old = row_cells(before)
        changes = [
            Change(row.code, column, show(old[column]), show(value))
            for column, value in row_cells(row).items()
            if show(old[column]) != show(value)
        ]
        if sync_links:
            old_links, new_links = before_links.get(row.code, ""), _joined(row.related)
            if old_links != new_links:
                changes.append(Change(row.code, sheet.titles["related"], old_links, new_links))
        report.changes.extend(changes)
        if any(change.column != sheet.titles.get("related") for change in changes):
            changed.add(row.code)
        if not changes:
            report.unchanged += 1
    if framework is not None and framework.max_score != report.maximum:
        report.changes.append(
            Change("", _("Điểm tối đa"), show(framework.max_score), show(report.maximum))
        )
    if dry_run:
        return report
    try:
        with transaction.atomic():
            if framework is None:
                framework = Framework.objects.create(
                    code=code,
                    name=name,
                    unit_type=unit_type,
                    first_year=first_year,
                    last_year=last_year,
                    max_score=report.maximum,
                )
            elif (framework.name, framework.max_score) != (name, report.maximum):
                framework.name, framework.max_score = name, report.maximum
                framework.save(update_fields=["name", "max_score"])
            _write(framework, [r for r in sheet.rows if r.code in changed | set(report.created)])
            if sync_links:
                _write_links(framework, links)
    except IntegrityError as error:
        raise AppendixError([_("Không lưu được bộ chỉ số: %(error)s") % {"error": error}]) from None
    return report


def _write(framework: Framework, rows: list[UnitRow]) -> None:
    """Save the given rows, parents first: a few bulk statements, history included."""
    existing = {c.code: c for c in Criterion.objects.filter(framework=framework)}
    for depth in sorted({row.depth for row in rows}):
        created, updated = [], []
        for row in (row for row in rows if row.depth == depth):
            criterion = existing.get(row.code)
            (updated if criterion else created).append(
                criterion := criterion or Criterion(framework=framework, code=row.code)
            )
            criterion.title, criterion.max_score = row.title, row.max_score
            criterion.kind, criterion.is_survey = row.kind, row.is_survey
            parent_code = criterion.parent_code
            criterion.parent = existing[parent_code] if parent_code else None
            criterion.fill_derived()
        bulk_create_with_history(created, Criterion)
        bulk_update_with_history(
            updated,
            Criterion,
            ["title", "max_score", "kind", "is_survey", "parent", "level", "sort_key"],
        )
        existing.update({criterion.code: criterion for criterion in created})


# -- The related sub-criteria of the national index -------------------------------------


def _resolve_related(
    sheet: UnitSheet, first_year: int
) -> tuple[Framework | None, dict[str, list[int]], list[str]]:
    """The national framework the column's codes name (the one that applies in the unit
    framework's first year), the national criteria's ids by unit criterion's code, and the
    problems: a code that is no sub-criterion without children of that framework."""
    named = {row.code: row.related for row in sheet.rows if row.related}
    if not sheet.has_related or not named:
        return None, {}, []
    nationals = list(Framework.objects.national().applying_in(first_year).order_by("code"))
    if len(nationals) > 1:
        return (
            None,
            named,
            [
                _(
                    "Năm %(year)s có nhiều bộ chỉ số của Bộ Nội vụ (%(codes)s): không biết mã ở "
                    "cột “%(column)s” thuộc bộ nào."
                )
                % {
                    "year": first_year,
                    "codes": ", ".join(str(national) for national in nationals),
                    "column": sheet.titles["related"],
                }
            ],
        )
    if not nationals:
        return None, named, []
    national = nationals[0]
    ids = dict(national.criteria.values_list("code", "pk"))
    parents = {code.rpartition(".")[0] for code in ids}
    problems: list[str] = []
    links: dict[str, list[int]] = {}
    for row in sheet.rows:
        for code in row.related:
            where = _("Dòng %(row)s, cột “%(column)s”") % {
                "row": row.excel_row,
                "column": sheet.titles["related"],
            }
            if code not in ids:
                problems.append(
                    _("%(where)s: không có tiêu chí %(code)s trong bộ chỉ số %(national)s.")
                    % {"where": where, "code": code, "national": national}
                )
            elif code in parents:
                problems.append(
                    _(
                        "%(where)s: tiêu chí %(code)s của bộ chỉ số %(national)s có tiêu chí "
                        "thành phần; hãy ghi mã tiêu chí thành phần (ví dụ %(code)s.1)."
                    )
                    % {"where": where, "code": code, "national": national}
                )
            else:
                links.setdefault(row.code, []).append(ids[code])
    return national, links, problems


def _existing_links(framework: Framework) -> dict[str, str]:
    """The related national codes of the framework's criteria, as the column writes them."""
    by_code: dict[str, list[str]] = {}
    rows = (
        CriterionLink.objects.filter(unit_criterion__framework=framework)
        .order_by("pk")
        .values_list("unit_criterion__code", "national_criterion__code")
    )
    for unit_code, national_code in rows:
        by_code.setdefault(unit_code, []).append(national_code)
    return {code: _joined(codes) for code, codes in by_code.items()}


def _joined(codes: list[str]) -> str:
    """Codes as the column writes them, in the tree's order: "3.4.1; 5.2"."""
    return "; ".join(sorted(codes, key=code_sort_key))


def _write_links(framework: Framework, links: dict[str, list[int]]) -> None:
    """Make the framework's links those of the file: add the new, remove the others (one
    by one, so that the history records each removal)."""
    ids = dict(framework.criteria.values_list("code", "pk"))
    wanted = {(ids[code], national) for code, nationals in links.items() for national in nationals}
    current = {
        (link.unit_criterion_id, link.national_criterion_id): link
        for link in CriterionLink.objects.filter(unit_criterion__framework=framework)
    }
    for key, link in current.items():
        if key not in wanted:
            link.delete()
    bulk_create_with_history(
        [
            CriterionLink(unit_criterion_id=unit, national_criterion_id=national)
            for unit, national in sorted(wanted - current.keys())
        ],
        CriterionLink,
    )
