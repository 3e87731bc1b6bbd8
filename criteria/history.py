"""The audit trail as people read it: who changed what, when, from which value to which."""

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime

from django.utils.translation import gettext_lazy as _

KINDS = {"+": _("Tạo mới"), "~": _("Sửa"), "-": _("Xóa")}


@dataclass(frozen=True)
class HistoryEntry:
    """One recorded change: when, by whom, to what, and each field's old and new value."""

    at: datetime
    user: object
    subject: str
    kind: str
    changes: list[tuple[str, object, object]]


def history_entries(records: Iterable, subject: Callable[[object], str]) -> list[HistoryEntry]:
    """Turn simple-history records (any models) into entries with their field changes."""
    by_object: dict[tuple[type, int], list] = {}
    for record in sorted(records, key=lambda r: (r.history_date, r.history_id)):
        by_object.setdefault((type(record), record.id), []).append(record)
    entries = []
    for versions in by_object.values():
        previous = None
        for record in versions:
            if previous is None:
                changes = []
            else:
                delta = record.diff_against(previous)
                changes = [
                    (record.instance_type._meta.get_field(c.field).verbose_name, c.old, c.new)
                    for c in delta.changes
                ]
            entries.append(
                HistoryEntry(
                    at=record.history_date,
                    user=record.history_user,
                    subject=subject(record),
                    kind=KINDS[record.history_type],
                    changes=changes,
                )
            )
            previous = record
    return sorted(entries, key=lambda e: e.at, reverse=True)
