"""The run command's data (assessments/management/commands/load_demo.py, assignments/demo.py,
assessments/demo.py): the seed plan, the agencies, one demo account per role, the agencies'
yearly reports of 2019 (all accepted) and 2020 (one in each state) and the units' index
(tests/assessments/test_demo_units.py)."""

import io
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command

from assessments.models import (
    Assessment,
    AssessmentRound,
    AssessmentTransition,
    CouncilAssignment,
    Entry,
    EntryEvidence,
)
from assignments.demo import DEMO_ACCOUNTS, DEMO_PASSWORD
from assignments.models import (
    Agency,
    EvidenceDocument,
    EvidenceLink,
    Exemption,
    Membership,
    OutgoingMail,
    Report,
    ReportingCycle,
    ReportTransition,
    ReportValue,
    Responsibility,
    Role,
    ScoreProposal,
    Task,
    UnitCluster,
    YearlyReport,
    YearlyTransition,
    user_agency,
    user_role,
)
from assignments.progress import build_workspace
from criteria.models import (
    Criterion,
    Framework,
    IndexResult,
    NationalResult,
    Province,
    RankGoal,
    Score,
    UnitBand,
)
from reports.rollups import YearResults, agency_stakes

pytestmark = pytest.mark.django_db


def test_load_demo_gives_the_seed_plan_agencies_and_an_account_per_role(settings):
    settings.DEBUG = True

    call_command("load_demo", stdout=io.StringIO())

    # The plan's 107; the units' frameworks (tests/assessments/test_demo_units.py) aside.
    assert Criterion.objects.filter(framework__unit_type="").count() == 107
    assert IndexResult.objects.filter(province="Tiền Giang").count() == 3
    assert Province.objects.count() == 63
    tien_giang = NationalResult.objects.get(table__year=2018, province__name="Tiền Giang")
    assert (tien_giang.total, tien_giang.rank) == (Decimal("73.69"), 54)
    goal = RankGoal.objects.get(plan__number="252/KH-UBND")
    assert goal.kind == RankGoal.Kind.HIGHER_THAN_PREVIOUS
    assert Agency.objects.filter(name="UBND huyện Tân Phú Đông").exists()
    assert Task.objects.filter(content_area__plan__number="252/KH-UBND").count() == 39
    # Every scored leaf has a lead; 1.2 and 8.1 through the section II tasks that serve them.
    assert Responsibility.objects.filter(is_recognised=True).count() == 76
    assert set(Report.objects.values_list("status", flat=True)) == set(Report.Status.values)
    assert Score.objects.filter(
        year=2018, kind=Score.Kind.SELF, note__startswith="Dữ liệu minh họa"
    ).exists()
    users = get_user_model().objects.in_bulk(
        [name for name, *_ in DEMO_ACCOUNTS], field_name="username"
    )
    assert {user_role(users[name]) for name in users} == set(Role)
    assert user_agency(users["sotuphap"]).name == "Sở Tư pháp"
    # Sở Nội vụ's staff belong to Sở Nội vụ, which reports on its year like any agency, and
    # remain Sở Nội vụ staff.
    assert user_agency(users["noivu"]).name == "Sở Nội vụ"
    assert user_role(users["noivu"]) == Role.NOIVU_STAFF


def _demo_state(media) -> dict:
    """Every row the demo's work writes, with what a change would alter, and the stored files."""
    state = {
        model.__name__: sorted(model.objects.values_list("pk", *fields))
        for model, fields in [
            (Criterion, ["code"]),
            (Agency, ["name"]),
            (Task, ["text"]),
            (Score, ["value"]),
            (ReportingCycle, ["deadline"]),
            (YearlyReport, ["status", "version", "updated_at"]),
            (Report, ["status", "version", "updated_at"]),
            (ReportValue, ["value"]),
            (ReportTransition, ["to_status", "at"]),
            (YearlyTransition, ["to_status", "at"]),
            (ScoreProposal, ["score", "version", "updated_at"]),
            (EvidenceDocument, ["sha256"]),
            (EvidenceLink, ["location"]),
            (OutgoingMail, ["to"]),
            (Membership, ["agency"]),
            (Framework, ["code", "max_score"]),
            (UnitBand, ["min_score"]),
            (UnitCluster, ["name"]),
            (Exemption, ["criterion"]),
            (AssessmentRound, ["opens_on", "deadline", "published_at"]),
            (CouncilAssignment, ["area"]),
            (Assessment, ["status", "version", "updated_at"]),
            (AssessmentTransition, ["to_status", "at"]),
            (Entry, ["final_score", "version"]),
            (EntryEvidence, ["location"]),
        ]
    }
    state["history"] = [
        model.history.count()
        for model in (Report, YearlyReport, ScoreProposal, EvidenceLink, Assessment, Entry)
    ]
    state["files"] = sorted(str(path) for path in media.rglob("*") if path.is_file())
    return state


def test_load_demo_twice_changes_nothing(settings):
    settings.DEBUG = True
    call_command("load_demo", stdout=io.StringIO())
    before = _demo_state(settings.MEDIA_ROOT)

    call_command("load_demo", stdout=(out := io.StringIO()))

    assert _demo_state(settings.MEDIA_ROOT) == before
    assert len(before["YearlyReport"]) > 30
    assert len(before["Assessment"]) > 60
    assert len(before["files"]) == len(before["EvidenceDocument"]) > 30
    assert get_user_model().objects.count() == len(DEMO_ACCOUNTS)
    assert "0 tiêu chí mới, 0 dòng thay đổi" in out.getvalue()
    assert "Báo cáo năm minh họa" not in out.getvalue()
    assert "Chỉ số CCHC minh họa của các đơn vị" not in out.getvalue()


def test_load_demo_refuses_accounts_when_debug_is_off(settings):
    settings.DEBUG = False

    with pytest.raises(CommandError, match="DEBUG tắt"):
        call_command("load_demo", stdout=io.StringIO())

    assert not get_user_model().objects.exists()


def test_load_demo_without_accounts_works_in_production(settings):
    settings.DEBUG = False

    call_command("load_demo", "--no-accounts", stdout=io.StringIO())

    assert Criterion.objects.count() == 107
    assert not get_user_model().objects.exists()


def test_demo_accounts_log_in_through_the_login_page(settings, client):
    settings.DEBUG = True
    call_command("load_demo", stdout=io.StringIO())

    response = client.post("/accounts/login/", {"username": "sotuphap", "password": DEMO_PASSWORD})

    assert response.status_code == 302
    assert client.session["_auth_user_id"]


def test_demo_gives_every_leaf_an_owner_and_each_district_leads_its_part(settings):
    settings.DEBUG = True
    call_command("load_demo", stdout=io.StringIO())
    cycle = ReportingCycle.objects.get(year=2020)
    cai_be = Agency.objects.get(name="UBND huyện Cái Bè")

    stakes = agency_stakes(YearResults.build(cycle.plan, 2017))
    workspace = build_workspace(agency=cai_be, cycle=cycle, today=cycle.deadline)

    assert all(stake.owners for stake in stakes)
    assert sum(len(stake.rows) for stake in stakes) == 76
    led = {row.criterion.code for row in workspace.criteria if row.is_lead}
    assert {"3.4.2", "5.7.1", "5.7.2"} <= led
    leads = {
        r.criterion.code: {a.short_name for a in r.leads.all()}
        for r in Responsibility.objects.prefetch_related("leads").select_related("criterion")
    }
    assert leads["4.4"] == {"Sở NV", "VPUB"}
    assert leads["7.5"] == {"Sở TT&TT", "Sở KH&CN"}
    assert leads["5.2.2"] == set()
    assert leads["1.2"] == {"Sở NV"}
