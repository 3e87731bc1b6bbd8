"""Writing a year's scores: optimistic concurrency on each score's version."""

from dataclasses import dataclass
from decimal import Decimal

from django.contrib.auth.models import AbstractBaseUser
from django.db import IntegrityError, transaction
from django.utils import timezone

from criteria.locks import score_lock_reason
from criteria.models import Criterion, Score, StaleRowError

__all__ = ["ScoreEntry", "ScoreLockedError", "StaleRowError", "save_scores"]


class ScoreLockedError(Exception):
    """The year's scores of this kind are locked (criteria.locks: an approved
    self-assessment); nothing of this save was kept. The message says why."""


@dataclass(frozen=True)
class ScoreEntry:
    """What the grid sends for one kind of score of a row.

    `version` is the version the row showed (0: there was no score); `note` None leaves
    the stored note as it is.
    """

    value: Decimal | None
    version: int
    note: str | None = None


@transaction.atomic
def save_scores(
    *, criterion: Criterion, year: int, entries: dict[str, ScoreEntry], by: AbstractBaseUser
) -> bool:
    """Bring a criterion's scores of `year` in line with `entries` (by kind); True if any changed.

    An empty value deletes the score. A score that differs from the entry is written only
    if its version is still the one the entry carries (UPDATE ... WHERE version = n);
    otherwise StaleRowError is raised and the whole row is rolled back. An entry equal to
    what is stored is no conflict whatever its version. A change to a kind whose scores of
    the year are locked (criteria.locks) raises ScoreLockedError.
    """
    current = {score.kind: score for score in Score.objects.filter(criterion=criterion, year=year)}
    changed = False
    for kind, entry in entries.items():
        changed |= _save_one(criterion, year, kind, entry, current.get(kind), by)
    return changed


def _save_one(
    criterion: Criterion,
    year: int,
    kind: str,
    entry: ScoreEntry,
    score: Score | None,
    by: AbstractBaseUser,
) -> bool:
    if score is None:
        if entry.value is None:
            return False
        _check_unlocked(criterion, year, kind)
        if entry.version != 0:
            raise StaleRowError  # deleted since the row was loaded
        try:
            with transaction.atomic():
                Score.objects.create(
                    criterion=criterion,
                    year=year,
                    kind=kind,
                    value=entry.value,
                    note=entry.note or "",
                    entered_by=by,
                )
        except IntegrityError:
            raise StaleRowError from None  # created by someone else meanwhile
        return True

    note = score.note if entry.note is None else entry.note
    if entry.value == score.value and note == score.note:
        return False
    _check_unlocked(criterion, year, kind)
    if entry.version != score.version:
        raise StaleRowError
    unchanged_version = Score.objects.filter(pk=score.pk, version=entry.version)
    if entry.value is None:
        # Claiming the row by its version first makes the delete as safe as an update.
        if not unchanged_version.update():
            raise StaleRowError
        score.delete()
        return True
    entered_at = timezone.now()
    # The update raises the version (ScoreQuerySet.update).
    claimed = unchanged_version.update(
        value=entry.value, note=note, entered_by=by, entered_at=entered_at
    )
    if not claimed:
        raise StaleRowError
    score.value, score.note, score.entered_by, score.entered_at = entry.value, note, by, entered_at
    score.version = entry.version + 1
    # A queryset update sends no signal: record the change in the history ourselves.
    Score.history.bulk_history_create([score], update=True, default_user=by)
    return True


def _check_unlocked(criterion: Criterion, year: int, kind: str) -> None:
    reason = score_lock_reason(framework_id=criterion.framework_id, year=year, kind=kind)
    if reason:
        raise ScoreLockedError(reason)
