"""The ministry's official result of a year, sub-criterion by sub-criterion, read from an
.xlsx in the appendix's layout with an official-score column and, optionally, the reason
the ministry gave for the points it took off.

The sheet is found as the appendix is (criteria.importers: the file's checks, the header
found by its titles below any title lines, blank rows, the TỔNG ĐIỂM row, signatures), and
the official scores are written as Score of kind OFFICIAL, the reason in the score's note
(the field the score grid already calls "Lý do bị trừ điểm"). Every problem is named by
its Excel row and column; any problem means nothing is written.

A parent's value, where the file states one, is kept as stated (a fact, like the appendix's
baseline column), with a warning where it differs from the sum of its children.
"""

import re
from dataclasses import dataclass, field
from decimal import Decimal
from typing import IO, Any

from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from criteria.importers import (
    SPAN_RE,
    AppendixError,
    _cell,
    _header_and_rows,
    _header_titles,
    _text,
    normalise,
    open_checked_workbook,
    parse_code,
    parse_number,
)
from criteria.layout import TOTAL_LABEL
from criteria.models import NOTE_MAX_LENGTH, Criterion, Plan, Score
from criteria.services import show

# Titles of the official-score column as offices and the results export write them.
OFFICIAL_TITLES = ("điểm chính thức", "kết quả chính thức", "thẩm định")
REASON_TITLE = re.compile(r"^lý do")


@dataclass(frozen=True)
class OfficialRow:
    """One row of the file: a criterion's official score and the ministry's reason."""

    excel_row: int
    code: str
    value: Decimal
    reason: str


@dataclass
class OfficialSheet:
    """The official scores a file states, with the titles of its columns for messages."""

    rows: list[OfficialRow]
    code_title: str
    value_title: str
    has_reason: bool
    blank_codes: list[str] = field(default_factory=list)
    stated_year: int | None = None  # the year the column's title names, if any
    header_row: int = 0

    def where(self, row: OfficialRow, column: str | None = None) -> str:
        return _("Dòng %(row)s, cột “%(column)s”") % {
            "row": row.excel_row,
            "column": column or self.value_title,
        }


@dataclass
class OfficialReport:
    """What an import of official scores did, or in a dry run would do."""

    year: int
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    # code -> (stored value, stored reason) before the import, for the preview.
    before: dict[str, tuple[Decimal | None, str]] = field(default_factory=dict)
    dry_run: bool = False

    def summary(self) -> str:
        return _(
            "Năm %(year)s: %(created)s điểm chính thức mới, %(updated)s điểm thay đổi, "
            "%(unchanged)s không đổi, %(warnings)s cảnh báo."
        ) % {
            "year": self.year,
            "created": len(self.created),
            "updated": len(self.updated),
            "unchanged": len(self.unchanged),
            "warnings": len(self.warnings),
        }


def read_official_results(stream: IO[bytes] | bytes, *, year: int | None = None) -> OfficialSheet:
    """The official scores stated by the file (of `year`, when given: a column titled with
    another year is refused); AppendixError lists every problem."""
    data = stream if isinstance(stream, bytes) else stream.read()
    book = open_checked_workbook(data)
    try:
        for sheet in book.worksheets:
            found = _header_and_rows(sheet, settings.APPENDIX_MAX_ROWS)
            if found is not None:
                columns, rows = found
                return _read_sheet(rows, columns, year)
    finally:
        book.close()
    raise AppendixError(
        [
            _(
                "Không tìm thấy bảng kết quả: cần một dòng tiêu đề có các cột “Stt”, "
                "“Điểm chuẩn” và “Điểm chính thức”."
            )
        ]
    )


def _read_sheet(rows: list[list[Any]], columns, year: int | None) -> OfficialSheet:
    header = columns.header_row
    is_two_rows = columns.first_data_row - header == 2
    top = rows[header]
    sub = rows[header + 1] if is_two_rows else None
    titles = _header_titles(top, sub)
    shown = [_text(cell) for cell in top]
    sub_shown = [_text(cell) for cell in sub] if sub else []

    def title_at(index: int) -> str:
        below = sub_shown[index] if index < len(sub_shown) else ""
        own = shown[index] if index < len(shown) else ""
        return " ".join(part for part in (own, below) if part) or own

    value_index = next(
        (i for i, title in enumerate(titles) if any(t in title for t in OFFICIAL_TITLES)), None
    )
    reason_index = next((i for i, title in enumerate(titles) if REASON_TITLE.match(title)), None)
    header_line = header + 1
    if value_index is None:
        raise AppendixError(
            [
                _(
                    "Dòng tiêu đề (dòng %(row)s) thiếu cột điểm chính thức (“Điểm chính thức”, "
                    "“Kết quả thẩm định năm …” hoặc “Bộ Nội vụ thẩm định”)."
                )
                % {"row": header_line}
            ]
        )
    value_title = title_at(value_index)
    match = SPAN_RE.search(titles[value_index])
    stated_year = int(match[1]) if match else None
    _check_year(stated_year, year, header_line, value_title)
    code_index = columns.indexes["code"]
    code_title = columns.titles["code"]
    title_index = columns.indexes.get("title")
    reason_title = title_at(reason_index) if reason_index is not None else ""
    problems: list[str] = []
    found: list[OfficialRow] = []
    blank: list[str] = []
    for offset, values in enumerate(rows[columns.first_data_row :]):
        line = columns.first_data_row + offset + 1
        raw_code = _cell(values, code_index)
        raw_title = _cell(values, title_index)
        if TOTAL_LABEL.lower() in (normalise(raw_code), normalise(raw_title)):
            break  # signature and recipient lines follow the total row
        raw_value = _cell(values, value_index)
        reason = _text(_cell(values, reason_index))
        code = parse_code(raw_code)

        def where(title: str, line: int = line) -> str:
            return _("Dòng %(row)s, cột “%(column)s”") % {"row": line, "column": title}

        if code is None:
            if raw_value is None and not reason:
                continue  # a blank, heading or note line
            problems.append(
                _("%(where)s: “%(value)s” không phải là mã tiêu chí (ví dụ 1, 2.1, 3.4.1).")
                % {"where": where(code_title), "value": raw_code if raw_code is not None else ""}
            )
            continue
        if raw_value is None:
            if reason:
                problems.append(
                    _("%(where)s: có lý do trừ điểm nhưng chưa có điểm chính thức.")
                    % {"where": where(value_title)}
                )
            else:
                blank.append(code)
            continue
        try:
            value = parse_number(raw_value)
        except ValueError as error:
            problems.append(f"{where(value_title)}: {error}")
            continue
        if len(reason) > NOTE_MAX_LENGTH:
            problems.append(
                _("%(where)s: lý do dài %(length)s ký tự, tối đa %(limit)s.")
                % {"where": where(reason_title), "length": len(reason), "limit": NOTE_MAX_LENGTH}
            )
            continue
        found.append(OfficialRow(excel_row=line, code=code, value=value, reason=reason))
    seen: dict[str, int] = {}
    for row in found:
        if row.code in seen:
            problems.append(
                _("Dòng %(row)s, cột “%(column)s”: mã “%(code)s” bị trùng với dòng %(other)s.")
                % {
                    "row": row.excel_row,
                    "column": code_title,
                    "code": row.code,
                    "other": seen[row.code],
                }
            )
        seen.setdefault(row.code, row.excel_row)
    if not found and not problems:
        problems.append(_("Bảng không có dòng nào có điểm chính thức."))
    if problems:
        raise AppendixError(problems)
    return OfficialSheet(
        rows=found,
        code_title=code_title,
        value_title=value_title,
        has_reason=reason_index is not None,
        blank_codes=blank,
        stated_year=stated_year,
        header_row=header_line,
    )


def _check_year(stated: int | None, year: int | None, row: int, column: str) -> None:
    if stated is not None and year is not None and stated != year:
        raise AppendixError(
            [
                _("Dòng %(row)s, cột “%(column)s”: là điểm năm %(file)s, không phải năm %(year)s.")
                % {"row": row, "column": column, "file": stated, "year": year}
            ]
        )


def import_official_results(
    *,
    sheet: OfficialSheet,
    plan: Plan,
    year: int,
    by: AbstractBaseUser | None = None,
    dry_run: bool = False,
) -> OfficialReport:
    """Bring the official scores of `year` in line with `sheet`, all or nothing.

    Every code must be a criterion of the plan's framework and every score within its
    maximum. A row's reason replaces the stored one when the file has a reason column;
    scores the file leaves blank or does not list are kept as they are.
    """
    _check_year(sheet.stated_year, year, sheet.header_row, sheet.value_title)
    criteria = {c.code: c for c in Criterion.objects.filter(framework=plan.framework_id)}
    problems = []
    for row in sheet.rows:
        criterion = criteria.get(row.code)
        if criterion is None:
            problems.append(
                _(
                    "%(where)s: không có tiêu chí “%(code)s” trong bộ tiêu chí "
                    "của kế hoạch %(plan)s."
                )
                % {
                    "where": sheet.where(row, sheet.code_title),
                    "code": row.code,
                    "plan": plan.number,
                }
            )
        elif row.value > criterion.max_score:
            problems.append(
                _("%(where)s: %(value)s lớn hơn điểm chuẩn %(max)s của tiêu chí %(code)s.")
                % {
                    "where": sheet.where(row),
                    "value": show(row.value),
                    "max": show(criterion.max_score),
                    "code": row.code,
                }
            )
    if problems:
        raise AppendixError(problems)
    report = OfficialReport(year=year, dry_run=dry_run)
    report.warnings.extend(_parent_warnings(sheet, criteria))
    current = {
        score.criterion_id: score
        for score in Score.objects.filter(
            criterion__framework=plan.framework_id, year=year, kind=Score.Kind.OFFICIAL
        )
    }
    self_scores = dict(
        Score.objects.filter(
            criterion__framework=plan.framework_id, year=year, kind=Score.Kind.SELF
        ).values_list("criterion_id", "value")
    )
    created, updated = [], []
    for row in sheet.rows:
        criterion = criteria[row.code]
        score = current.get(criterion.pk)
        note = row.reason if sheet.has_reason else (score.note if score else "")
        own = self_scores.get(criterion.pk)
        if own is not None and row.value < own and not note.strip():
            report.warnings.append(
                _("%(code)s: thấp hơn điểm tự đánh giá %(lost)s điểm nhưng chưa có lý do trừ điểm.")
                % {"code": row.code, "lost": show(own - row.value)}
            )
        report.before[row.code] = (score.value, score.note) if score else (None, "")
        if score is None:
            report.created.append(row.code)
            created.append(
                Score(
                    criterion=criterion,
                    year=year,
                    kind=Score.Kind.OFFICIAL,
                    value=row.value,
                    note=note,
                    entered_by=by,
                )
            )
        elif (score.value, score.note) != (row.value, note):
            report.updated.append(row.code)
            # bulk_update ends in ScoreQuerySet.update, which raises the stored version: a
            # grid page opened before the import is then refused rather than overwriting it.
            score.value, score.note, score.entered_by = row.value, note, by
            score.version += 1
            updated.append(score)
        else:
            report.unchanged.append(row.code)
    if dry_run:
        return report
    try:
        with transaction.atomic():
            bulk_create_with_history(created, Score)
            bulk_update_with_history(updated, Score, ["value", "note", "entered_by"])
    except IntegrityError as error:
        raise AppendixError(
            [_("Không lưu được điểm chính thức (%(error)s).") % {"error": error}]
        ) from None
    return report


def _parent_warnings(sheet: OfficialSheet, criteria: dict[str, Criterion]) -> list[str]:
    """Parents whose stated official score differs from the sum of their children's."""
    values = {row.code: row.value for row in sheet.rows}
    children: dict[str, list[str]] = {}
    for code in criteria:
        parent = code.rpartition(".")[0]
        if parent:
            children.setdefault(parent, []).append(code)
    warnings = []
    for row in sheet.rows:
        kids = children.get(row.code)
        if not kids or any(kid not in values for kid in kids):
            continue
        total = sum((values[kid] for kid in kids), Decimal(0))
        if total != row.value:
            warnings.append(
                _("%(code)s: ghi %(stated)s nhưng tổng các dòng con là %(sum)s; giữ số đã ghi.")
                % {"code": row.code, "stated": show(row.value), "sum": show(total)}
            )
    return warnings
