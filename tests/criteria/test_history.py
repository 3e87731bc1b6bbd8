"""The audit trail: every write path leaves history, and a page per criterion shows it."""

import io
from decimal import Decimal
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.urls import reverse

from criteria.models import Criterion, Plan, Score
from reports.services import ScoreEntry, save_scores

pytestmark = pytest.mark.django_db
SEED = Path(settings.BASE_DIR) / "fixtures"


@pytest.fixture
def seeded() -> Plan:
    call_command("loaddata", SEED / "seed_plan.json", verbosity=0)
    call_command(
        "import_appendix",
        str(SEED / "appendix_252_KH-UBND.xlsx"),
        stdout=io.StringIO(),
        stderr=io.StringIO(),
    )
    return Plan.objects.get()


def test_bulk_import_leaves_a_history_row_for_every_criterion_and_score(seeded):
    assert Criterion.history.filter(history_type="+").count() == 107
    assert (
        Score.history.filter(history_type="+", year=2017).count()
        == Score.objects.filter(year=2017).count()
    )


def test_score_saved_in_the_grid_records_who_and_old_and_new(seeded, noivu_staff):
    criterion = Criterion.objects.get(code="3.4.1")
    version = Score.objects.get(criterion=criterion, year=2017).version

    save_scores(
        criterion=criterion,
        year=2017,
        entries={"official": ScoreEntry(value=Decimal("0.5"), version=version)},
        by=noivu_staff,
    )

    latest = Score.history.filter(criterion_id=criterion.pk).latest("history_date")
    assert latest.history_user == noivu_staff
    assert latest.value == Decimal("0.5")
    assert latest.prev_record.value == Decimal(0)


def test_admin_change_records_history_with_the_user(seeded, admin_client, admin_user):
    criterion = Criterion.objects.get(code="1.1")

    admin_client.post(
        reverse("admin:criteria_criterion_change", args=[criterion.pk]),
        {
            "framework": criterion.framework_id,
            "parent": criterion.parent_id or "",
            "code": "1.1",
            "title": "Kế hoạch cải cách hành chính",
            "max_score": "1.5",
            "is_survey": "",
            "kind": "regular",
        },
    )

    latest = Criterion.history.filter(id=criterion.pk).latest("history_date")
    assert latest.title == "Kế hoạch cải cách hành chính"
    assert latest.history_user == admin_user


def test_history_page_shows_the_change_with_old_and_new_values(seeded, client, noivu_staff):
    criterion = Criterion.objects.get(code="6.2")
    save_scores(
        criterion=criterion,
        year=2017,
        entries={"official": ScoreEntry(value=Decimal("1.5"), version=1)},
        by=noivu_staff,
    )
    client.force_login(noivu_staff)

    response = client.get(reverse("criteria:criterion-history", args=[criterion.pk]))

    page = response.content.decode()
    assert response.status_code == 200
    assert "Lịch sử thay đổi của tiêu chí 6.2" in page
    assert "Điểm: <del>2,00</del> → <ins>1,50</ins>" in page
    assert "Sửa" in page and "Tạo mới" in page


def test_history_page_query_count_does_not_grow_with_the_changes(
    seeded, client, noivu_staff, django_assert_num_queries
):
    criterion = Criterion.objects.get(code="3.4")
    client.force_login(noivu_staff)
    url = reverse("criteria:criterion-history", args=[criterion.pk])
    for value in ("1", "1.5", "2"):
        version = Score.objects.get(criterion=criterion, year=2017).version
        save_scores(
            criterion=criterion,
            year=2017,
            entries={"official": ScoreEntry(value=Decimal(value), version=version)},
            by=noivu_staff,
        )

    # session, user, criterion with framework, criterion / score / target / action history,
    # user's groups (the navigation's role links)
    with django_assert_num_queries(8):
        client.get(url)


def test_history_page_sends_anonymous_to_login(seeded, client):
    response = client.get(
        reverse("criteria:criterion-history", args=[Criterion.objects.first().pk])
    )

    assert response.status_code == 302
    assert reverse("login") in response.headers["Location"]


def test_history_page_refuses_post_and_unknown_criteria(seeded, client, leader):
    client.force_login(leader)
    pk = Criterion.objects.first().pk

    assert client.post(reverse("criteria:criterion-history", args=[pk])).status_code == 405
    assert client.get(reverse("criteria:criterion-history", args=[999999])).status_code == 404
