"""The audit trail as people read it: who changed what, when, from which value to which."""

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime

from django.utils.translation import gettext_lazy as _

KINDS = {"+": _("Tạo mới"), "~": _("Sửa"), "-": _("Xóa")}


@dataclass(frozen=True)
class HistoryEntry:
    """One recorded change: when, by whom, to what, each field's old and new value, and why."""

    at: datetime
    user: object
    subject: str
    kind: str
    changes: list[tuple[str, object, object]]
    note: str = ""


def history_entries(
    records: Iterable,
    subject: Callable[[object], str],
    *,
    also: Iterable[str] = (),
    note: Callable[[object, object | None], str] | None = None,
) -> list[HistoryEntry]:
    """Turn simple-history records (any models) into entries with their field changes.

    The fields shown are those a person edits, plus the non-editable ones named in `also`
    (a version counter, say). A creation lists the values it set and a deletion those it
    removed; related objects are left out there, as their ids mean nothing to a reader.
    `note(record, previous)` may add a sentence to an entry, such as the reason given.
    A save that changed nothing shown is left out.
    """
    by_object: dict[tuple[type, int], list] = {}
    for record in sorted(records, key=lambda r: (r.history_date, r.history_id)):
        by_object.setdefault((type(record), record.id), []).append(record)
    entries = []
    for versions in by_object.values():
        fields = _shown_fields(versions[0], set(also))
        previous = None
        for record in versions:
            changes = _changes(record, previous, fields)
            said = note(record, previous) if note else ""
            # A save that changed none of the fields shown is no change to a reader.
            if changes or said or previous is None or record.history_type != "~":
                entries.append(
                    HistoryEntry(
                        at=record.history_date,
                        user=record.history_user,
                        subject=subject(record),
                        kind=KINDS[record.history_type],
                        changes=changes,
                        note=said,
                    )
                )
            previous = record
    return sorted(entries, key=lambda e: e.at, reverse=True)


def _shown_fields(record, also: set[str]) -> dict:
    return {
        f.name: f
        for f in record.tracked_fields
        if not f.primary_key and (f.editable or f.name in also)
    }


def _changes(record, previous, fields: dict) -> list[tuple[str, object, object]]:
    if record.history_type == "~" and previous is None:
        return []  # the first record kept is an edit: nothing to compare it with
    changes = []
    for field in fields.values():
        value = getattr(record, field.attname)
        if record.history_type == "~":
            old, new = getattr(previous, field.attname), value
            if old == new:
                continue
        elif field.is_relation or value in (None, ""):
            continue
        else:
            old, new = (None, value) if record.history_type == "+" else (value, None)
        changes.append((field.verbose_name, _shown(field, old), _shown(field, new)))
    return changes


def _shown(field, value: object) -> object:
    """A choice's label rather than its stored code."""
    if value is None or not field.choices:
        return value
    return dict(field.flatchoices).get(value, value)
