"""Writes that assign the plan's work to agencies: the owners of each criterion, proposed
from the appendix's action texts (matching.py reads them) and confirmed by Sở Nội vụ, and
the tasks of section II, whose leads own the criteria the text leaves without a doer.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.apps import apps
from django.db import transaction
from django.db.models import Q
from django.forms.models import BaseInlineFormSet

from assignments.matching import AgencyRegistry, Match
from assignments.models import Agency, AgencyGroup, Responsibility, Task
from criteria.models import Action, Criterion, Plan

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


LINK_FIELDS = {
    # field of Responsibility: attribute of Match
    "leads": "leads",
    "lead_groups": "lead_groups",
    "supporting": "supporting",
    "groups": "groups",
}


@dataclass
class _Links:
    """The agency links a responsibility has and those its action text asks for."""

    responsibility: Responsibility
    match: Match
    current: dict[str, set[int]]


def _task_leads(plan: Plan) -> dict[str, list[Agency]]:
    """The agencies leading the section II tasks that serve each criterion, by its code."""
    serves = Task.criteria.through.objects.filter(task__content_area__plan=plan)
    tasks_of: dict[str, list[int]] = {}
    ordered = serves.order_by("task__content_area__number", "task__number")
    for code, task_id in ordered.values_list("criterion__code", "task_id"):
        tasks_of.setdefault(code, []).append(task_id)
    led = Task.lead_agencies.through.objects.filter(task__content_area__plan=plan)
    leads_of: dict[int, list[Agency]] = {}
    for link in led.select_related("agency").order_by("pk"):
        leads_of.setdefault(link.task_id, []).append(link.agency)
    return {
        code: list(dict.fromkeys(a for t in task_ids for a in leads_of.get(t, [])))
        for code, task_ids in tasks_of.items()
    }


def _served_by(code: str, task_leads: dict[str, list[Agency]]) -> list[Agency]:
    """The leads of the tasks serving a criterion, or else its nearest ancestor that has some."""
    while code:
        if task_leads.get(code):
            return task_leads[code]
        code = code.rpartition(".")[0]
    return []


@transaction.atomic
def assign_from_actions(
    *, plan: Plan, registry: AgencyRegistry | None = None
) -> list[UnrecognisedAction]:
    """Propose who leads and who supports each scored criterion of the plan.

    Every leaf of the plan's framework, and every criterion with an action, gets a
    Responsibility. Its owners are read from the action text (one lead per bullet with a
    different doer); where the text names no doer (1.2 has no text, 8.1 is scored by survey)
    they are the leads of the section II tasks that serve the criterion, marked as such.
    One that Sở Nội vụ has edited keeps its agencies; only whether its text is recognised
    is refreshed. A responsibility whose criterion has neither action nor place among the
    leaves is removed unless it was edited. Only what differs is written, in a few bulk
    statements; each responsibility created or changed, links included, gets one history
    record holding its agency links as written. A second run only reads.
    """
    registry = registry or AgencyRegistry.load()
    texts = {
        action.criterion_id: action.text
        for action in Action.objects.filter(plan=plan).only("criterion_id", "text")
    }
    # Leaves by their codes, as the appendix writes the tree: "1.2" has no "1.2.x" below it.
    framework = list(Criterion.objects.filter(framework=plan.framework_id).order_by("sort_key"))
    parents = {criterion.code.rpartition(".")[0] for criterion in framework}
    criteria = [c for c in framework if c.pk in texts or c.code not in parents]
    task_leads = _task_leads(plan)
    existing = {
        responsibility.criterion_id: responsibility
        for responsibility in Responsibility.objects.filter(plan=plan).prefetch_related(
            *LINK_FIELDS
        )
    }
    unrecognised: list[UnrecognisedAction] = []
    created: list[Responsibility] = []
    updated: list[Responsibility] = []
    links: list[_Links] = []
    for criterion in criteria:
        text = texts.get(criterion.pk, "")
        match = registry.match(text)
        basis = Responsibility.Basis.ACTION
        served_by = [] if match.has_lead else _served_by(criterion.code, task_leads)
        if served_by:
            match = Match(
                leads=served_by,
                supporting=[a for a in match.supporting if a not in served_by],
                groups=match.groups,
            )
            basis = (
                Responsibility.Basis.SURVEY if criterion.is_survey else Responsibility.Basis.TASK
            )
        if not match.recognised and criterion.pk in texts:
            unrecognised.append(UnrecognisedAction(criterion.code, text))
        responsibility = existing.pop(criterion.pk, None)
        if responsibility is None:
            responsibility = Responsibility(plan=plan, criterion=criterion)
            created.append(responsibility)
            links.append(_Links(responsibility, match, {name: set() for name in LINK_FIELDS}))
        elif not responsibility.is_edited:
            current = {
                name: {linked.pk for linked in getattr(responsibility, name).all()}
                for name in LINK_FIELDS
            }
            links.append(_Links(responsibility, match, current))
        if responsibility.is_edited:
            basis = responsibility.basis
        wanted = (basis, match.recognised)
        if responsibility.pk and (responsibility.basis, responsibility.is_recognised) != wanted:
            updated.append(responsibility)
        responsibility.basis, responsibility.is_recognised = wanted

    # Written first, their history last: the history records must hold the links.
    Responsibility.objects.bulk_create(created)
    Responsibility.objects.bulk_update(updated, ["basis", "is_recognised"])
    relinked: set[int] = set()
    for name, attribute in LINK_FIELDS.items():
        relinked |= _write_links(
            name,
            {
                link.responsibility.pk: (
                    link.current[name],
                    {owner.pk for owner in getattr(link.match, attribute)},
                )
                for link in links
            },
        )
    new = {responsibility.pk for responsibility in created}
    changed = {responsibility.pk: responsibility for responsibility in updated} | {
        link.responsibility.pk: link.responsibility
        for link in links
        if link.responsibility.pk in relinked - new
    }
    _record_history(created, update=False)
    _record_history(list(changed.values()), update=True)
    gone = [
        responsibility.pk for responsibility in existing.values() if not responsibility.is_edited
    ]
    if gone:
        Responsibility.objects.filter(pk__in=gone).delete()
    return unrecognised


def _write_links(field: str, links: dict[int, tuple[set[int], set[int]]]) -> set[int]:
    """Bring one many-to-many field of responsibilities from the ids they have to those
    wanted: one delete and one insert at most. `links` maps a responsibility's pk to
    (current ids, wanted ids). Returns the pks of the responsibilities changed."""
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
    return {pk for pk, (current, wanted) in links.items() if current != wanted}


def _record_history(responsibilities: list[Responsibility], *, update: bool) -> None:
    """One history record for each responsibility, with its agency links as they now are,
    as simple-history records a single save: in bulk, a few statements in all."""
    if not responsibilities:
        return
    records = Responsibility.history.bulk_history_create(responsibilities, update=update)
    record_of = {record.id: record for record in records}
    for name in LINK_FIELDS:
        through = Responsibility._meta.get_field(name).remote_field.through
        snapshot = apps.get_model("assignments", f"HistoricalResponsibility_{name}")
        rows = through.objects.filter(responsibility__in=record_of).values()
        snapshot.objects.bulk_create(
            snapshot(history=record_of[row["responsibility_id"]], **row) for row in rows
        )


def leaves_without_confirmed_owner(plan: Plan) -> list[tuple[Criterion, Responsibility | None]]:
    """The plan's scored sub-criteria (leaves, by code) whose owners Sở Nội vụ has not
    confirmed, with their proposed responsibility if any; two queries."""
    framework = list(Criterion.objects.filter(framework=plan.framework_id).order_by("sort_key"))
    parents = {criterion.code.rpartition(".")[0] for criterion in framework}
    responsibilities = {
        responsibility.criterion_id: responsibility
        for responsibility in Responsibility.objects.filter(plan=plan)
    }
    return [
        (criterion, responsibilities.get(criterion.pk))
        for criterion in framework
        if criterion.code not in parents
        and not getattr(responsibilities.get(criterion.pk), "is_confirmed", False)
    ]


@transaction.atomic
def update_responsibility(
    *,
    responsibility: Responsibility,
    leads: Iterable[Agency],
    lead_groups: Iterable[AgencyGroup] = (),
    supporting: Iterable[Agency],
    groups: Iterable[AgencyGroup],
) -> Responsibility:
    """Sở Nội vụ's owners of a criterion: confirmed, and kept by later imports."""
    responsibility.is_edited = True
    responsibility.is_confirmed = True
    responsibility.save()
    responsibility.leads.set(leads)
    responsibility.lead_groups.set(lead_groups)
    responsibility.supporting.set(supporting)
    responsibility.groups.set(groups)
    return responsibility


@transaction.atomic
def save_task(*, form: "TaskForm", targets: BaseInlineFormSet) -> Task:
    """Save a task and its targets together, or neither; then propose again the owners of
    the sub-criteria whose text names none (they come from the tasks that serve them)."""
    task = form.save()
    targets.instance = task
    targets.save()
    assign_from_actions(plan=task.content_area.plan)
    return task
