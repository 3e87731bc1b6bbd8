"""The province's self-assessment (assessments/services.py): Sở Nội vụ decides each
sub-criterion, the decision writes the year's self-assessed Score, adopting takes the
owners' proposals, a leader's approval locks the year and unlocking is recorded."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from assessments import services
from assessments.models import Assessment, AssessmentTransition, Entry, EntryEvidence
from assessments.province import mean_score, province_entries
from assignments.models import Agency
from criteria.admin import ScoreAdminForm
from criteria.models import Score
from reports.rollups import Overview
from reports.services import ScoreEntry, ScoreLockedError, save_scores
from tests.assessments.conftest import propose, sent_report

D = Decimal
pytestmark = pytest.mark.django_db


def self_scores(province, year: int = 2019) -> dict[str, Decimal]:
    return dict(
        Score.objects.filter(
            criterion__framework=province.plan.framework, year=year, kind=Score.Kind.SELF
        ).values_list("criterion__code", "value")
    )


def decide(province, code: str, user, score, *, version: int = 0, **fields) -> Entry:
    return services.decide_province_entry(
        plan=province.plan,
        year=2019,
        criterion=province.tree[code],
        by=user,
        score=None if score is None else D(score),
        explanation=fields.get("explanation", ""),
        evidence_complete=fields.get("evidence_complete", False),
        version=version,
    )


# -- Deciding one sub-criterion ------------------------------------------------------------


def test_decision_writes_the_entry_and_the_self_assessed_score(province, noivu_staff):
    assert self_scores(province) == {}

    entry = decide(province, "1.1", noivu_staff, "0.5", explanation="Thiếu một văn bản.", version=0)

    assert (entry.proposed_score, entry.explanation, entry.evidence_complete) == (
        D("0.5"),
        "Thiếu một văn bản.",
        False,
    )
    assert entry.decided_by == noivu_staff and entry.version == 1
    assert self_scores(province) == {"1.1": D("0.5")}
    score = Score.objects.get(criterion=province.tree["1.1"], year=2019, kind=Score.Kind.SELF)
    assert score.entered_by == noivu_staff
    # The decision keeps the owners' document it was made on.
    assert [(e.document, e.location) for e in entry.evidence.all()] == [
        (province.document, "trang 3")
    ]
    assert entry.history.count() == 1 and score.history.count() == 1


def test_deciding_again_raises_both_versions_and_keeps_the_history(province, noivu_staff):
    entry = decide(province, "1.1", noivu_staff, "0.5")
    score = Score.objects.get(criterion=province.tree["1.1"], year=2019, kind=Score.Kind.SELF)

    again = decide(province, "1.1", noivu_staff, "1", version=entry.version, evidence_complete=True)

    assert again.version == 2 and again.evidence_complete
    score.refresh_from_db()
    assert score.value == D(1) and score.version == 2
    assert [h.value for h in score.history.order_by("history_id")] == [D("0.5"), D(1)]
    assert again.history.count() == 2


def test_a_decision_made_meanwhile_is_refused(province, noivu_staff):
    decide(province, "1.1", noivu_staff, "0.5")

    with pytest.raises(ValidationError, match="vừa được người khác cập nhật"):
        decide(province, "1.1", noivu_staff, "1", version=0)

    assert self_scores(province) == {"1.1": D("0.5")}


def test_an_empty_score_removes_the_self_assessed_score(province, noivu_staff):
    entry = decide(province, "1.1", noivu_staff, "0.5")

    decide(province, "1.1", noivu_staff, None, version=entry.version)

    assert self_scores(province) == {}
    assert Entry.objects.get(pk=entry.pk).proposed_score is None


@pytest.mark.parametrize("score", ["1.25", "-0.5"])
def test_a_score_outside_zero_to_maximum_is_refused_naming_the_code(province, noivu_staff, score):
    with pytest.raises(ValidationError) as refused:
        decide(province, "1.1", noivu_staff, score)

    assert refused.value.messages == ["Điểm tự đánh giá của tiêu chí 1.1 phải từ 0 đến 1."]
    assert self_scores(province) == {} and not Entry.objects.exists()


def test_a_survey_criterion_is_not_self_assessed(province, noivu_staff):
    with pytest.raises(ValidationError, match="2.2 chấm qua điều tra xã hội học"):
        decide(province, "2.2", noivu_staff, "1")

    assert self_scores(province) == {}


def test_a_parent_criterion_cannot_be_decided(province, noivu_staff):
    with pytest.raises(ValidationError, match="1.2 không phải tiêu chí được chấm điểm"):
        decide(province, "1.2", noivu_staff, "1")


def test_province_entries_return_the_decision_after_deciding(province, noivu_staff):
    before = {e.criterion.code: e for e in province_entries(province.plan, 2019)}
    assert before["1.2.1"].explanation == "Sở TP: Chưa có văn bản, đang trình ký."
    assert not before["1.2.1"].evidence_complete and before["1.1"].evidence_complete

    decide(province, "1.2.1", noivu_staff, "0.5", explanation="Tỉnh: đã có dự thảo.")
    decide(province, "1.1", noivu_staff, "1", evidence_complete=False)

    after = {e.criterion.code: e for e in province_entries(province.plan, 2019)}
    assert after["1.2.1"].explanation == "Tỉnh: đã có dự thảo."
    assert after["1.2.1"].self_score == D("0.5") and after["1.2.1"].is_decided
    assert not after["1.1"].evidence_complete and after["1.1"].owners_evidence_complete
    # The owners' own words stay readable beside the decision.
    assert after["1.2.1"].owners_explanation == "Sở TP: Chưa có văn bản, đang trình ký."


# -- Adopting the owners' proposals ----------------------------------------------------------


def test_mean_of_several_owners_is_rounded_to_a_hundredth():
    assert mean_score([D("1"), D("0.5"), D("0.5")]) == D("0.67")
    assert mean_score([D("0.75")]) == D("0.75")
    assert mean_score([]) is None


def test_adopting_decides_each_undecided_proposal_by_the_rule(province, noivu_staff):
    decide(province, "1.2.1", noivu_staff, "0.25", explanation="Đã quyết định trước.")

    decided = services.adopt_proposals(plan=province.plan, year=2019, by=noivu_staff)

    # 1.1: the one owner's score; 2.1: the mean of the two districts' 2 and 1,5; 1.2.1 was
    # decided already, 1.2.2 has only a draft, 2.2 is a survey criterion.
    assert sorted(e.criterion.code for e in decided) == ["1.1", "2.1"]
    assert self_scores(province) == {"1.1": D("0.75"), "1.2.1": D("0.25"), "2.1": D("1.75")}
    district = Entry.objects.get(criterion=province.tree["2.1"])
    assert district.evidence_complete
    assert district.evidence.count() == 2
    entries = {e.criterion.code: e for e in province_entries(province.plan, 2019)}
    assert entries["2.1"].proposed_total == D("3.5") and entries["2.1"].suggested_score == D("1.75")
    assert entries["1.2.1"].explanation == "Đã quyết định trước."


def test_adopting_leaves_a_score_typed_in_the_grid_alone(province, noivu_staff):
    save_scores(
        criterion=province.tree["1.1"],
        year=2019,
        entries={Score.Kind.SELF: ScoreEntry(D("0.25"), 0)},
        by=noivu_staff,
    )

    services.adopt_proposals(plan=province.plan, year=2019, by=noivu_staff)

    assert self_scores(province)["1.1"] == D("0.25")
    assert not Entry.objects.filter(criterion=province.tree["1.1"]).exists()


def test_adopting_nothing_creates_no_assessment(province, noivu_staff):
    assert services.adopt_proposals(plan=province.plan, year=2020, by=noivu_staff) == []

    assert not Assessment.objects.exists()


def test_the_overview_total_is_the_sum_of_the_decided_scores(province, noivu_staff):
    services.adopt_proposals(plan=province.plan, year=2019, by=noivu_staff)
    decide(province, "1.2.2", noivu_staff, "0.5")

    overview = Overview.build(province.plan, basis=Score.Kind.SELF)

    totals = {total.year: total.figure.value for total in overview.years}
    assert totals[2019] == D("0.75") + D(1) + D("1.75") + D("0.5")
    assert totals[2019] == sum(self_scores(province).values())


# -- Approving and unlocking -------------------------------------------------------------


@pytest.fixture
def approved(province, noivu_staff, leader) -> Assessment:
    services.adopt_proposals(plan=province.plan, year=2019, by=noivu_staff)
    assessment = Assessment.objects.get(plan=province.plan, year=2019)
    return services.approve(assessment=assessment, by=leader)


def test_approval_is_recorded_and_locks_decisions(province, approved, leader, noivu_staff):
    assert approved.status == Assessment.Status.APPROVED
    assert approved.approved_by == leader and approved.approved_at is not None
    step = AssessmentTransition.objects.get(assessment=approved)
    assert (step.from_status, step.to_status, step.by) == ("proposed", "approved", leader)

    with pytest.raises(ValidationError, match="năm 2019 đã được phê duyệt"):
        decide(province, "1.2.2", noivu_staff, "1")

    assert "1.2.2" not in self_scores(province)


def test_approval_locks_the_grids_self_scores_of_that_year_only(province, approved, noivu_staff):
    criterion = province.tree["1.1"]
    score = Score.objects.get(criterion=criterion, year=2019, kind=Score.Kind.SELF)

    with pytest.raises(ScoreLockedError, match="đã được phê duyệt"):
        save_scores(
            criterion=criterion,
            year=2019,
            entries={Score.Kind.SELF: ScoreEntry(D("0.5"), score.version)},
            by=noivu_staff,
        )
    # The official score of the year and the self-assessment of another year stay open.
    assert save_scores(
        criterion=criterion,
        year=2019,
        entries={Score.Kind.OFFICIAL: ScoreEntry(D("0.5"), 0)},
        by=noivu_staff,
    )
    assert save_scores(
        criterion=criterion,
        year=2020,
        entries={Score.Kind.SELF: ScoreEntry(D("0.5"), 0)},
        by=noivu_staff,
    )
    assert self_scores(province)["1.1"] == D("0.75")


def test_approving_twice_is_refused(approved, leader):
    with pytest.raises(ValidationError, match="chưa phê duyệt được"):
        services.approve(assessment=approved, by=leader)


def test_unlocking_needs_a_reason_and_is_recorded(province, approved, leader, noivu_staff):
    with pytest.raises(ValidationError, match="Cần ghi lý do"):
        services.unlock(assessment=approved, by=leader, reason="  ")
    assert Assessment.objects.get(pk=approved.pk).is_approved

    unlocked = services.unlock(assessment=approved, by=leader, reason="Bổ sung minh chứng 2.1")

    assert unlocked.status == Assessment.Status.PROPOSED and unlocked.approved_by is None
    step = unlocked.transitions.order_by("-pk").first()
    assert (step.from_status, step.to_status, step.note) == (
        "approved",
        "proposed",
        "Bổ sung minh chứng 2.1",
    )
    entry = decide(province, "1.2.2", noivu_staff, "1")
    assert entry.proposed_score == D(1) and self_scores(province)["1.2.2"] == D(1)
    assert unlocked.history.count() >= 3


def test_later_proposals_of_a_group_change_the_suggestion_not_the_decision(province, noivu_staff):
    services.adopt_proposals(plan=province.plan, year=2019, by=noivu_staff)
    cycle = province.plan.cycles.get(year=2019)
    gong = Agency.objects.create(
        name="UBND thị xã Gò Công", short_name="TX. Gò Công", kind=Agency.Kind.DISTRICT
    )
    late = sent_report(cycle, gong)
    propose(late, province.tree["2.1"], "0.5")

    entries = {e.criterion.code: e for e in province_entries(province.plan, 2019)}

    assert entries["2.1"].suggested_score == D("1.33")
    assert entries["2.1"].self_score == D("1.75")
    assert len(entries["2.1"].evidence) == 2  # the decision's documents
    assert EntryEvidence.objects.count() == 3


def test_the_score_admin_refuses_a_locked_years_self_assessed_score(province, approved):
    score = Score.objects.get(criterion=province.tree["1.1"], year=2019, kind=Score.Kind.SELF)
    data = {
        "criterion": score.criterion_id,
        "year": 2019,
        "kind": Score.Kind.SELF,
        "value": "0,5",
        "note": "",
        "seen_version": score.version,
    }

    form = ScoreAdminForm(data=data, instance=score)
    moved = ScoreAdminForm(data={**data, "year": 2020}, instance=score)
    official = ScoreAdminForm(data={**data, "kind": Score.Kind.OFFICIAL, "year": 2020})

    assert not form.is_valid() and "đã được phê duyệt" in str(form.errors)
    assert not moved.is_valid()  # out of the locked year is a change of it too
    assert official.is_valid(), official.errors
