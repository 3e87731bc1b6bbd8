"""The ministry's national PAR Index table of a year: province names resolved to the
registry, the table read from an .xlsx as the ministry's report lays it out, and written
whole or not at all.

The report's table comes with title lines above it, a two-row header ("Chỉ số CCHC" merged
over "Tổng điểm" and "Chỉ số (%)"), province names in capitals, with or without "tỉnh" /
"thành phố", decimal commas, ranks shared by equal totals, sometimes "NHÓM A" lines
between the rows. Columns are found by their titles in any order.
"""

import re
import unicodedata
from dataclasses import dataclass, field
from decimal import Decimal
from typing import IO, Any

from django.db import transaction
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from criteria.importers import (
    MAX_COLUMNS,
    AppendixError,
    normalise,
    one_tone_placement,
    open_checked_workbook,
    parse_number,
)
from criteria.models import NationalGroup, NationalResult, NationalTable, Province
from criteria.ranking import competition_ranks

_PUNCTUATION = re.compile(r"[-\u2010-\u2015\u2212.,()*]+")
_PREFIXES = ("thành phố ", "tỉnh ", "tp ", "thanh pho ", "tinh ")


def province_key(text: str) -> str:
    """How a province's name is compared: one tone placement, no case, no "tỉnh" or
    "thành phố" in front, dashes and dots as spaces ("Bà Rịa – Vũng Tàu", "TP. HCM")."""
    text = one_tone_placement(str(text)).casefold()
    text = " ".join(_PUNCTUATION.sub(" ", text).split())
    for prefix in _PREFIXES:
        if text.startswith(prefix):
            return text[len(prefix) :]
    return text


def ascii_key(text: str) -> str:
    """The key without diacritics, for names typed without them ("TIEN GIANG")."""
    key = province_key(text).replace("đ", "d")
    key = "".join(c for c in unicodedata.normalize("NFD", key) if not unicodedata.combining(c))
    return province_key(key)


class ProvinceNames:
    """Resolves a province's name as any table spells it; built from one query."""

    def __init__(self, provinces: list[Province]) -> None:
        self.by_key: dict[str, Province] = {}
        folded: dict[str, set[Province]] = {}
        for province in provinces:
            for spelling in province.spellings:
                self.by_key[province_key(spelling)] = province
                folded.setdefault(ascii_key(spelling), set()).add(province)
        # A name without diacritics resolves only where it cannot mean two provinces.
        self.by_ascii = {key: next(iter(p)) for key, p in folded.items() if len(p) == 1}

    @classmethod
    def load(cls) -> "ProvinceNames":
        return cls(list(Province.objects.all()))

    def resolve(self, text: str) -> Province | None:
        return self.by_key.get(province_key(text)) or self.by_ascii.get(ascii_key(text))


# -- Reading the table -------------------------------------------------------------------

HEADER_SEARCH_ROWS = 30
PROVINCE_TITLES = ("tỉnh", "địa phương", "đơn vị")
GROUP_LINE = re.compile(r"^nhóm\s+([a-z])\b", re.IGNORECASE)
SUMMARY_LINES = ("trung bình", "bình quân", "tổng", "cả nước", "giá trị")
RANK = re.compile(r"^\s*(\d{1,3})\b")
MAX_INDEX = Decimal(100)
# 63 provinces with title, group, note and signature lines: a few hundred rows at most.
MAX_ROWS = 1000


@dataclass
class NationalRow:
    excel_row: int
    province: Province
    total: Decimal
    index_percent: Decimal | None = None
    appraised_score: Decimal | None = None
    survey_score: Decimal | None = None
    rank: int | None = None
    group: str = ""
    sipas_percent: Decimal | None = None
    sipas_rank: int | None = None

    @property
    def index(self) -> Decimal:
        return self.index_percent if self.index_percent is not None else self.total


FIELDS = [
    "total",
    "index_percent",
    "appraised_score",
    "survey_score",
    "rank",
    "group",
    "sipas_percent",
    "sipas_rank",
]


@dataclass
class NationalSheet:
    rows: list[NationalRow]
    titles: dict[str, str]
    warnings: list[str] = field(default_factory=list)


def _column_key(title: str) -> str | None:
    """Which field a (combined) column title holds; the order of the tests matters."""
    if not title or title in {"stt", "tt", "số tt"}:
        return None
    if "sipas" in title or "hài lòng" in title:
        return "sipas_rank" if "hạng" in title else "sipas_percent"
    if "hạng" in title:
        return "rank"
    if title.startswith("nhóm") or title.endswith("nhóm"):
        return "group"
    if "thẩm định" in title:
        return "appraised_score"
    if "điều tra" in title or "tác động" in title:
        return "survey_score"
    if "%" in title:
        return "index_percent"
    if "tổng điểm" in title or title.endswith("điểm") or "điểm đạt" in title:
        return "total"
    if title.startswith("chỉ số") or title.endswith("chỉ số"):
        return "index_percent"
    if any(word in title for word in PROVINCE_TITLES):
        return "province"
    return None


def _titles(top: list[Any], sub: list[Any] | None) -> list[str]:
    """Titles of a one- or two-row header: a merged title carries rightwards over the cells
    below it, and a cell merged down keeps its own title."""
    titles, group = [], ""
    for index, cell in enumerate(top):
        own = normalise(cell)
        below = normalise(sub[index]) if sub and index < len(sub) else ""
        if own:
            group = own if below else ""
        elif below:
            own = group
        titles.append(f"{own} {below}".strip() if below and below != own else own)
    return titles


def _is_number(value: Any) -> bool:
    if isinstance(value, bool):
        return False
    if isinstance(value, int | float | Decimal):
        return True
    return isinstance(value, str) and bool(re.match(r"^\s*\d+([.,]\d+)?\s*%?\s*$", value))


def _find_header(rows: list[list[Any]]) -> tuple[int, int, dict[str, int], dict[str, str]] | None:
    """(header row, first data row, column of each field, shown title of each field)."""
    for number, row in enumerate(rows[:HEADER_SEARCH_ROWS]):
        cells = [normalise(cell) for cell in row]
        if not any(_column_key(cell) == "province" for cell in cells):
            continue
        sub = rows[number + 1] if number + 1 < len(rows) else []
        is_two_rows = any(normalise(c) for c in sub) and not any(_is_number(c) for c in sub)
        titles = _titles(row, sub if is_two_rows else None)
        indexes: dict[str, int] = {}
        for index, title in enumerate(titles):
            key = _column_key(title)
            if key:
                indexes.setdefault(key, index)
        if "total" not in indexes and "index_percent" not in indexes:
            continue
        shown: dict[str, str] = {}
        for key, index in indexes.items():
            parts = [row[index], sub[index] if is_two_rows and index < len(sub) else None]
            shown[key] = (
                " – ".join(" ".join(str(p).split()) for p in parts if p not in (None, ""))
                or titles[index]
            )
        return number, number + (2 if is_two_rows else 1), indexes, shown
    return None


def read_national_table(stream: IO[bytes] | bytes, *, names: ProvinceNames) -> NationalSheet:
    """Read and check a national table; raise AppendixError listing every problem."""
    data = stream if isinstance(stream, bytes) else stream.read()
    book = open_checked_workbook(data)
    try:
        for sheet in book.worksheets:
            rows = _sheet_rows(sheet)
            header = _find_header(rows)
            if header is not None:
                return _read_rows(rows, *header, names=names)
    finally:
        book.close()
    raise AppendixError(
        [
            _(
                "Không tìm thấy bảng xếp hạng: cần một dòng tiêu đề có cột “Tỉnh, thành phố” "
                "và cột “Tổng điểm” hoặc “Chỉ số (%)”."
            )
        ]
    )


def _shown(value: Any) -> str:
    """A figure of the change report as the reader writes it: "79,68" in Vietnamese."""
    if value is None or value == "":
        return "–"
    if isinstance(value, Decimal):
        return number_format(value.normalize())
    return str(value)


def _sheet_rows(sheet) -> list[list[Any]]:
    """The sheet's rows, refused past MAX_ROWS as they are read, as the appendix's importer
    does: a file of a few hundred kilobytes may hold a hundred thousand rows. The sheet's
    stated size is not trusted, and no row is read past MAX_COLUMNS."""
    sheet.reset_dimensions()
    rows: list[list[Any]] = []
    for row in sheet.iter_rows(max_col=MAX_COLUMNS, values_only=True):
        if len(rows) >= MAX_ROWS:
            raise AppendixError(
                [
                    _(
                        "Trang tính “%(sheet)s” có hơn %(max)s dòng, quá giới hạn của một bảng "
                        "xếp hạng toàn quốc (63 tỉnh, thành phố). Hãy xóa các dòng thừa bên "
                        "dưới bảng, lưu lại rồi nhập lại."
                    )
                    % {"sheet": sheet.title, "max": number_format(MAX_ROWS, force_grouping=True)}
                ]
            )
        rows.append(list(row))
    return rows


def _cell(values: list[Any], index: int | None) -> Any:
    if index is None or index >= len(values):
        return None
    value = values[index]
    if isinstance(value, str):
        value = value.strip().removesuffix("%").strip()
        return value or None
    return value


def _read_rows(
    rows: list[list[Any]],
    header_row: int,
    first_row: int,
    indexes: dict[str, int],
    titles: dict[str, str],
    *,
    names: ProvinceNames,
) -> NationalSheet:
    problems: list[str] = []
    result: list[NationalRow] = []
    seen: dict[int, int] = {}
    heading_group = ""
    for offset, values in enumerate(rows[first_row:]):
        line = first_row + offset + 1

        def where(key: str, line: int = line) -> str:
            return _("Dòng %(row)s, cột “%(column)s”") % {"row": line, "column": titles[key]}

        name = _cell(values, indexes["province"])
        text = normalise(name)
        numbers = [
            k for k, i in indexes.items() if k != "province" and _is_number(_cell(values, i))
        ]
        if not numbers:
            match = GROUP_LINE.match(text) or GROUP_LINE.match(
                " ".join(normalise(v) for v in values if v)
            )
            if match:
                heading_group = match[1].upper()
            continue  # title, note, group heading or signature lines
        if not text or text.startswith(SUMMARY_LINES):
            continue
        province = names.resolve(str(name))
        if province is None:
            problems.append(
                _("%(where)s: không có “%(name)s” trong danh mục tỉnh, thành phố.")
                % {"where": where("province"), "name": " ".join(str(name).split())}
            )
            continue
        if province.pk in seen:
            problems.append(
                _("%(where)s: %(name)s đã có ở dòng %(other)s.")
                % {"where": where("province"), "name": province, "other": seen[province.pk]}
            )
            continue
        seen[province.pk] = line
        parsed, row_problems = _parse_cells(values, indexes, where)
        problems.extend(row_problems)
        if row_problems:
            continue
        total = parsed.get("total")
        if total is None:
            total, parsed["index_percent"] = parsed.get("index_percent"), None
        if total is None:
            key = "total" if "total" in indexes else "index_percent"
            problems.append(_("%(where)s: thiếu tổng điểm.") % {"where": where(key)})
            continue
        result.append(
            NationalRow(
                excel_row=line,
                province=province,
                **(parsed | {"total": total, "group": parsed.get("group") or heading_group}),
            )
        )
    if not result and not problems:
        problems.append(_("Bảng xếp hạng không có dòng tỉnh, thành phố nào."))
    if problems:
        raise AppendixError(problems)
    return NationalSheet(rows=result, titles=titles, warnings=_rank_warnings(result))


def _parse_cells(values: list[Any], indexes: dict[str, int], where) -> tuple[dict, list[str]]:
    parsed: dict[str, Any] = {}
    problems: list[str] = []
    for key in FIELDS:
        value = _cell(values, indexes.get(key))
        if value is None:
            continue
        if key == "group":
            parsed[key] = str(value).strip().upper().removeprefix("NHÓM").strip()[:10]
            continue
        if key in ("rank", "sipas_rank"):
            match = RANK.match(str(int(value) if isinstance(value, float) else value))
            if match is None or int(match[1]) < 1:
                problems.append(
                    _("%(where)s: “%(value)s” không phải là thứ hạng (ví dụ 12).")
                    % {"where": where(key), "value": value}
                )
            else:
                parsed[key] = int(match[1])
            continue
        try:
            number = parse_number(value)
        except ValueError as error:
            problems.append(f"{where(key)}: {error}")
            continue
        if key in ("index_percent", "sipas_percent", "total") and number > MAX_INDEX:
            problems.append(
                _("%(where)s: %(value)s lớn hơn 100.")
                % {"where": where(key), "value": number_format(number.normalize())}
            )
            continue
        parsed[key] = number
    return parsed, problems


def _rank_warnings(rows: list[NationalRow]) -> list[str]:
    """Ranks as published that differ from the ranks the totals give (ties shared)."""
    if not all(row.rank for row in rows):
        return []
    computed = competition_ranks({row.province.pk: row.index for row in rows})
    return [
        _("Dòng %(row)s: %(name)s xếp hạng %(rank)s theo bảng, nhưng theo chỉ số là %(computed)s.")
        % {
            "row": row.excel_row,
            "name": row.province,
            "rank": row.rank,
            "computed": computed[row.province.pk],
        }
        for row in rows
        if computed[row.province.pk] != row.rank
    ]


# -- Writing the table -------------------------------------------------------------------


@dataclass
class NationalReport:
    year: int
    created: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    unchanged: int = 0
    warnings: list[str] = field(default_factory=list)
    dry_run: bool = False

    def summary(self) -> str:
        return _(
            "năm %(year)s: %(new)s tỉnh mới, %(changed)s tỉnh thay đổi, %(same)s tỉnh không đổi."
        ) % {
            "year": self.year,
            "new": len(self.created),
            "changed": len(self.changed),
            "same": self.unchanged,
        }


@transaction.atomic
def import_national_table(
    *, sheet: NationalSheet, year: int, source: str = "", dry_run: bool = False
) -> NationalReport:
    """Write a year's table (rows of provinces not in the file stay as they are); with
    `dry_run`, only report what would change."""
    report = NationalReport(year=year, warnings=list(sheet.warnings), dry_run=dry_run)
    table = NationalTable.objects.filter(year=year).first()
    existing = (
        {r.province_id: r for r in NationalResult.objects.filter(table=table)} if table else {}
    )
    created, updated = [], []
    for row in sheet.rows:
        values = {name: getattr(row, name) for name in FIELDS}
        old = existing.get(row.province.pk)
        if old is None:
            report.created.append(str(row.province))
            created.append(NationalResult(province=row.province, **values))
            continue
        changes = [
            f"{sheet.titles.get(name, name)}: {_shown(getattr(old, name))} → {_shown(value)}"
            for name, value in values.items()
            if getattr(old, name) != value
            and not (getattr(old, name) in (None, "") and value in (None, ""))
        ]
        if not changes:
            report.unchanged += 1
            continue
        report.changed.append(f"{row.province} ({'; '.join(changes)})")
        for name, value in values.items():
            setattr(old, name, value)
        updated.append(old)
    if dry_run:
        return report
    if table is None:
        table = NationalTable(year=year, citation=source or _("Nhập từ tệp Excel"))
        table.save()
    elif source and source != table.citation:
        table.citation = source
        table.save()
    for result in created:
        result.table = table
    bulk_create_with_history(created, NationalResult)
    if updated:
        bulk_update_with_history(updated, NationalResult, FIELDS)
    known = set(table.groups.values_list("code", flat=True))
    new_groups = sorted({row.group for row in sheet.rows if row.group} - known)
    bulk_create_with_history(
        [NationalGroup(table=table, code=code) for code in new_groups], NationalGroup
    )
    return report
