"""Writes that assign the plan's work to agencies."""

from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.db import transaction
from django.db.models import Q
from django.forms.models import BaseInlineFormSet
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

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


@dataclass
class _Links:
    """The agency links a responsibility has and those its action text asks for."""

    responsibility: Responsibility
    match: Match
    supporting: set[int]
    groups: set[int]


@transaction.atomic
def assign_from_actions(
    *, plan: Plan, registry: AgencyRegistry | None = None
) -> list[UnrecognisedAction]:
    """Read who leads and who supports each criterion from its action text.

    Every criterion with an action gets a Responsibility. One that Sở Nội vụ has edited
    keeps its agencies; only whether its text is recognised is refreshed. A responsibility
    whose action is gone is removed unless it was edited. Only what differs from the texts
    is written, in a few bulk statements, with a history record for each row written (the
    agency links written here have none); a second run only reads.
    """
    registry = registry or AgencyRegistry.load()
    actions = (
        Action.objects.filter(plan=plan).select_related("criterion").order_by("criterion__sort_key")
    )
    existing = {
        responsibility.criterion_id: responsibility
        for responsibility in Responsibility.objects.filter(plan=plan).prefetch_related(
            "supporting", "groups"
        )
    }
    unrecognised: list[UnrecognisedAction] = []
    created: list[Responsibility] = []
    updated: list[Responsibility] = []
    links: list[_Links] = []
    for action in actions:
        match = registry.match(action.text)
        if not match.recognised:
            unrecognised.append(UnrecognisedAction(action.criterion.code, action.text))
        responsibility = existing.pop(action.criterion_id, None)
        if responsibility is None:
            responsibility = Responsibility(plan=plan, criterion=action.criterion)
            created.append(responsibility)
            links.append(_Links(responsibility, match, set(), set()))
        elif not responsibility.is_edited:
            links.append(
                _Links(
                    responsibility,
                    match,
                    {agency.pk for agency in responsibility.supporting.all()},
                    {group.pk for group in responsibility.groups.all()},
                )
            )
        if responsibility.is_edited:
            lead_id = responsibility.lead_id
        else:
            lead_id = match.lead.pk if match.lead else None
        wanted = (lead_id, match.recognised)
        if responsibility.pk and (responsibility.lead_id, responsibility.is_recognised) != wanted:
            updated.append(responsibility)
        responsibility.lead_id, responsibility.is_recognised = lead_id, match.recognised

    bulk_create_with_history(created, Responsibility)
    bulk_update_with_history(updated, Responsibility, ["lead", "is_recognised"])
    _write_links(
        "supporting",
        {
            link.responsibility.pk: (link.supporting, {a.pk for a in link.match.supporting})
            for link in links
        },
    )
    _write_links(
        "groups",
        {
            link.responsibility.pk: (link.groups, {g.pk for g in link.match.groups})
            for link in links
        },
    )
    gone = [
        responsibility.pk for responsibility in existing.values() if not responsibility.is_edited
    ]
    if gone:
        Responsibility.objects.filter(pk__in=gone).delete()
    return unrecognised


def _write_links(field: str, links: dict[int, tuple[set[int], set[int]]]) -> None:
    """Bring one many-to-many field of responsibilities from the ids they have to those
    wanted: one delete and one insert at most. `links` maps a responsibility's pk to
    (current ids, wanted ids)."""
    relation = Responsibility._meta.get_field(field)
    through = relation.remote_field.through
    target = relation.m2m_reverse_field_name()  # "agency" or "agencygroup"
    removed = Q()
    added = []
    for pk, (current, wanted) in links.items():
        if current - wanted:
            removed |= Q(responsibility_id=pk, **{f"{target}_id__in": current - wanted})
        added += [
            through(responsibility_id=pk, **{f"{target}_id": id_}) for id_ in wanted - current
        ]
    if removed:
        through.objects.filter(removed).delete()
    through.objects.bulk_create(added)


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
