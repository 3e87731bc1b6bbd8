"""The province's index of its units, the issue's scenario at the service level: the
departments' and districts' frameworks loaded from xlsx, units self-assessing with evidence,
an exempt department's scaled total, a branch agency above 100 with its bonus, appraisal with
reasons, a district's response, approval; the ranking per type and per cluster with a tie."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from assessments import services, units
from assessments.models import Assessment, AssessmentTransition, CouncilAssignment, Entry
from assessments.province import Evidence
from assessments.ranking import round_results, unit_page
from assignments.models import Agency, Exemption, Role, UnitCluster
from criteria.models import UnitBand
from tests.assessments.conftest import _document
from tests.assessments.units import (
    AFTER_RESPONSES,
    IN_WINDOW,
    appraise_all,
    criterion,
    entry,
    load_framework,
    make_round,
    self_assess,
    user,
    walk,
)

pytestmark = pytest.mark.django_db
D = Decimal
Status = Assessment.Status


class Index:
    """Two departments (Sở Tư pháp exempt from area 3), three districts in two clusters,
    a branch agency; Sở Nội vụ, a leader and a unit user each."""

    def __init__(self) -> None:
        self.frameworks = {t: load_framework(t) for t in ("department", "district", "branch")}
        self.rounds = {t: make_round(f) for t, f in self.frameworks.items()}
        self.tu_phap = Agency.objects.create(name="Sở Tư pháp", short_name="STP", kind="department")
        self.y_te = Agency.objects.create(name="Sở Y tế", short_name="SYT", kind="department")
        self.cai_be = Agency.objects.create(
            name="UBND huyện Cái Bè", short_name="CB", kind="district"
        )
        self.cho_gao = Agency.objects.create(
            name="UBND huyện Chợ Gạo", short_name="CG", kind="district"
        )
        self.cai_lay = Agency.objects.create(
            name="UBND huyện Cai Lậy", short_name="CL", kind="district"
        )
        self.thue = Agency.objects.create(name="Cục Thuế tỉnh", short_name="CT", kind="branch")
        Exemption.objects.create(
            agency=self.tu_phap, criterion=criterion(self.frameworks["department"], "3")
        )
        first = UnitCluster.objects.create(
            year=2020, unit_type="district", name="Cụm 1", position=1
        )
        second = UnitCluster.objects.create(
            year=2020, unit_type="district", name="Cụm 2", position=2
        )
        first.members.add(self.cai_be, self.cai_lay)
        second.members.add(self.cho_gao)
        for unit_type in ("department", "district", "branch"):
            for name, low in [("Tốt", 90), ("Khá", 80), ("Trung bình", 70), ("Yếu", 0)]:
                UnitBand.objects.create(year=2020, unit_type=unit_type, name=name, min_score=low)
        self.staff = user("noivu", Role.NOIVU_STAFF)
        self.leader = user("lanhdao", Role.LEADER)
        self.users = {
            agency.pk: user(f"u{agency.pk}", Role.AGENCY_USER, agency)
            for agency in (
                self.tu_phap,
                self.y_te,
                self.cai_be,
                self.cho_gao,
                self.cai_lay,
                self.thue,
            )
        }

    def walk(self, unit_type: str, agency: Agency, **kwargs) -> Assessment:
        return walk(
            self.rounds[unit_type], agency, unit_user=self.users[agency.pk],
            staff=self.staff, leader=self.leader, **kwargs,
        )  # fmt: skip


@pytest.fixture
def index() -> Index:
    return Index()


def test_the_issues_scenario_ranks_each_type_and_cluster_with_ties(index):
    # Sở Tư pháp: exempt from area 3 (14 points); 1.1.2 cut from 3 to 2 at appraisal.
    index.walk("department", index.tu_phap, cuts={"1.1.2": "2"})
    # Sở Y tế: everything, a bonus of 1,5 and a penalty of 3.
    index.walk("department", index.y_te, scores={"9.1": "1.5", "10.2": "3"})
    # The districts: Cái Bè's 3.3.1 is cut, it responds, Sở Nội vụ gives back 2,5 (below).
    cai_be = units.unit_assessment(unit_round=index.rounds["district"], agency=index.cai_be)
    cai_be_user = index.users[index.cai_be.pk]
    self_assess(cai_be, cai_be_user, {}, IN_WINDOW)
    units.send(assessment=cai_be, by=cai_be_user, today=IN_WINDOW)
    appraise_all(cai_be, index.staff, {"3.3.1": "1.5"}, today=datetime.date(2021, 2, 1))
    cut = entry(cai_be, "3.3.1")
    units.respond_entry(
        entry=cut, by=cai_be_user, text="Đã có báo cáo số 12/BC-UBND, trang 4.",
        version=cut.version, today=datetime.date(2021, 2, 3),
    )  # fmt: skip
    cai_be.refresh_from_db()
    assert cai_be.status == Status.RESPONSE
    cut.refresh_from_db()
    units.decide_final(entry=cut, by=index.staff, score=D("2.5"), version=cut.version)
    units.finalize(assessment=cai_be, by=index.staff, today=datetime.date(2021, 2, 4))
    services.approve(assessment=cai_be, by=index.leader)
    index.walk("district", index.cho_gao)
    index.walk("district", index.cai_lay, cuts={"1.1.2": "1"})
    # Cục Thuế: everything and every bonus (1,5 + 1,5 + 2).
    index.walk("branch", index.thue, scores={"7.1": "1.5", "7.2": "1.5", "8": "2"})

    departments = round_results(index.rounds["department"])
    districts = round_results(index.rounds["district"])
    branches = round_results(index.rounds["branch"])

    # Sở Tư pháp: 86 apply, 85 scored: 85 × 100 ÷ 86 = 98,837… → 98,84.
    tu_phap = departments.of(index.tu_phap.pk)
    assert (tu_phap.regular, tu_phap.applicable_maximum) == (D(85), D(86))
    assert tu_phap.total == (D(85) * 100 / 86).quantize(D("0.01")) == D("98.84")
    assert departments.of(index.y_te.pk).total == D("98.50")  # 100 + 1,5 − 3
    assert [(r.agency.short_name, r.rank) for r in departments.results] == [("STP", 1), ("SYT", 2)]
    # Cái Bè and Chợ Gạo tie at 100 and share rank 1; Cai Lậy (98) is third.
    assert sorted((r.agency.short_name, r.total, r.rank) for r in districts.results) == [
        ("CB", D(100), 1), ("CG", D(100), 1), ("CL", D(98), 3),
    ]  # fmt: skip
    assert [
        (table.cluster.name, [(r.agency.short_name, r.cluster_rank) for r in table.results])
        for table in districts.clusters
    ] == [("Cụm 1", [("CB", 1), ("CL", 2)]), ("Cụm 2", [("CG", 1)])]
    thue = branches.of(index.thue.pk)
    assert thue.total == D("105.00") and thue.band.name == "Tốt"
    assert {r.band.name for r in districts.results} == {"Tốt"}


def test_every_step_is_recorded(index):
    assessment = index.walk("department", index.y_te, cuts={"1.3": "1"})

    steps = list(
        AssessmentTransition.objects.filter(assessment=assessment).values_list(
            "from_status", "to_status"
        )
    )

    assert steps == [
        (Status.PROPOSED, Status.SENT), (Status.SENT, Status.APPRAISED),
        (Status.APPRAISED, Status.FINAL), (Status.FINAL, Status.APPROVED),
    ]  # fmt: skip
    cut = entry(assessment, "1.3")
    assert (cut.proposed_score, cut.appraised_score, cut.final_score) == (D(2), D(1), D(1))
    assert cut.appraisal_reason == "Thiếu tài liệu cho 1.3"
    assert [h.appraised_score for h in cut.history.order_by("history_id")] == [
        None, None, D(1), D(1),
    ]  # fmt: skip


def test_exempt_criteria_have_no_entry(index):
    assessment = units.unit_assessment(unit_round=index.rounds["department"], agency=index.tu_phap)

    codes = set(assessment.entries.values_list("criterion__code", flat=True))

    assert not {c for c in codes if c.startswith("3.")}
    assert {"1.1.1", "8.1", "10.2"} <= codes


def test_self_assessment_is_refused_outside_its_window_and_an_extension_reopens_it(index):
    unit_round = index.rounds["district"]
    assessment = units.unit_assessment(unit_round=unit_round, agency=index.cai_be)
    row = entry(assessment, "1.2")
    by = index.users[index.cai_be.pk]

    def save(day: datetime.date) -> Entry:
        row.refresh_from_db()
        return units.save_entry(
            entry=row, by=by, score=D("1.5"), explanation="", evidence_complete=False,
            evidence=[], version=row.version, today=day,
        )  # fmt: skip

    with pytest.raises(ValidationError, match="chưa bắt đầu"):
        save(datetime.date(2021, 1, 4))
    with pytest.raises(ValidationError, match="hết hạn tự đánh giá"):
        save(datetime.date(2021, 2, 1))
    unit_round.extensions.create(agency=index.cai_be, deadline=datetime.date(2021, 2, 5))
    assert save(datetime.date(2021, 2, 1)).proposed_score == D("1.5")


def test_scores_are_checked_against_the_maximum_and_evidence_against_the_library(index):
    assessment = units.unit_assessment(unit_round=index.rounds["district"], agency=index.cai_be)
    row = entry(assessment, "1.2")
    by = index.users[index.cai_be.pk]
    own = _document(index.cai_be, "5/KH-UBND")
    foreign = _document(index.cho_gao, "6/KH-UBND")

    with pytest.raises(ValidationError, match="từ 0 đến 2"):
        units.save_entry(
            entry=row, by=by, score=D("2.5"), explanation="", evidence_complete=False,
            evidence=[], version=row.version, today=IN_WINDOW,
        )  # fmt: skip
    with pytest.raises(ValidationError, match="thư viện của đơn vị"):
        units.save_entry(
            entry=row, by=by, score=D(2), explanation="", evidence_complete=False,
            evidence=[Evidence(foreign, "")], version=row.version, today=IN_WINDOW,
        )  # fmt: skip
    saved = units.save_entry(
        entry=row, by=by, score=D(2), explanation="Kế hoạch số 5", evidence_complete=True,
        evidence=[Evidence(own, "trang 2")], version=row.version, today=IN_WINDOW,
    )  # fmt: skip

    assert [(e.document, e.location) for e in saved.evidence.all()] == [(own, "trang 2")]


def test_a_different_appraised_score_needs_a_reason_and_a_response_comes_once(index):
    unit_round = index.rounds["district"]
    assessment = units.unit_assessment(unit_round=unit_round, agency=index.cai_be)
    by = index.users[index.cai_be.pk]
    self_assess(assessment, by, {}, IN_WINDOW)
    units.send(assessment=assessment, by=by, today=IN_WINDOW)
    row = entry(assessment, "1.2")

    with pytest.raises(ValidationError, match="cần ghi lý do"):
        units.appraise_entry(entry=row, by=index.staff, score=D(1), reason=" ", version=row.version)
    appraise_all(assessment, index.staff, {"1.2": "1"}, today=datetime.date(2021, 2, 1))
    row.refresh_from_db()
    units.respond_entry(entry=row, by=by, text="Xin xem lại", version=row.version,
                        today=datetime.date(2021, 2, 6))  # fmt: skip
    row.refresh_from_db()
    with pytest.raises(ValidationError, match="một lần"):
        units.respond_entry(entry=row, by=by, text="Lần hai", version=row.version,
                            today=datetime.date(2021, 2, 6))  # fmt: skip
    other = entry(assessment, "1.3")
    with pytest.raises(ValidationError, match="hết hạn giải trình"):
        units.respond_entry(entry=other, by=by, text="Muộn", version=other.version,
                            today=datetime.date(2021, 2, 7))  # fmt: skip


def test_finalizing_waits_for_the_response_window(index):
    assessment = units.unit_assessment(unit_round=index.rounds["district"], agency=index.cho_gao)
    by = index.users[index.cho_gao.pk]
    self_assess(assessment, by, {}, IN_WINDOW)
    units.send(assessment=assessment, by=by, today=IN_WINDOW)
    appraise_all(assessment, index.staff, {}, today=datetime.date(2021, 2, 1))

    with pytest.raises(ValidationError, match="còn được giải trình đến ngày 06/02/2021"):
        units.finalize(assessment=assessment, by=index.staff, today=datetime.date(2021, 2, 6))
    units.finalize(assessment=assessment, by=index.staff, today=AFTER_RESPONSES)

    assessment.refresh_from_db()
    assert assessment.status == Status.FINAL


def test_a_council_member_appraises_only_its_areas(index):
    unit_round = index.rounds["district"]
    member = user("hoidong", Role.COUNCIL_MEMBER)
    CouncilAssignment.objects.create(
        unit_round=unit_round, member=member, area=criterion(unit_round.framework, "2")
    )
    assessment = units.unit_assessment(unit_round=unit_round, agency=index.cai_be)
    self_assess(assessment, index.users[index.cai_be.pk], {}, IN_WINDOW)
    units.send(assessment=assessment, by=index.users[index.cai_be.pk], today=IN_WINDOW)
    own, other = entry(assessment, "2.1"), entry(assessment, "1.2")

    units.appraise_entry(entry=own, by=member, score=None, reason="", version=own.version)
    with pytest.raises(ValidationError, match="không được phân công"):
        units.appraise_entry(entry=other, by=member, score=None, reason="", version=other.version)

    own.refresh_from_db()
    assert (own.appraised_score, own.appraised_by) == (D(2), member)


def test_the_unit_page_agrees_with_the_table_and_shows_what_was_lost(index):
    index.walk("department", index.tu_phap, cuts={"1.1.2": "2", "7.1": "3"})
    index.walk("department", index.y_te, cuts={"7.1": "5"})
    results = round_results(index.rounds["department"])

    page = unit_page(results, index.tu_phap)

    assert page.result is results.of(index.tu_phap.pk)
    assert page.points_lost == D(4)
    assert [(line.criterion.code, line.lost) for line in page.lost] == [("1.1.2", 1), ("7.1", 3)]
    assert [line.criterion.code for line in page.weakest][:2] == ["7.1", "1.1.2"]
    areas = {line.area.code: line for line in page.areas}
    assert areas["3"].is_exempt and areas["3"].score is None
    assert (areas["7"].score, areas["7"].group_median) == (D(11), D(12))  # 11 and 13
    assert sum(line.score or 0 for line in page.areas) == page.result.regular
