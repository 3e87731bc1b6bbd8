"""Who acts on each criterion: read from the action texts on import, kept when edited by hand."""

import dataclasses
import io

import pytest
from django.core.management import call_command

from assignments.matching import AgencyRegistry
from assignments.models import Agency, AgencyGroup, Responsibility
from assignments.owners import UnrecognisedAction, assign_from_actions
from criteria.importers import read_appendix
from criteria.models import Action, Plan
from criteria.services import import_appendix
from tests.assignments.conftest import FIXTURES, SEED_PLAN_NUMBER, seed_appendix

pytestmark = pytest.mark.django_db

UNRECOGNISED_8_1 = "Không nhận ra đơn vị thực hiện ở tiêu chí 8.1: “Điều tra XHH”"


def lead_of(plan: Plan, code: str) -> str | None:
    """The short names of the lead agencies, "; " between them, or None."""
    responsibility = Responsibility.objects.get(plan=plan, criterion__code=code)
    return "; ".join(responsibility.leads.values_list("short_name", flat=True)) or None


def leads_of(plan: Plan, code: str) -> set[str]:
    """The leads of a criterion: agencies by short name and groups by name."""
    responsibility = Responsibility.objects.get(plan=plan, criterion__code=code)
    return {
        *responsibility.leads.values_list("short_name", flat=True),
        *responsibility.lead_groups.values_list("name", flat=True),
    }


def unassigned_seed_plan() -> Plan:
    call_command("loaddata", FIXTURES / "seed_plan.json", verbosity=0)
    return Plan.objects.select_related("framework").get(number=SEED_PLAN_NUMBER)


def test_every_leaf_and_every_action_is_assigned_and_only_1_2_and_8_1_have_no_lead(seed_plan):
    actions = set(Action.objects.filter(plan=seed_plan).values_list("criterion__code", flat=True))
    assigned = Responsibility.objects.filter(plan=seed_plan)

    assert set(assigned.values_list("criterion__code", flat=True)) == actions | {"1.2"}
    assert len(actions) == 75
    assert list(assigned.filter(is_recognised=False).values_list("criterion__code", flat=True)) == [
        "1.2",
        "8.1",
    ]
    # Without section II's tasks, nothing gives 1.2 and 8.1 a lead; every other leaf has one.
    for responsibility in assigned.exclude(criterion__code__in=["1.2", "8.1"]):
        assert leads_of(seed_plan, responsibility.criterion.code), responsibility.criterion.code
    assert not assigned.filter(is_confirmed=True).exists()


def test_each_bullets_doer_leads_and_the_others_support(seed_plan):
    modern = Responsibility.objects.get(plan=seed_plan, criterion__code="7.5")
    one_stop = Responsibility.objects.get(plan=seed_plan, criterion__code="3.4.2")

    assert leads_of(seed_plan, "7.5") == {"Sở TT&TT", "Sở KH&CN"}
    assert set(modern.supporting.values_list("name", flat=True)) == {"Văn phòng UBND tỉnh"}
    assert leads_of(seed_plan, "4.4") == {"VPUB", "Sở NV"}
    assert leads_of(seed_plan, "5.2.2") == {"Các đơn vị sự nghiệp công lập"}
    assert leads_of(seed_plan, "3.4.2") == {"UBND cấp huyện"}
    assert not one_stop.groups.exists()


def test_section_ii_tasks_give_owners_to_leaves_whose_text_names_none(seed_plan):
    call_command("loaddata", FIXTURES / "tasks_252.json", verbosity=0)

    unrecognised = assign_from_actions(plan=seed_plan)

    reporting = Responsibility.objects.get(plan=seed_plan, criterion__code="1.2")
    survey = Responsibility.objects.get(plan=seed_plan, criterion__code="8.1")
    assert unrecognised == []
    assert (leads_of(seed_plan, "1.2"), reporting.basis) == ({"Sở NV"}, "task")
    assert (leads_of(seed_plan, "8.1"), survey.basis) == ({"Sở NV", "VPUB"}, "survey")
    assert Responsibility.objects.get(criterion__code="4.4").basis == "action"


def test_import_warns_of_each_text_naming_no_agency(tien_giang):
    plan = unassigned_seed_plan()

    report = import_appendix(table=read_appendix(seed_appendix()), plan=plan)

    unrecognised = [w for w in report.warnings if w.startswith("Không nhận ra đơn vị")]
    assert unrecognised == [UNRECOGNISED_8_1]


def test_dry_run_warns_of_the_same_texts_and_assigns_nothing(tien_giang):
    plan = unassigned_seed_plan()

    report = import_appendix(table=read_appendix(seed_appendix()), plan=plan, dry_run=True)

    assert UNRECOGNISED_8_1 in report.warnings
    assert not Responsibility.objects.exists()


def test_command_prints_the_unrecognised_text(tien_giang, tmp_path):
    unassigned_seed_plan()
    path = tmp_path / "phu-luc.xlsx"
    path.write_bytes(seed_appendix())

    call_command("import_appendix", str(path), stdout=io.StringIO(), stderr=(err := io.StringIO()))

    assert f"! {UNRECOGNISED_8_1}" in err.getvalue()


def test_a_multi_line_text_is_listed_whole_and_warned_on_one_line(tien_giang):
    plan = unassigned_seed_plan()
    table = read_appendix(seed_appendix())
    text = "- Tham mưu UBND tỉnh\n- Tổ chức thực hiện"
    table.rows = [
        dataclasses.replace(row, action=text) if row.code == "1.5" else row for row in table.rows
    ]

    report = import_appendix(table=table, plan=plan)

    assert (
        "Không nhận ra đơn vị thực hiện ở tiêu chí 1.5: “- Tham mưu UBND tỉnh - Tổ chức thực hiện”"
        in report.warnings
    )
    assert assign_from_actions(plan=plan) == [
        UnrecognisedAction("1.5", text),
        UnrecognisedAction("8.1", "Điều tra XHH"),
    ]


def test_an_edited_responsibility_survives_reimport(seed_plan):
    edited = Responsibility.objects.get(plan=seed_plan, criterion__code="1.1.1")
    edited.is_edited = True
    edited.save()
    edited.leads.set([Agency.objects.get(name="Sở Tư pháp")])
    edited.groups.set([AgencyGroup.objects.get(name="UBND cấp huyện")])
    # Changed by hand but not marked edited: the text wins again.
    Responsibility.objects.get(plan=seed_plan, criterion__code="1.1.2").leads.set(
        [Agency.objects.get(name="Sở Y tế")]
    )

    import_appendix(table=read_appendix(seed_appendix()), plan=seed_plan)

    assert lead_of(seed_plan, "1.1.1") == "Sở TP"
    assert list(Responsibility.objects.get(pk=edited.pk).groups.values_list("name", flat=True)) == [
        "UBND cấp huyện"
    ]
    assert lead_of(seed_plan, "1.1.2") == "Sở NV"


def test_agencies_loaded_after_the_import_are_assigned_by_the_next_import(db):
    plan = unassigned_seed_plan()
    first = import_appendix(table=read_appendix(seed_appendix()), plan=plan)
    assert Responsibility.objects.filter(is_recognised=False).count() == 76  # 1.2 has no text
    assert len([w for w in first.warnings if w.startswith("Không nhận ra")]) == 75

    call_command("loaddata", FIXTURES / "agencies.json", verbosity=0)
    second = import_appendix(table=read_appendix(seed_appendix()), plan=plan)

    assert not second.has_changes
    assert Responsibility.objects.filter(is_recognised=False).count() == 2  # 1.2, 8.1
    assert lead_of(plan, "2.2") == "Sở TP"


def test_a_removed_action_leaves_its_leaf_without_a_lead_unless_edited(seed_plan):
    Responsibility.objects.filter(plan=seed_plan, criterion__code="2.3").update(is_edited=True)
    Action.objects.filter(plan=seed_plan, criterion__code__in=["2.2", "2.3"]).delete()

    assign_from_actions(plan=seed_plan)

    remaining = Responsibility.objects.filter(plan=seed_plan, criterion__code__startswith="2.")
    assert set(remaining.values_list("criterion__code", flat=True)) == {
        "2.1.1",
        "2.1.2",
        "2.2",
        "2.3",
        "2.4",
    }
    assert leads_of(seed_plan, "2.2") == set()
    assert not remaining.get(criterion__code="2.2").is_recognised
    assert leads_of(seed_plan, "2.3") == {"Sở TP"}


def test_a_responsibility_of_a_criterion_neither_leaf_nor_acted_on_is_removed(seed_plan):
    area = Responsibility.objects.create(
        plan=seed_plan, criterion=Action.objects.get(criterion__code="2.2").criterion.parent
    )

    assign_from_actions(plan=seed_plan)

    assert not Responsibility.objects.filter(pk=area.pk).exists()


def test_a_second_run_only_reads(seed_plan, django_assert_num_queries):
    registry = AgencyRegistry.load()
    before = list(Responsibility.history.values_list("history_id", flat=True))

    # savepoint, actions, criteria (leaves and those with actions), tasks' criteria, tasks'
    # leads, responsibilities, their leads, lead groups, supporting agencies, groups,
    # release savepoint
    with django_assert_num_queries(11):
        unrecognised = assign_from_actions(plan=seed_plan, registry=registry)

    assert unrecognised == [UnrecognisedAction("8.1", "Điều tra XHH")]
    assert list(Responsibility.history.values_list("history_id", flat=True)) == before


def test_the_registry_is_read_in_a_constant_number_of_queries(seed_plan, django_assert_num_queries):
    # savepoint, agencies, their aliases, groups, their aliases, their agencies, actions,
    # criteria, tasks' criteria, tasks' leads, responsibilities, their leads, lead groups,
    # supporting agencies, groups, release savepoint
    with django_assert_num_queries(16):
        assign_from_actions(plan=seed_plan)


def test_the_first_assignment_writes_in_bulk(seed_plan, django_assert_num_queries):
    Responsibility.objects.all().delete()
    registry = AgencyRegistry.load()
    matches = [registry.match(action.text) for action in Action.objects.filter(plan=seed_plan)]

    # savepoint, actions, criteria, tasks' criteria, tasks' leads, responsibilities (none
    # yet), insert of the 76 responsibilities, inserts of the leads', lead groups',
    # supporting agencies' and groups' links, insert of their history, then for each of the
    # four links: the links written, insert of their copy in the history; release savepoint
    with django_assert_num_queries(21):
        assign_from_actions(plan=seed_plan, registry=registry)

    assert len(matches) == 75
    assert Responsibility.objects.count() == 76  # and 1.2, which has no text
    assert Responsibility.history.filter(history_type="+").count() == 2 * 76  # import, now
    assert Responsibility.leads.through.objects.count() == sum(
        len(match.leads) for match in matches
    )
    assert Responsibility.supporting.through.objects.count() == sum(
        len(match.supporting) for match in matches
    )
    assert Responsibility.groups.through.objects.count() == sum(
        len(match.groups) for match in matches
    )
    assert Responsibility.groups.through.objects.exists()
    # Each new responsibility's history record holds its links as written, e.g. 7.5's.
    record = Responsibility.history.filter(history_type="+", criterion__code="7.5").latest(
        "history_id"
    )
    assert {row.agency.short_name for row in record.supporting.all()} == {"VPUB"}
    assert {row.agency.short_name for row in record.leads.all()} == {"Sở TT&TT", "Sở KH&CN"}
    assert {row.agency_id for row in record.supporting.all()} == set(
        record.instance.supporting.values_list("pk", flat=True)
    )


def test_a_changed_text_changes_lead_and_links(seed_plan):
    responsibility = Responsibility.objects.get(plan=seed_plan, criterion__code="7.5")
    assert set(responsibility.supporting.values_list("short_name", flat=True)) == {"VPUB"}
    Action.objects.filter(plan=seed_plan, criterion__code="7.5").update(
        text="Văn phòng UBND tỉnh và Sở Thông tin và Truyền thông cùng UBND cấp huyện thực hiện"
    )

    assign_from_actions(plan=seed_plan)

    responsibility.refresh_from_db()
    assert list(responsibility.leads.values_list("short_name", flat=True)) == ["VPUB"]
    assert list(responsibility.supporting.values_list("short_name", flat=True)) == ["Sở TT&TT"]
    assert list(responsibility.groups.values_list("name", flat=True)) == ["UBND cấp huyện"]
    record = responsibility.history.latest("history_id")
    assert record.history_type == "~"
    assert [row.agency.short_name for row in record.supporting.all()] == ["Sở TT&TT"]
    assert [row.agencygroup.name for row in record.groups.all()] == ["UBND cấp huyện"]


def test_a_changed_link_alone_is_recorded_with_the_links_before_and_after(seed_plan):
    responsibility = Responsibility.objects.get(plan=seed_plan, criterion__code="7.5")
    before = responsibility.history.latest("history_id")
    action = Action.objects.get(plan=seed_plan, criterion__code="7.5")
    # Same lead (the first agency named), another supporting agency.
    Action.objects.filter(pk=action.pk).update(
        text="- Sở Thông tin và Truyền thông chủ trì, phối hợp Sở Tư pháp\n"
        "- Sở Khoa học và Công nghệ tổ chức thực hiện"
    )

    assign_from_actions(plan=seed_plan)

    after = responsibility.history.latest("history_id")
    assert after.history_id != before.history_id
    assert after.history_type == "~"
    assert {row.agency.short_name for row in before.supporting.all()} == {"VPUB"}
    assert [row.agency.short_name for row in after.supporting.all()] == ["Sở TP"]
    assert {row.agency.short_name for row in after.leads.all()} == {"Sở TT&TT", "Sở KH&CN"}
