"""load_demo's province index of its units (assessments/demo.py): the example frameworks,
the 2019 and 2020 rounds, and what each demo account finds there: Sở Nội vụ the ranked
results, `hoidong` the assessments waiting for his areas, `sotuphap` its draft, `caibe` its
appraisal to respond to. load_demo runs once for the module, rolled back at its end."""

import io
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import transaction
from django.test import Client, override_settings
from django.urls import reverse
from django.utils import timezone

from assessments import units
from assessments.demo import AWAITING_COUNCIL, COUNCIL_AREAS, EXEMPT, PUBLISHED_2020
from assessments.models import Assessment, AssessmentRound, CouncilAssignment, Entry
from assessments.ranking import round_results
from assignments.models import Agency, Exemption, UnitCluster
from criteria.models import Framework, UnitBand
from criteria.templatetags.scores import score as format_score

D = Decimal
Status = Assessment.Status
TYPES = {"department", "district", "branch"}


@pytest.fixture(scope="module")
def demo_units(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), override_settings(DEBUG=True), transaction.atomic():
        call_command("load_demo", stdout=(out := io.StringIO()))
        yield out.getvalue()
        transaction.set_rollback(True)


@pytest.fixture
def demo(demo_units, db) -> str:
    return demo_units


def _client(username: str) -> Client:
    client = Client()
    client.force_login(get_user_model().objects.get(username=username))
    return client


def _round(year: int, unit_type: str) -> AssessmentRound:
    return AssessmentRound.objects.select_related("framework").get(year=year, unit_type=unit_type)


def _assessment(year: int, name: str) -> Assessment:
    return Assessment.objects.select_related("unit_round", "agency").get(
        unit_round__year=year, agency__name=name
    )


def test_the_frameworks_rounds_bands_and_clusters_are_loaded(demo):
    assert "Chỉ số CCHC minh họa của các đơn vị, các năm: 2019, 2020." in demo
    frameworks = Framework.objects.for_units()
    assert {f.unit_type for f in frameworks} == TYPES
    assert all(f.covers(2019) and f.covers(2020) for f in frameworks)
    assert {(r.year, r.unit_type) for r in AssessmentRound.objects.all()} == {
        (year, unit_type) for year in (2019, 2020) for unit_type in TYPES
    }
    assert AssessmentRound.objects.filter(is_published=True).count() == 6
    for year in (2019, 2020):
        for unit_type in TYPES:
            bands = UnitBand.objects.for_unit(unit_type, year)
            assert [b.name for b in bands] == ["Tốt", "Khá", "Trung bình", "Yếu"]
    cai_be = Agency.objects.get(name="UBND huyện Cái Bè")
    assert UnitCluster.objects.by_member(year=2020, unit_type="district")[cai_be.pk].name == (
        "Cụm 1"
    )
    # Every active unit of each type has its assessment in each round.
    for unit_round in AssessmentRound.objects.all():
        units_of_type = Agency.objects.filter(kind=unit_round.unit_type, is_active=True)
        assert unit_round.assessments.count() == units_of_type.count() > 3


def test_2019_is_approved_and_2020_has_each_state(demo):
    assert not Assessment.objects.filter(unit_round__year=2019).exclude(status=Status.APPROVED)
    waiting = dict(
        Assessment.objects.filter(unit_round__year=2020)
        .exclude(status=Status.APPROVED)
        .values_list("agency__name", "status")
    )
    assert waiting == {
        "Sở Tư pháp": Status.PROPOSED,
        "UBND huyện Cái Bè": Status.APPRAISED,
        AWAITING_COUNCIL[0]: Status.SENT,
        AWAITING_COUNCIL[1]: Status.SENT,
    }
    # One unit responded in 2019 and Sở Nội vụ decided on its response.
    responded = Entry.objects.filter(assessment__unit_round__year=2019).exclude(responded_at=None)
    assert responded.count() == 1
    assert responded.get().final_score == responded.get().proposed_score
    # The steps are dated when they would have happened.
    sent = Assessment.objects.filter(unit_round__year=2019).values_list("sent_at", flat=True)
    assert {moment.date().year for moment in sent} == {2019}
    today = timezone.localdate()
    open_round = _round(2020, "department")
    assert open_round.opens_on < today < open_round.deadline


def test_the_rankings_reach_the_published_totals_with_bonus_and_scaling(demo):
    results = {
        r.agency.name: r
        for unit_type in TYPES
        for r in round_results(_round(2020, unit_type)).results
    }
    assert {name: results[name].total for name in PUBLISHED_2020} == PUBLISHED_2020
    assert results["Cục Thuế tỉnh"].total > 100 and results["Cục Thuế tỉnh"].bonus > 0
    exempt = results[EXEMPT[0]]
    assert exempt.is_scaled and exempt.applicable_maximum < 100
    assert Exemption.objects.filter(agency__name=EXEMPT[0], criterion__code=EXEMPT[1]).exists()
    # Year over year for every unit approved in 2020; the departments' first is Sở Tài chính.
    assert all(r.previous_total is not None for r in results.values())
    departments = round_results(_round(2020, "department"))
    assert departments.results[0].agency.name == "Sở Tài chính"
    assert {r.band.name for r in departments.results} <= {"Tốt", "Khá"}
    bands_2019 = {r.band.name for r in round_results(_round(2019, "department")).results}
    assert len(bands_2019) >= 2
    districts = round_results(_round(2020, "district"))
    assert len(districts.clusters) >= 2
    assert all(r.cluster_rank for table in districts.clusters for r in table.results)


def test_noivu_reads_the_ranked_2020_results(demo):
    response = _client("noivu").get(reverse("reports:unit-results", args=[2020]))

    assert response.status_code == 200
    page = response.content.decode()
    for table in response.context["tables"]:
        assert table.results
        for result in table.results:
            assert result.agency.name in page
            assert format_score(result.total) in page
    assert "Cụm 1" in page
    detail = _client("noivu").get(
        reverse("reports:unit-detail", args=[2020, Agency.objects.get(name="Sở Tài chính").pk])
    )
    assert detail.status_code == 200
    assert "99,95" in detail.content.decode()


def test_hoidong_finds_the_assessments_waiting_for_his_areas(demo):
    client = _client("hoidong")
    hoidong = get_user_model().objects.get(username="hoidong")
    rounds = client.get(reverse("assessments:unit-rounds")).context["rounds"]
    assert {r.year for r in rounds} == {2019, 2020}

    for name in AWAITING_COUNCIL:
        assessment = _assessment(2020, name)
        unit_round = assessment.unit_round
        assert units.appraised_areas(hoidong, unit_round) == set(COUNCIL_AREAS)
        response = client.get(
            reverse("assessments:unit-assessment", args=[unit_round.pk, assessment.agency_id])
        )
        assert response.status_code == 200
        assert response.context["can_appraise"]
        shown = [row.entry for row in response.context["rows"] if row.entry]
        assert shown and {e.criterion.area_code for e in shown} <= set(COUNCIL_AREAS)
        # His areas wait for him; Sở Nội vụ has appraised the others.
        entries = assessment.entries.select_related("criterion")
        mine = [e for e in entries if e.criterion.area_code in COUNCIL_AREAS]
        assert all(e.appraised_score is None for e in mine)
        assert all(
            e.appraised_score is not None
            for e in entries
            if e.criterion.area_code not in COUNCIL_AREAS and e.proposed_score is not None
        )
    assert CouncilAssignment.objects.filter(member=hoidong, unit_round__year=2020).exists()

    entry = mine[0]
    response = client.post(
        reverse("assessments:unit-entry-appraise", args=[entry.pk]),
        {"score": "", "reason": "", "version": entry.version},
    )
    assert response.status_code == 302
    entry.refresh_from_db()
    assert (entry.appraised_score, entry.appraised_by) == (entry.proposed_score, hoidong)


def test_sotuphap_continues_its_draft(demo):
    assessment = _assessment(2020, "Sở Tư pháp")
    client = _client("sotuphap")
    url = reverse(
        "assessments:unit-assessment", args=[assessment.unit_round_id, assessment.agency_id]
    )

    response = client.get(url)

    assert response.status_code == 200 and response.context["can_edit"]
    entries = list(assessment.entries.select_related("criterion").order_by("criterion__sort_key"))
    written = [e for e in entries if e.proposed_score is not None]
    todo = [e for e in entries if e.proposed_score is None and not e.criterion.is_survey]
    assert written and todo
    # The draft cites a document of its yearly report too: one document serves both.
    documents = {row.document.title for e in written for row in e.evidence.all()}
    assert any(title.startswith("Kế hoạch xây dựng văn bản") for title in documents)
    entry = todo[0]
    response = client.post(
        reverse("assessments:unit-entry-save", args=[entry.pk]),
        {"score": "0,5", "explanation": "Bổ sung", "version": entry.version},
    )
    assert response.status_code == 302
    entry.refresh_from_db()
    assert entry.proposed_score == D("0.5")


def test_caibe_may_respond_to_its_appraisal(demo):
    assessment = _assessment(2020, "UBND huyện Cái Bè")
    client = _client("caibe")
    url = reverse(
        "assessments:unit-assessment", args=[assessment.unit_round_id, assessment.agency_id]
    )

    response = client.get(url)

    assert response.status_code == 200 and response.context["can_respond"]
    cut = assessment.entries.exclude(appraisal_reason="").first()
    assert cut.appraised_score < cut.proposed_score
    response = client.post(
        reverse("assessments:unit-entry-respond", args=[cut.pk]),
        {"response": "Đơn vị bổ sung tài liệu.", "version": cut.version},
    )
    assert response.status_code == 302
    assessment.refresh_from_db()
    assert assessment.status == Status.RESPONSE
