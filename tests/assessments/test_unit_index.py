"""The province's index of its units, the issue's scenario at the service level, then once
more through the pages (the issue's "done when"): the departments' and districts' frameworks
loaded from xlsx, units self-assessing with evidence, an exempt department's scaled total, a
branch agency above 100 with its bonus, appraisal with reasons, a district's response,
approval; the ranking per type and per cluster with a tie, and each unit's page."""

import datetime
import io
import re
from decimal import ROUND_HALF_UP, Decimal
from html.parser import HTMLParser

import pytest
from django.contrib.messages import get_messages
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db.models import Q
from django.test import Client
from django.urls import reverse
from docx import Document

from assessments import services, units
from assessments.models import Assessment, AssessmentTransition, CouncilAssignment, Entry
from assessments.province import Evidence
from assessments.ranking import round_results, unit_page
from assignments.models import Agency, Exemption, Role, UnitCluster
from criteria.importers import read_appendix
from criteria.models import Criterion, CriterionLink, Plan, Score, UnitBand
from criteria.ranking import competition_ranks
from criteria.services import import_appendix
from reports.services import ScoreEntry, save_scores
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
from tests.assignments.conftest import FIXTURES, SEED_PLAN_NUMBER, seed_appendix

pytestmark = pytest.mark.django_db
D = Decimal
Status = Assessment.Status


class Index:
    """Two departments (Sở Tư pháp exempt from area 3), three districts in two clusters,
    a branch agency; Sở Nội vụ, a leader and a unit user each. With `national`, plan
    252/KH-UBND and its national framework are loaded first, so that the unit frameworks'
    column of related national sub-criteria is written as links (criteria.CriterionLink)."""

    def __init__(self, *, national: bool = False) -> None:
        self.plan = national_plan() if national else None
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


def national_plan() -> Plan:
    """Plan 252/KH-UBND with its appendix, as tests.assignments.conftest.seed_plan loads it
    but without Tiền Giang's agencies, whose names the scenario's units take (unique)."""
    call_command("loaddata", FIXTURES / "seed_plan.json", verbosity=0)
    plan = Plan.objects.select_related("framework").get(number=SEED_PLAN_NUMBER)
    import_appendix(table=read_appendix(seed_appendix()), plan=plan)
    return plan


@pytest.fixture
def index() -> Index:
    return Index()


@pytest.fixture
def national_index() -> Index:
    return Index(national=True)


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


# -- The issue's "done when", through the pages -------------------------------------------


class Tables(HTMLParser):
    """The ranking tables of the results page, each as [(rank, unit, total)]: a type's
    table by its id (the unit type), a cluster's by its heading."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.tables: dict[str, list] = {}
        self._heading: list[str] | None = None
        self._cluster = ""
        self._rows: list[list[str]] | None = None
        self._cell: list[str] | None = None
        self.feed(html)

    def handle_starttag(self, tag: str, attrs) -> None:
        attrs = dict(attrs)
        if tag == "h3":
            self._heading = []
        elif tag == "table" and "unit-ranking" in (attrs.get("class") or ""):
            self._rows = self.tables[attrs.get("id") or self._cluster] = []
        elif tag == "tr" and self._rows is not None:
            self._rows.append([])
        elif tag == "td" and self._rows is not None:
            self._cell = []

    def handle_endtag(self, tag: str) -> None:
        if tag == "h3":
            self._cluster, self._heading = "".join(self._heading).strip(), None
        elif tag == "td" and self._cell is not None:
            self._rows[-1].append(" ".join("".join(self._cell).split()))
            self._cell = None
        elif tag == "table" and self._rows is not None:
            self._rows[:] = [(row[0], row[1], row[5]) for row in self._rows if row]
            self._rows = None

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._cell.append(data)
        elif self._heading is not None:
            self._heading.append(data)


def client_of(person) -> Client:
    client = Client()
    client.force_login(person)
    return client


def post(client: Client, url: str, data: dict | None = None) -> None:
    """Post a form as its page does; the page's answer must be a redirect with no error."""
    response = client.post(url, data or {})
    assert response.status_code == 302, url
    errors = [m.message for m in get_messages(response.wsgi_request) if m.level_tag == "error"]
    assert errors == [], url


def step_url(unit_round, agency: Agency, step: str) -> str:
    return reverse("assessments:unit-assessment-step", args=[unit_round.pk, agency.pk, step])


def cents(value: Decimal) -> str:
    """A total as the pages write it: two decimals, a decimal comma."""
    return f"{value:.2f}".replace(".", ",")


def independent_total(assessment: Assessment) -> Decimal:
    """The documented rule, from the entries themselves: the final scores of the criteria
    that apply (those the unit was assessed on) × the framework's maximum ÷ their maxima
    when the unit is exempt from others, plus the bonus, minus the penalty, to the cent
    (half up)."""
    framework = assessment.framework
    entries = list(assessment.entries.select_related("criterion"))
    by_kind = {
        kind: sum((e.final_score for e in entries if e.criterion.kind == kind), D(0))
        for kind in ("regular", "bonus", "penalty")
    }
    assessed = {e.criterion_id for e in entries}
    not_assessed = sum(
        (
            c.max_score
            for c in framework.criteria.filter(kind="regular", children__isnull=True)
            if c.pk not in assessed
        ),
        D(0),
    )
    regular = by_kind["regular"] * framework.max_score / (framework.max_score - not_assessed)
    return (regular + by_kind["bonus"] - by_kind["penalty"]).quantize(
        D("0.01"), rounding=ROUND_HALF_UP
    )


def test_the_issues_scenario_through_the_pages_agrees_to_the_cent(national_index, today):
    """Six units walk the round through the pages with the forms their users post; the
    tables per type and per cluster, the .docx announcement and each unit's page show the
    totals the entries give; the gap page shows, for a weak national sub-criterion, the
    units lowest on its related criteria."""
    index = national_index
    staff, boss = client_of(index.staff), client_of(index.leader)
    # unit: (round, proposals other than the maximum, survey scores, cuts with reasons)
    plans = {
        # Exempt from area 3 (14 points): 86 apply. 86 − 1 − 1,5 − 1 = 82,5 scaled
        # × 100 ÷ 86 = 95,930… → 95,93, + bonus 1,5 = 97,43.
        index.tu_phap: ("department", {"9.1": "1,5"}, {"8.1": "13,5", "8.2": "9"},
                        {"1.1.2": "2"}),
        # 100 − 1,75 (7.1 cut to 4,25), a penalty typed as −3: 95,25.
        index.y_te: ("department", {"10.2": "-3"}, {"8.1": "15", "8.2": "10"},
                     {"7.1": "4,25"}),
        # 3.3.1 proposed 2,5, cut to 1,5, answered, final 2; survey 18 + 9; bonus 2: 98,50.
        index.cai_be: ("district", {"9.1": "2"}, {"8.1": "18", "8.2": "9"}, {"3.3.1": "1,5"}),
        # Survey 19 + 9,5: 98,50, tied with Cái Bè.
        index.cho_gao: ("district", {}, {"8.1": "19", "8.2": "9,5"}, {}),
        # Survey 17 + 10, 1.1.2 proposed 2 of 3: 96,00; second in Cụm 1, third overall.
        index.cai_lay: ("district", {"1.1.2": "2"}, {"8.1": "17", "8.2": "10"}, {}),
        # 100 − 0,5 (2.3) − 1 (survey 24) + bonus 1,5 + 1,5 + 2 cut to 1: 102,50.
        index.thue: ("branch", {"7.1": "1,5", "7.2": "1,5", "8": "2"}, {"6": "24"},
                     {"2.3": "7,5", "8": "1"}),
    }  # fmt: skip
    libraries = {a: _document(a, f"{a.short_name}/KH-CCHC") for a in plans}

    today(IN_WINDOW)
    for agency, (unit_type, proposals, _survey, _cuts) in plans.items():
        unit_round, unit = index.rounds[unit_type], client_of(index.users[agency.pk])
        post(unit, reverse("assessments:unit-assessment-start", args=[unit_round.pk, agency.pk]))
        assessment = Assessment.objects.get(unit_round=unit_round, agency=agency)
        for row in assessment.entries.select_related("criterion").order_by("criterion__sort_key"):
            criterion = row.criterion
            if criterion.is_survey or (
                criterion.kind != "regular" and criterion.code not in proposals
            ):
                continue
            score = proposals.get(criterion.code, str(criterion.max_score).replace(".", ","))
            post(unit, reverse("assessments:unit-entry-save", args=[row.pk]), {
                "score": score, "explanation": f"Đã thực hiện {criterion.code}",
                "evidence_complete": "on", "document": libraries[agency].pk,
                "location": f"Mục {criterion.code}", "version": row.version,
            })  # fmt: skip
        post(unit, step_url(unit_round, agency, "send"))

    today(datetime.date(2021, 2, 1))
    for agency, (unit_type, _proposals, survey, cuts) in plans.items():
        unit_round = index.rounds[unit_type]
        assessment = Assessment.objects.get(unit_round=unit_round, agency=agency)
        assert assessment.status == Status.SENT
        for row in assessment.entries.select_related("criterion").filter(
            Q(proposed_score__isnull=False) | Q(criterion__is_survey=True)
        ):
            code = row.criterion.code
            data = {"version": row.version}
            if code in cuts:
                data |= {"score": cuts[code], "reason": f"Thiếu tài liệu kiểm chứng {code}"}
            elif code in survey:
                data |= {"score": survey[code]}
            post(staff, reverse("assessments:unit-entry-appraise", args=[row.pk]), data)
        post(staff, step_url(unit_round, agency, "complete"))

    # Cái Bè answers the cut within the five days; Sở Nội vụ gives back half a point.
    today(datetime.date(2021, 2, 3))
    cut = entry(Assessment.objects.get(agency=index.cai_be), "3.3.1")
    cai_be = client_of(index.users[index.cai_be.pk])
    page = cai_be.get(reverse("assessments:unit-assessment", args=[cut.assessment.unit_round_id,
                                                                   index.cai_be.pk]))  # fmt: skip
    assert "Thiếu tài liệu kiểm chứng 3.3.1" in page.content.decode()
    post(cai_be, reverse("assessments:unit-entry-respond", args=[cut.pk]),
         {"response": "Báo cáo số 12/BC-UBND, trang 4.", "version": cut.version})  # fmt: skip
    cut.refresh_from_db()
    post(staff, reverse("assessments:unit-entry-final", args=[cut.pk]),
         {"score": "2", "version": cut.version})  # fmt: skip

    today(datetime.date(2021, 2, 7))  # the other units' windows have closed
    for agency, (unit_type, *_rest) in plans.items():
        post(staff, step_url(index.rounds[unit_type], agency, "finalize"))
        post(boss, step_url(index.rounds[unit_type], agency, "approve"))

    assessments = {a.agency: a for a in Assessment.objects.select_related("agency", "framework")}
    assert {a.status for a in assessments.values()} == {Status.APPROVED}
    totals = {agency: independent_total(a) for agency, a in assessments.items()}
    assert {a.short_name: cents(t) for a, t in totals.items()} == {
        "STP": "97,43", "SYT": "95,25", "CB": "98,50", "CG": "98,50", "CL": "96,00",
        "CT": "102,50",
    }  # fmt: skip
    cut.refresh_from_db()
    assert (cut.proposed_score, cut.appraised_score, cut.final_score) == (D("2.5"), D("1.5"), D(2))
    assert cut.response == "Báo cáo số 12/BC-UBND, trang 4."
    assert list(
        assessments[index.tu_phap]
        .entries.get(criterion__code="1.1.1")
        .evidence.values_list("document__number", "location")
    ) == [("STP/KH-CCHC", "Mục 1.1.1")]

    tables = Tables(boss.get(reverse("reports:unit-results", args=[2020])).content.decode()).tables
    expected = {
        "department": [index.tu_phap, index.y_te],
        "district": [index.cai_be, index.cho_gao, index.cai_lay],
        "Cụm 1": [index.cai_be, index.cai_lay],
        "Cụm 2": [index.cho_gao],
        "branch": [index.thue],
    }
    assert tables.keys() == expected.keys()
    for key, agencies in expected.items():
        ranks = competition_ranks({a.pk: totals[a] for a in agencies})
        assert tables[key] == [(str(ranks[a.pk]), a.name, cents(totals[a])) for a in agencies]
    for agency, total in totals.items():
        detail = boss.get(reverse("reports:unit-detail", args=[2020, agency.pk])).content.decode()
        rows = tables[agency.kind]
        rank = next(r for r, name, _t in rows if name == agency.name)
        assert re.search(rf'id="total">{cents(total)}<', detail)
        assert re.search(rf'id="rank">{rank}/{len(rows)}<', detail)
        cluster = next((key for key in ("Cụm 1", "Cụm 2") if agency in expected[key]), None)
        if cluster is not None:
            own = next(r for r, name, _t in tables[cluster] if name == agency.name)
            assert re.search(rf'id="cluster-rank">{own}<', detail)
        else:
            assert 'id="cluster-rank"' not in detail

    # Published, Cái Bè reads its own page: the same total.
    post(boss, reverse("assessments:unit-round-publish", args=[index.rounds["district"].pk]))
    own = cai_be.get(reverse("reports:unit-detail", args=[2020, index.cai_be.pk]))
    assert re.search(r'id="total">98,50<', own.content.decode())

    the_announcement_agrees(boss, totals, expected)
    the_gap_page_shows_the_lowest_units(index, staff)


ANNOUNCEMENT_TABLES = {
    "1. Kết quả Chỉ số CCHC của các sở, ban, ngành tỉnh": "department",
    "2. Kết quả Chỉ số CCHC của các cơ quan ngành dọc Trung ương trên địa bàn tỉnh": "branch",
    "3. Kết quả Chỉ số CCHC của UBND các huyện, thị xã, thành phố": "district",
    "a) Cụm 1": "Cụm 1",
    "b) Cụm 2": "Cụm 2",
}


def announcement_tables(content: bytes) -> dict[str, list[tuple[str, str, str]]]:
    """The result tables of the .docx decision, each as [(rank, unit, total)] under the
    heading above it (a scaled total's "(*)" mark left off the name)."""
    document = Document(io.BytesIO(content))
    paragraphs = {p._p: p for p in document.paragraphs}
    tables = {t._tbl: t for t in document.tables}
    found, heading = {}, ""
    for element in document.element.body:
        if element in paragraphs and paragraphs[element].style.name.startswith("Heading"):
            heading = paragraphs[element].text
        elif element in tables:
            rows = [[cell.text for cell in row.cells] for row in tables[element].rows]
            if rows[0][:3] == ["Xếp hạng", "Đơn vị", "Tổng điểm"]:
                found[heading] = [(r[0], r[1].removesuffix(" (*)"), r[2]) for r in rows[1:]]
    return found


def the_announcement_agrees(boss: Client, totals: dict, expected: dict) -> None:
    """The leader downloads the decision from the results page: each table per type and per
    cluster has the units, ranks and totals (to the cent) the entries give."""
    url = reverse("reports:document-download", args=[2020, "unit-results", "docx"])
    assert url in boss.get(reverse("reports:unit-results", args=[2020])).content.decode()
    response = boss.get(url)
    assert response.status_code == 200
    tables = announcement_tables(response.content)

    assert list(tables) == list(ANNOUNCEMENT_TABLES)
    for heading, key in ANNOUNCEMENT_TABLES.items():
        ranks = competition_ranks({a.pk: totals[a] for a in expected[key]})
        assert sorted(tables[heading]) == sorted(
            (str(ranks[a.pk]), a.name, cents(totals[a])) for a in expected[key]
        ), heading
        assert [int(rank) for rank, _name, _total in tables[heading]] == sorted(ranks.values())


# A unit on a sub-criterion's line: its page, its score / the maximum, the unit criterion.
LOW = re.compile(
    r'<a href="/reports/units/2020/(\d+)/">[^<]*</a> ([\d,]+)/([\d,]+) \(tiêu chí ([\d.]+)\)'
)


def the_gap_page_shows_the_lowest_units(index: Index, staff: Client) -> None:
    """The province self-assesses national 1.1.2 (Mức độ thực hiện kế hoạch CCHC) below its
    target for 2020: on the gap page its row says so, and names the units whose final score
    on the unit criteria related to it (the xlsx column, as links) is the lowest share of
    the maximum, as the entries and the links give them."""
    national = index.plan.framework.criteria.get(code="1.1.2")
    target = index.plan.targets.get(criterion=national, first_year__lte=2020, last_year__gte=2020)
    save_scores(
        criterion=national, year=2020, by=index.staff,
        entries={Score.Kind.SELF: ScoreEntry(target.min_score - D("0.5"), version=0)},
    )  # fmt: skip
    related = set(
        CriterionLink.objects.filter(national_criterion=national).values_list(
            "unit_criterion_id", flat=True
        )
    )
    assert {c.framework.unit_type for c in Criterion.objects.filter(pk__in=related)} == {
        "department", "district",
    }  # fmt: skip
    lowest: dict[Agency, tuple[Decimal, Entry]] = {}
    for row in Entry.objects.filter(
        criterion_id__in=related, assessment__year=2020, assessment__status=Status.APPROVED
    ).select_related("criterion", "assessment__agency"):
        share = row.final_score / row.criterion.max_score
        agency = row.assessment.agency
        if agency not in lowest or share < lowest[agency][0]:
            lowest[agency] = (share, row)
    ordered = sorted(lowest, key=lambda agency: (lowest[agency][0], agency.name))[:3]
    # Sở Tư pháp (cut to 2 of 3) and Cai Lậy (proposed 2 of 3) first, then the full marks.
    assert [agency.short_name for agency in ordered[:2]] == ["STP", "CL"]

    html = staff.get(reverse("reports:gap-dashboard", args=[2020])).content.decode()
    start = html.index(f"<td>{national.code}</td>")
    row = html[start : html.index("</tr>", start)]
    assert 'class="status-below"' in row
    line = row[
        row.index('<p class="unit-lows') : row.index("</p>", row.index('<p class="unit-lows'))
    ]
    shown = [
        (int(pk), D(score.replace(",", ".")), D(maximum.replace(",", ".")), code)
        for pk, score, maximum, code in LOW.findall(line)
    ]
    assert shown == [
        (
            agency.pk, lowest[agency][1].final_score, lowest[agency][1].criterion.max_score,
            lowest[agency][1].criterion.code,
        )
        for agency in ordered
    ]  # fmt: skip


def test_an_exemption_added_later_does_not_change_an_approved_total(index):
    """Exemptions are the framework's, for every year it serves: one granted after a round
    was approved decides the next rounds' entries, not the approved total of this one."""
    y_te = index.walk("department", index.y_te, cuts={"3.4": "2"})  # 100 − 2
    before = round_results(index.rounds["department"]).of(index.y_te.pk).total

    Exemption.objects.create(
        agency=index.y_te, criterion=criterion(index.frameworks["department"], "3")
    )
    after = round_results(index.rounds["department"]).of(index.y_te.pk)

    assert before == independent_total(y_te) == D(98)
    assert (after.total, after.regular, after.applicable_maximum) == (D(98), D(98), D(100))


def test_an_exemption_granted_while_the_unit_drafts_is_applied_when_it_sends(index):
    """Sở Tư pháp is exempted from area 7 after it opened its assessment: its page shows the
    area exempt, its entries there go when it sends, and its total is scaled."""
    unit_round = index.rounds["department"]
    assessment = units.unit_assessment(unit_round=unit_round, agency=index.y_te)
    by = index.users[index.y_te.pk]
    self_assess(assessment, by, {}, IN_WINDOW)
    Exemption.objects.create(
        agency=index.y_te, criterion=criterion(index.frameworks["department"], "7")
    )

    units.send(assessment=assessment, by=by, today=IN_WINDOW)
    appraise_all(assessment, index.staff, {"1.3": "1"}, today=datetime.date(2021, 2, 1))
    units.finalize(assessment=assessment, by=index.staff, today=AFTER_RESPONSES)
    services.approve(assessment=assessment, by=index.leader)

    assert not assessment.entries.filter(criterion__code__startswith="7.").exists()
    result = round_results(unit_round).of(index.y_te.pk)
    # 86 apply (area 7 is 14), 85 scored: 85 × 100 ÷ 86 = 98,84.
    assert (result.regular, result.applicable_maximum) == (D(85), D(86))
    assert result.total == independent_total(assessment) == D("98.84")
