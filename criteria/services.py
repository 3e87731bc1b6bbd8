"""Writes to the criteria tree and a plan that touch several models at once."""

from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from criteria.importers import AppendixError
from criteria.layout import AppendixRow, AppendixTable, YearSpan
from criteria.models import Action, Criterion, IndexResult, Plan, Score, Target

if TYPE_CHECKING:
    from django.contrib.auth.base_user import AbstractBaseUser

    from assignments.owners import UnrecognisedAction

EMPTY = "∅"


@dataclass(frozen=True)
class Change:
    """One cell of the appendix that differs from what the database holds."""

    code: str
    column: str
    old: str
    new: str

    def __str__(self) -> str:
        return f"{self.code or _('TỔNG ĐIỂM')} · {self.column}: {self.old} → {self.new}"


@dataclass
class ImportReport:
    """What an import did (or, in a dry run, would do)."""

    created: list[str] = field(default_factory=list)
    changes: list[Change] = field(default_factory=list)
    unchanged: int = 0
    warnings: list[str] = field(default_factory=list)
    dry_run: bool = False

    @property
    def updated(self) -> list[str]:
        return sorted({c.code for c in self.changes if c.code not in self.created})

    @property
    def changed_maximums(self) -> list[Change]:
        """Criteria whose maximum score the file changes: the national framework's own,
        shared by every plan and year scored against it. (The total's maximum is the
        framework's, taken from the file when its first criteria are imported.)"""
        column = _("Điểm chuẩn")
        return [
            c for c in self.changes if c.column == column and c.code and c.code not in self.created
        ]

    @property
    def has_changes(self) -> bool:
        return bool(self.created or self.changes)

    def summary(self) -> str:
        return _(
            "%(created)s tiêu chí mới, %(updated)s dòng thay đổi (%(cells)s ô), "
            "%(unchanged)s dòng không đổi, %(warnings)s cảnh báo."
        ) % {
            "created": len(self.created),
            "updated": len(self.updated),
            "cells": len([c for c in self.changes if c.code not in self.created]),
            "unchanged": self.unchanged,
            "warnings": len(self.warnings),
        }


def show(value: object) -> str:
    """A cell's value as the report prints it: numbers without trailing zeros in the active
    language ("0,5" in Vietnamese), ranges "a - b"."""
    if value is None or value == "":
        return EMPTY
    if isinstance(value, tuple):
        low, high = value
        return show(low) if low == high else f"{show(low)} - {show(high)}"
    if isinstance(value, Decimal):
        return number_format(value.normalize())
    if isinstance(value, bool):
        return _("có") if value else _("không")
    return str(value)


def row_cells(row: AppendixRow, table: AppendixTable) -> dict[str, object]:
    cells: dict[str, object] = {
        _("Nội dung"): row.title,
        _("Điểm chuẩn"): row.max_score,
        _("Điểm đạt được năm %(year)s") % {"year": table.baseline_year}: row.baseline,
    }
    for span in table.target_spans:
        cells[_("Mục tiêu năm %(years)s") % {"years": span.label}] = row.targets.get(span)
    if not row.is_total:
        cells[_("Thực hiện")] = row.action
    return cells


def _check_years(table: AppendixTable, plan: Plan) -> None:
    problems = []
    if table.baseline_year != plan.baseline_year:
        problems.append(
            _("Tệp có cột điểm năm %(file)s nhưng năm gốc của kế hoạch %(plan)s là %(year)s.")
            % {"file": table.baseline_year, "plan": plan.number, "year": plan.baseline_year}
        )
    for span in table.target_spans:
        if span.first < plan.first_year or span.last > plan.last_year:
            problems.append(
                _("Cột “Mục tiêu năm %(years)s” nằm ngoài thời kỳ %(first)s–%(last)s của kế hoạch.")
                % {"years": span.label, "first": plan.first_year, "last": plan.last_year}
            )
    if problems:
        raise AppendixError(problems)


def compare_tables(old: AppendixTable, new: AppendixTable) -> ImportReport:
    """The cells of `new` that differ from `old`, row by row, matched by code."""
    report = ImportReport()
    current = {(row.code, row.is_total): row for row in old.rows}
    for row in new.rows:
        before = current.get((row.code, row.is_total))
        if before is None and not row.is_total:
            report.created.append(row.code)
            continue
        old_cells = row_cells(before, new) if before else {}
        changes = [
            Change(row.code, column, show(old_cells.get(column)), show(value))
            for column, value in row_cells(row, new).items()
            if show(old_cells.get(column)) != show(value)
        ]
        report.changes.extend(changes)
        if not changes:
            report.unchanged += 1
    codes = {row.code for row in new.criteria_rows}
    for row in old.criteria_rows:
        if row.code not in codes:
            report.warnings.append(
                _("Tiêu chí %(code)s có trong cổng nhưng không có trong tệp; không bị xóa.")
                % {"code": row.code}
            )
    return report


def import_appendix(
    *,
    table: AppendixTable,
    plan: Plan,
    dry_run: bool = False,
    accept_max_changes: bool = True,
) -> ImportReport:
    """Bring a plan's criteria, 2017 scores, targets and actions in line with `table`.

    Everything or nothing: any failure rolls the whole import back. Values the file
    states are kept as stated; where a parent differs from the sum of its children a
    warning says so. Without `accept_max_changes`, a file that changes a maximum score
    is refused.
    """
    # assignments imports the criteria models: importing it here keeps the imports acyclic.
    from assignments.matching import AgencyRegistry
    from assignments.owners import assign_from_actions, find_unrecognised
    from criteria.consistency import find_mismatches

    _check_years(table, plan)
    report = compare_tables(AppendixTable.from_plan(plan), table)
    report.dry_run = dry_run
    report.warnings.extend(
        _("%(code)s · %(column)s: ghi %(stated)s nhưng tổng các dòng con là %(sum)s.")
        % {
            "code": mismatch.label,
            "column": mismatch.column,
            "stated": show(mismatch.stated),
            "sum": show(mismatch.children_sum),
        }
        for mismatch in find_mismatches(table)
    )
    if dry_run:
        actions = [(row.code, row.action) for row in table.criteria_rows if row.action]
        unrecognised = find_unrecognised(actions, registry=AgencyRegistry.load())
        report.warnings.extend(_unrecognised_warnings(unrecognised))
        return report
    if report.changed_maximums and not accept_max_changes:
        raise MaxChangesUnconfirmed(report.changed_maximums)
    try:
        with transaction.atomic():
            if report.has_changes:
                _write(table, plan, {c.code for c in report.changes} | set(report.created))
            # An unchanged file is assigned again too: the agencies may have changed.
            report.warnings.extend(_unrecognised_warnings(assign_from_actions(plan=plan)))
    except IntegrityError as error:
        raise AppendixError(
            [
                _("Không lưu được phụ lục: dữ liệu mâu thuẫn với điểm đã có (%(error)s).")
                % {"error": error}
            ]
        ) from None
    return report


class MaxChangesUnconfirmed(AppendixError):
    """The file changes maximum scores and no one confirmed it: nothing was written."""

    def __init__(self, changes: list[Change]) -> None:
        super().__init__([unconfirmed_max_changes(changes)])
        self.changes = changes


def unconfirmed_max_changes(changed: list[Change]) -> str:
    """Why a file that changes maximum scores is not imported without a confirmation."""
    return ngettext(
        "Tệp thay đổi điểm chuẩn của %(count)s tiêu chí (%(changes)s) nên chưa được nhập: "
        "hãy đánh dấu ô xác nhận thay đổi điểm chuẩn rồi bấm “Xác nhận nhập”.",
        "Tệp thay đổi điểm chuẩn của %(count)s tiêu chí (%(changes)s) nên chưa được nhập: "
        "hãy đánh dấu ô xác nhận thay đổi điểm chuẩn rồi bấm “Xác nhận nhập”.",
        len(changed),
    ) % {
        "count": len(changed),
        "changes": "; ".join(f"{c.code or _('TỔNG ĐIỂM')}: {c.old} → {c.new}" for c in changed),
    }


def _unrecognised_warnings(unrecognised: list["UnrecognisedAction"]) -> list[str]:
    return [
        _("Không nhận ra đơn vị thực hiện ở tiêu chí %(code)s: “%(text)s”")
        % {"code": item.code, "text": " ".join(item.text.split())}
        for item in unrecognised
    ]


def _write(table: AppendixTable, plan: Plan, codes: set[str]) -> None:
    """Save the rows whose codes changed: a handful of bulk statements, history included."""
    framework = plan.framework
    existing = {c.code: c for c in Criterion.objects.filter(framework=framework)}
    rows = [row for row in table.criteria_rows if row.code in codes]
    for depth in sorted({row.depth for row in rows}):
        created, updated = [], []
        for row in (row for row in rows if row.depth == depth):
            criterion = existing.get(row.code)
            (updated if criterion else created).append(
                criterion := criterion or Criterion(framework=framework, code=row.code)
            )
            criterion.title, criterion.max_score = row.title, row.max_score
            criterion.is_survey = row.is_survey
            parent_code = criterion.parent_code
            criterion.parent = existing[parent_code] if parent_code else None
            criterion.fill_derived()
        bulk_create_with_history(created, Criterion)
        bulk_update_with_history(
            updated, Criterion, ["title", "max_score", "is_survey", "parent", "level", "sort_key"]
        )
        existing.update({criterion.code: criterion for criterion in created})
    by_id = {existing[row.code].pk: row for row in rows}
    _write_scores(by_id, plan.baseline_year)
    _write_targets(plan, {pk: row.targets for pk, row in by_id.items()})
    _write_actions(plan, by_id)
    total = table.total
    if total is not None and "" in codes:
        _write_total(total, table, plan)


def _save_all(model, created: list, updated: list, fields: list[str], deleted) -> None:
    bulk_create_with_history(created, model)
    bulk_update_with_history(updated, model, fields)
    if deleted:
        model.objects.filter(pk__in=[obj.pk for obj in deleted]).delete()


def _write_scores(rows: dict[int, AppendixRow], year: int) -> None:
    found = {
        score.criterion_id: score
        for score in Score.objects.filter(criterion__in=rows, year=year, kind=Score.Kind.OFFICIAL)
    }
    created, updated, deleted = [], [], []
    for criterion_id, row in rows.items():
        score = found.get(criterion_id)
        if row.baseline is None:
            deleted += [score] if score else []
        elif score is None:
            created.append(
                Score(
                    criterion_id=criterion_id,
                    year=year,
                    kind=Score.Kind.OFFICIAL,
                    value=row.baseline,
                    note=_("Theo phụ lục kế hoạch"),
                )
            )
        elif score.value != row.baseline:
            # bulk_update ends in ScoreQuerySet.update, which raises the stored version;
            # the history records are made from these objects, so they say so too.
            score.value, score.version = row.baseline, score.version + 1
            updated.append(score)
    _save_all(Score, created, updated, ["value"], deleted)


def _write_targets(
    plan: Plan, rows: dict[int | None, dict[YearSpan, tuple[Decimal, Decimal] | None]]
) -> None:
    """Targets of the given criteria (None: the whole index), one per year span."""
    wanted = Q(criterion__in=[pk for pk in rows if pk is not None])
    if None in rows:
        wanted |= Q(criterion__isnull=True)
    found = {
        (target.criterion_id, target.first_year): target
        for target in Target.objects.filter(wanted, plan=plan)
    }
    created, updated, deleted = [], [], []
    for criterion_id, targets in rows.items():
        for span, bounds in targets.items():
            target = found.get((criterion_id, span.first))
            if bounds is None:
                deleted += [target] if target else []
                continue
            if target is None:
                created.append(
                    Target(
                        plan=plan,
                        criterion_id=criterion_id,
                        first_year=span.first,
                        last_year=span.last,
                        min_score=bounds[0],
                        max_score=bounds[1],
                    )
                )
            elif (target.last_year, target.min_score, target.max_score) != (span.last, *bounds):
                target.last_year, (target.min_score, target.max_score) = span.last, bounds
                updated.append(target)
    _save_all(Target, created, updated, ["last_year", "min_score", "max_score"], deleted)


def _write_actions(plan: Plan, rows: dict[int, AppendixRow]) -> None:
    found = {
        action.criterion_id: action
        for action in Action.objects.filter(plan=plan, criterion__in=rows)
    }
    created, updated, deleted = [], [], []
    for criterion_id, row in rows.items():
        action = found.get(criterion_id)
        if not row.action:
            deleted += [action] if action else []
        elif action is None:
            created.append(Action(plan=plan, criterion_id=criterion_id, text=row.action))
        elif action.text != row.action:
            action.text = row.action
            updated.append(action)
    _save_all(Action, created, updated, ["text"], deleted)


def _write_total(row: AppendixRow, table: AppendixTable, plan: Plan) -> None:
    framework = plan.framework
    if row.max_score is not None and framework.max_score != row.max_score:
        framework.max_score = row.max_score
        framework.save(update_fields=["max_score"])
    if row.baseline is not None:
        result = IndexResult.objects.filter(
            province=plan.province, year=table.baseline_year
        ).first()
        if result is None:
            IndexResult.objects.create(
                province=plan.province, year=table.baseline_year, total=row.baseline
            )
        elif result.total != row.baseline:
            result.total = row.baseline
            result.save()
    _write_targets(plan, {None: row.targets})


@transaction.atomic
def set_year_final(*, plan: Plan, year: int, is_final: bool, by: "AbstractBaseUser") -> bool:
    """Declare a year's scores final (its total becomes the year's result) or open it again;
    True if that changed anything. The plan's history records who did it and when."""
    plan = Plan.objects.select_for_update().get(pk=plan.pk)
    years = set(plan.final_years)
    if (year in years) == is_final:
        return False
    years = years | {year} if is_final else years - {year}
    plan.final_years = sorted(years)
    plan._history_user = by
    plan.save(update_fields=["final_years"])
    return True
