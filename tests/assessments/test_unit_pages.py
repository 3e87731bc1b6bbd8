"""The pages of the province's index of its units: a unit's own assessment (drafts, the
window), the council member's view, the ranking tables and the unit's page (the same
figures, to the cent), who may see what, and query counts that do not grow with the units."""

import datetime
import re
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from assessments import units
from assessments.models import Assessment, AssessmentRound, CouncilAssignment, Entry
from assignments.models import Agency, Exemption, Role
from criteria.models import Criterion, Framework, Plan, UnitBand
from tests.assessments.conftest import _document
from tests.assessments.units import user

pytestmark = pytest.mark.django_db
D = Decimal


def client_of(person) -> Client:
    client = Client()
    client.force_login(person)
    return client


@pytest.fixture
def framework() -> Framework:
    """Areas 1 (1.1: 4, 1.2: 6) and 2 (2.1: 10) worth 20; bonus 3 (2); penalty 4 (3)."""
    framework = Framework.objects.create(
        code="SBN-2020", name="Sở", unit_type="department", first_year=2019, max_score=20
    )
    for code, maximum, kind in [
        ("1", 10, "regular"), ("1.1", 4, "regular"), ("1.2", 6, "regular"),
        ("2", 10, "regular"), ("2.1", 10, "regular"),
        ("3", 2, "bonus"), ("4", 3, "penalty"),
    ]:  # fmt: skip
        Criterion.objects.create(
            framework=framework,
            parent=Criterion.objects.filter(framework=framework, code=code[:-2]).first(),
            code=code, title=f"Tiêu chí {code}", max_score=maximum, kind=kind,
        )  # fmt: skip
    return framework


def open_round(framework: Framework, year: int = 2020, **fields) -> AssessmentRound:
    today = timezone.localdate()
    return AssessmentRound.objects.create(
        **{
            "year": year, "unit_type": "department", "framework": framework,
            "opens_on": today - datetime.timedelta(days=3),
            "deadline": today + datetime.timedelta(days=3),
        } | fields
    )  # fmt: skip


def approved(unit_round: AssessmentRound, agency: Agency, finals: dict[str, str]) -> Assessment:
    """An approved assessment with these final scores (proposed one point higher on 1.2)."""
    assessment = units.unit_assessment(unit_round=unit_round, agency=agency)
    for entry in assessment.entries.select_related("criterion"):
        final = D(finals.get(entry.criterion.code, "0"))
        proposed = final + 1 if entry.criterion.code == "1.2" and final < 6 else final
        Entry.objects.filter(pk=entry.pk).update(
            proposed_score=proposed, appraised_score=final, final_score=final,
            appraisal_reason="Thiếu văn bản" if proposed != final else "",
        )  # fmt: skip
    Assessment.objects.filter(pk=assessment.pk).update(status=Assessment.Status.APPROVED)
    return assessment


@pytest.fixture
def unit_user(agency):
    """A user of the `agency` fixture (Sở Tư pháp, a department)."""
    return user("canbo.stp", Role.AGENCY_USER, agency)


def department(name: str) -> Agency:
    return Agency.objects.create(name=name, short_name=name[-12:], kind="department")


@pytest.fixture
def two_departments(framework, agency):
    """Sở Tư pháp (exempt from 1.2: 4 + 10 apply) and Sở Y tế, both approved in 2020;
    Sở Tư pháp also in 2019."""
    y_te = department("Sở Y tế")
    Exemption.objects.create(agency=agency, criterion=framework.criteria.get(code="1.2"))
    for name, low in [("Tốt", 18), ("Khá", 15), ("Yếu", 0)]:
        UnitBand.objects.create(year=2020, unit_type="department", name=name, min_score=low)
    earlier = open_round(framework, 2019, is_published=True)
    approved(earlier, agency, {"1.1": "3", "2.1": "8"})
    unit_round = open_round(framework, 2020)
    # 3,5 + 9 = 12,5 of 14: × 20 ÷ 14 = 17,857… → 17,86; + 1 − 0,5 = 18,36.
    approved(unit_round, agency, {"1.1": "3.5", "2.1": "9", "3": "1", "4": "0.5"})
    approved(unit_round, y_te, {"1.1": "4", "1.2": "5", "2.1": "8"})  # 17
    return unit_round, y_te


def test_the_tables_and_the_units_page_agree_to_the_cent(two_departments, agency, leader):
    client = client_of(leader)

    table = client.get(reverse("reports:unit-results", args=[2020])).content.decode()
    page = client.get(reverse("reports:unit-detail", args=[2020, agency.pk])).content.decode()

    assert "18,36" in table and "17,00" in table
    assert re.search(r'id="total">18,36<', page)
    assert re.search(r'id="rank">1/2<', page)
    assert re.search(r'id="band">Tốt<', page)
    assert re.search(r'id="previous">15,71<', page)  # 2019: (3 + 8) × 20 ÷ 14
    assert "+2,65" in table


def test_the_units_page_shows_areas_against_last_year_and_the_median(
    two_departments, agency, noivu_staff
):
    client = client_of(noivu_staff)

    page = client.get(reverse("reports:unit-detail", args=[2020, agency.pk])).content.decode()

    areas = page[page.index('id="areas"') : page.index('id="lost"')]
    # Area 1: 3,5 this year (1.2 exempt), 3 last year; the median of 3,5 and 9 is 6,25.
    assert re.search(r"1\. Tiêu chí 1</td>\s*<td[^>]*>10</td>\s*<td[^>]*>3,5</td>\s*"
                     r"<td[^>]*>3</td>\s*<td[^>]*>6,25</td>", areas)  # fmt: skip
    lost = page[page.index('id="lost"') : page.index('id="weakest"')]
    assert "Không có." in lost


def test_a_unit_sees_its_rank_only_once_published_and_never_anothers(
    two_departments, agency, unit_user, leader
):
    unit_round, y_te = two_departments
    client = client_of(unit_user)
    own = reverse("reports:unit-detail", args=[2020, agency.pk])

    before = client.get(own)
    tables_before = client.get(reverse("reports:unit-results", args=[2020])).content.decode()
    units.publish(unit_round=unit_round, by=leader, public=False)
    after = client.get(own)

    assert before.status_code == 404
    assert "18,36" not in tables_before
    assert after.status_code == 200
    assert client.get(reverse("reports:unit-detail", args=[2020, y_te.pk])).status_code == 404
    assert "18,36" in client.get(reverse("reports:unit-results", args=[2020])).content.decode()


def test_ranking_and_unit_page_queries_do_not_grow_with_units(
    framework, agency, leader, django_assert_num_queries
):
    earlier = open_round(framework, 2019, is_published=True)
    approved(earlier, agency, {"1.1": "2"})
    unit_round = open_round(framework)
    approved(unit_round, agency, {"1.1": "3"})
    client = client_of(leader)
    results = reverse("reports:unit-results", args=[2020])
    detail = reverse("reports:unit-detail", args=[2020, agency.pk])
    pages = []
    for size in (2, 12):
        for number in range(size - unit_round.assessments.count()):
            unit = department(f"Sở số {size}-{number}")
            approved(earlier, unit, {"1.1": "1"})
            approved(unit_round, unit, {"1.1": "2"})
            if number % 2:
                Exemption.objects.create(agency=unit, criterion=framework.criteria.get(code="1.2"))
        # session, user, role; the rounds of the year; per round: its approved assessments
        # with their sums by kind, the exemptions, the bands, the clusters' members, the
        # previous round, its assessments' sums and exemptions
        with django_assert_num_queries(11):
            table = client.get(results)
        # session, user, role, the agency, the round, the round's results (7), the areas,
        # the area sums, the unit's area sums in the previous round, its entries
        with django_assert_num_queries(16):
            page = client.get(detail)
        pages.append((table.content.decode().count("<tr"), page.status_code))
    # a header row and a row per unit
    assert pages == [(3, 200), (13, 200)]


@pytest.fixture
def drafting(framework, agency, unit_user):
    unit_round = open_round(framework)
    assessment = units.unit_assessment(unit_round=unit_round, agency=agency)
    return unit_round, assessment


def test_a_unit_saves_a_draft_with_a_comma_and_a_document_of_its_library(
    drafting, agency, unit_user
):
    unit_round, assessment = drafting
    entry = assessment.entries.get(criterion__code="1.2")
    document = _document(agency, "7/KH-STP")
    client = client_of(unit_user)

    response = client.post(
        reverse("assessments:unit-entry-save", args=[entry.pk]),
        {"score": "4,5", "explanation": "Đã ban hành", "evidence_complete": "on",
         "document": document.pk, "location": "trang 2", "version": entry.version},
    )  # fmt: skip

    assert response.status_code == 302
    entry.refresh_from_db()
    assert (entry.proposed_score, entry.explanation, entry.evidence_complete) == (
        D("4.5"), "Đã ban hành", True,
    )  # fmt: skip
    assert [(e.document, e.location) for e in entry.evidence.all()] == [(document, "trang 2")]


def test_a_penalty_typed_negative_is_kept_as_the_points_deducted(drafting, unit_user):
    _round, assessment = drafting
    entry = assessment.entries.get(criterion__code="4")

    client_of(unit_user).post(
        reverse("assessments:unit-entry-save", args=[entry.pk]),
        {"score": "-1,5", "version": entry.version},
    )

    entry.refresh_from_db()
    assert entry.proposed_score == D("1.5")


def test_a_draft_before_the_round_opens_is_refused_in_vietnamese(framework, agency, unit_user):
    unit_round = open_round(framework, opens_on=timezone.localdate() + datetime.timedelta(days=1))
    assessment = units.unit_assessment(unit_round=unit_round, agency=agency)
    entry = assessment.entries.get(criterion__code="1.1")

    response = client_of(unit_user).post(
        reverse("assessments:unit-entry-save", args=[entry.pk]),
        {"score": "2", "version": entry.version},
        follow=True,
    )

    assert "Đợt tự đánh giá chưa bắt đầu" in response.content.decode()
    entry.refresh_from_db()
    assert entry.proposed_score is None


def test_a_unit_sees_only_its_own_assessment(drafting, agency, unit_user, noivu_staff):
    unit_round, _assessment = drafting
    other = department("Sở Y tế")
    units.unit_assessment(unit_round=unit_round, agency=other)
    client = client_of(unit_user)
    entry = Entry.objects.filter(assessment__agency=other).first()

    own = client.get(reverse("assessments:unit-assessment", args=[unit_round.pk, agency.pk]))
    foreign = client.get(reverse("assessments:unit-assessment", args=[unit_round.pk, other.pk]))
    write = client.post(
        reverse("assessments:unit-entry-save", args=[entry.pk]), {"score": "1", "version": 1}
    )

    assert own.status_code == 200 and "Lưu nháp" in own.content.decode()
    assert (foreign.status_code, write.status_code) == (404, 404)
    entry.refresh_from_db()
    assert entry.proposed_score is None


def test_a_council_member_sees_only_its_areas_of_its_rounds(drafting, agency, framework):
    unit_round, _assessment = drafting
    member = user("hoidong", Role.COUNCIL_MEMBER)
    elsewhere = open_round(framework, 2019)
    CouncilAssignment.objects.create(
        unit_round=unit_round, member=member, area=framework.criteria.get(code="2")
    )
    client = client_of(member)

    page = client.get(reverse("assessments:unit-assessment", args=[unit_round.pk, agency.pk]))
    other = client.get(reverse("assessments:unit-assessment", args=[elsewhere.pk, agency.pk]))

    text = page.content.decode()
    assert page.status_code == 200
    assert "Tiêu chí 2.1" in text and "Tiêu chí 1.1" not in text
    assert other.status_code == 404


def test_the_assessment_page_queries_do_not_grow_with_documents(
    drafting, agency, unit_user, django_assert_max_num_queries
):
    unit_round, _assessment = drafting
    client = client_of(unit_user)
    url = reverse("assessments:unit-assessment", args=[unit_round.pk, agency.pk])
    for number in range(2):
        _document(agency, f"{number}/KH")
    with django_assert_max_num_queries(14) as first:
        client.get(url)
    for number in range(2, 12):
        _document(agency, f"{number}/KH")

    with django_assert_max_num_queries(len(first.captured_queries)):
        assert client.get(url).status_code == 200


def test_a_round_without_approved_results_is_not_published(drafting, leader):
    unit_round, _assessment = drafting

    response = client_of(leader).post(
        reverse("assessments:unit-round-publish", args=[unit_round.pk]),
        {"is_public": "on"},
        follow=True,
    )

    assert "Chưa có đơn vị nào được phê duyệt kết quả." in response.content.decode()
    unit_round.refresh_from_db()
    assert not unit_round.is_published


def test_a_leader_publishes_a_round_to_the_public(two_departments, leader):
    unit_round, _y_te = two_departments

    response = client_of(leader).post(
        reverse("assessments:unit-round-publish", args=[unit_round.pk]), {"is_public": "on"}
    )

    assert response.status_code == 302
    unit_round.refresh_from_db()
    assert (unit_round.is_published, unit_round.is_public, unit_round.published_by) == (
        True, True, leader,
    )  # fmt: skip


def test_a_round_walked_through_the_pages(drafting, agency, unit_user, noivu_staff, leader):
    unit_round, assessment = drafting
    unit, staff, boss = client_of(unit_user), client_of(noivu_staff), client_of(leader)
    step = lambda name: reverse(  # noqa: E731
        "assessments:unit-assessment-step", args=[unit_round.pk, agency.pk, name]
    )
    for entry in assessment.entries.select_related("criterion").filter(criterion__kind="regular"):
        unit.post(
            reverse("assessments:unit-entry-save", args=[entry.pk]),
            {"score": str(entry.criterion.max_score), "version": entry.version},
        )
    unit.post(step("send"))
    cut = assessment.entries.get(criterion__code="2.1")
    missing_reason = staff.post(
        reverse("assessments:unit-entry-appraise", args=[cut.pk]),
        {"score": "7", "version": cut.version},
        follow=True,
    )
    staff.post(
        reverse("assessments:unit-entry-appraise", args=[cut.pk]),
        {"score": "7", "reason": "Thiếu kế hoạch", "version": cut.version},
    )
    for entry in assessment.entries.filter(appraised_score__isnull=True, criterion__kind="regular"):
        staff.post(
            reverse("assessments:unit-entry-appraise", args=[entry.pk]),
            {"version": entry.version},
        )
    staff.post(step("complete"))
    cut.refresh_from_db()
    unit.post(
        reverse("assessments:unit-entry-respond", args=[cut.pk]),
        {"response": "Kế hoạch số 3/KH, trang 1", "version": cut.version},
    )
    cut.refresh_from_db()
    staff.post(
        reverse("assessments:unit-entry-final", args=[cut.pk]),
        {"score": "9", "version": cut.version},
    )
    staff.post(step("finalize"))
    boss.post(step("approve"))

    assert "cần ghi lý do" in missing_reason.content.decode()
    assessment.refresh_from_db()
    cut.refresh_from_db()
    assert assessment.status == Assessment.Status.APPROVED
    assert (cut.proposed_score, cut.appraised_score, cut.response, cut.final_score) == (
        D(10), D(7), "Kế hoạch số 3/KH, trang 1", D(9),
    )  # fmt: skip
    assert [t.to_status for t in assessment.transitions.all()] == [
        "sent", "appraised", "response", "final", "approved",
    ]  # fmt: skip


def test_the_public_page_shows_the_tables_a_leader_made_public(two_departments, leader, settings):
    settings.PAR_PUBLIC_PAGE_ENABLED = True
    national = Framework.objects.create(code="QĐ 2948/QĐ-BNV", name="Đề án", first_year=2017)
    Plan.objects.create(
        number="252/KH-UBND", title="Kế hoạch", issued_on=datetime.date(2018, 9, 19),
        province="Tiền Giang", framework=national, baseline_year=2017, first_year=2018,
        last_year=2020,
    )  # fmt: skip
    unit_round, _y_te = two_departments
    url = reverse("reports:public-overview")

    hidden = Client().get(url).content.decode()
    units.publish(unit_round=unit_round, by=leader, public=True)
    shown = Client().get(url).content.decode()

    assert "18,36" not in hidden
    assert "18,36" in shown and "Sở Y tế" in shown
    assert "/reports/units/" not in shown


def test_tied_units_are_listed_in_vietnamese_alphabetical_order(framework, leader):
    unit_round = open_round(framework)
    for name in ["Sở Giáo dục và Đào tạo", "Sở Đối ngoại", "Sở Công Thương", "Sở Y tế"]:
        finals = {"1.1": "4", "2.1": "9"} if name == "Sở Y tế" else {"1.1": "3", "2.1": "9"}
        approved(unit_round, department(name), finals)

    table = client_of(leader).get(reverse("reports:unit-results", args=[2020])).content.decode()

    # Sở Y tế first (13); the three at 12 share rank 2, Đ between C and G.
    rows = re.findall(r'<td class="num">(\d+)</td>\s*<td><a [^>]*>([^<]+)</a>', table)
    assert rows == [
        ("1", "Sở Y tế"), ("2", "Sở Công Thương"), ("2", "Sở Đối ngoại"),
        ("2", "Sở Giáo dục và Đào tạo"),
    ]  # fmt: skip


def test_an_approved_assessment_keeps_its_rows_when_an_exemption_comes_later(
    two_departments, framework, leader
):
    unit_round, y_te = two_departments
    url = reverse("assessments:unit-assessment", args=[unit_round.pk, y_te.pk])
    before = client_of(leader).get(url).content.decode()

    Exemption.objects.create(agency=y_te, criterion=framework.criteria.get(code="2"))
    after = client_of(leader).get(url).content.decode()

    entry = Entry.objects.get(assessment__agency=y_te, criterion__code="2.1")
    row = re.compile(rf'id="entry-{entry.pk}">.*?</tr>', re.S)
    assert 'class="final">8<' in row.search(before).group()
    assert row.search(after).group() == row.search(before).group()
    assert "Được miễn đánh giá" not in after


def test_a_draft_stays_the_units_own_until_it_is_sent(
    drafting, agency, unit_user, noivu_staff, leader, framework
):
    unit_round, assessment = drafting
    member = user("hoidong", Role.COUNCIL_MEMBER)
    CouncilAssignment.objects.create(
        unit_round=unit_round, member=member, area=framework.criteria.get(code="1")
    )
    entry = assessment.entries.get(criterion__code="1.2")
    client_of(unit_user).post(
        reverse("assessments:unit-entry-save", args=[entry.pk]),
        {"score": "4,5", "explanation": "Bản nháp chưa gửi", "version": entry.version},
    )
    url = reverse("assessments:unit-assessment", args=[unit_round.pk, agency.pk])

    own = client_of(unit_user).get(url).content.decode()
    assert "Bản nháp chưa gửi" in own and 'id="draft-note"' not in own
    for person in (noivu_staff, leader, member):
        page = client_of(person).get(url).content.decode()
        assert "Bản nháp chưa gửi" not in page
        assert 'id="draft-note"' in page and "Tiêu chí 1.2" in page
