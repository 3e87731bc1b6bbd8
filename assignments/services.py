"""Writes that assign the plan's work to agencies."""

from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.db import transaction
from django.forms.models import BaseInlineFormSet

from assignments.matching import AgencyRegistry, Match
from assignments.models import Agency, AgencyGroup, Responsibility, Task
from criteria.models import Action, Plan

if TYPE_CHECKING:
    from assignments.forms import TaskForm


@dataclass(frozen=True)
class UnrecognisedAction:
    """An action text in which no agency or group is recognised: a person must assign it."""

    code: str
    text: str


def find_unrecognised(
    actions: Iterable[tuple[str, str]], *, registry: AgencyRegistry
) -> list[UnrecognisedAction]:
    """The (code, text) pairs whose text names no agency, in the order given."""
    return [
        UnrecognisedAction(code, text)
        for code, text in actions
        if not registry.match(text).recognised
    ]


@transaction.atomic
def assign_from_actions(
    *, plan: Plan, registry: AgencyRegistry | None = None
) -> list[UnrecognisedAction]:
    """Read who leads and who supports each criterion from its action text.

    Every criterion with an action gets a Responsibility. One that Sở Nội vụ has edited
    keeps its agencies; only whether its text is recognised is refreshed. A responsibility
    whose action is gone is removed unless it was edited. Rows that already agree with
    the text are not written, so a second run reads and writes nothing else.
    """
    registry = registry or AgencyRegistry.load()
    actions = Action.objects.filter(plan=plan).select_related("criterion")
    existing = {
        responsibility.criterion_id: responsibility
        for responsibility in Responsibility.objects.filter(plan=plan).prefetch_related(
            "supporting", "groups"
        )
    }
    unrecognised = []
    for action in sorted(actions, key=lambda action: action.criterion.sort_key):
        match = registry.match(action.text)
        if not match.recognised:
            unrecognised.append(UnrecognisedAction(action.criterion.code, action.text))
        responsibility = existing.pop(action.criterion_id, None)
        if responsibility is None:
            responsibility = Responsibility(plan=plan, criterion=action.criterion)
        _apply(responsibility, match)

    gone = [
        responsibility.pk for responsibility in existing.values() if not responsibility.is_edited
    ]
    if gone:
        Responsibility.objects.filter(pk__in=gone).delete()
    return unrecognised


def _apply(responsibility: Responsibility, match: Match) -> None:
    """Write what the match says, and only what differs from the row."""
    if responsibility.is_edited:
        if responsibility.is_recognised != match.recognised:
            responsibility.is_recognised = match.recognised
            responsibility.save(update_fields=["is_recognised"])
        return

    is_new = responsibility.pk is None
    lead_id = match.lead.pk if match.lead else None
    if is_new or (responsibility.lead_id, responsibility.is_recognised) != (
        lead_id,
        match.recognised,
    ):
        responsibility.lead_id = lead_id
        responsibility.is_recognised = match.recognised
        responsibility.save()

    supporting = {agency.pk for agency in match.supporting}
    groups = {group.pk for group in match.groups}
    current_supporting = set() if is_new else {a.pk for a in responsibility.supporting.all()}
    current_groups = set() if is_new else {g.pk for g in responsibility.groups.all()}
    if supporting != current_supporting:
        responsibility.supporting.set(supporting)
    if groups != current_groups:
        responsibility.groups.set(groups)


@transaction.atomic
def update_responsibility(
    *,
    responsibility: Responsibility,
    lead: Agency | None,
    supporting: Iterable[Agency],
    groups: Iterable[AgencyGroup],
) -> Responsibility:
    """Sở Nội vụ's assignment of a criterion: marked edited, so later imports keep it."""
    responsibility.lead = lead
    responsibility.is_edited = True
    responsibility.save()
    responsibility.supporting.set(supporting)
    responsibility.groups.set(groups)
    return responsibility


@transaction.atomic
def save_task(*, form: "TaskForm", targets: BaseInlineFormSet) -> Task:
    """Save a task and its targets together, or neither."""
    task = form.save()
    targets.instance = task
    targets.save()
    return task
