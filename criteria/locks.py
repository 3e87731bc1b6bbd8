"""Years whose scores of a kind are locked by a room above criteria.

An approved self-assessment (assessments/) locks the year's self-assessed scores, and every
path that writes them must refuse: the score grid (reports/), the Score admin (here). The
criteria room may not import the assessments room, so the room that owns a lock registers
a check here when its app is ready (assessments.apps), and the writers ask here.
"""

from collections.abc import Callable

# (framework id, year, kind of score) → the reason the scores are locked, or None.
ScoreLock = Callable[[int, int, str], str | None]

_locks: list[ScoreLock] = []


def register_score_lock(lock: ScoreLock) -> None:
    """Add a check that may lock a year's scores of a kind (once per check)."""
    if lock not in _locks:
        _locks.append(lock)


def score_lock_reason(*, framework_id: int, year: int, kind: str) -> str | None:
    """Why the framework's scores of `kind` for `year` may not change now; None if they may."""
    for lock in _locks:
        reason = lock(framework_id, year, kind)
        if reason:
            return reason
    return None
