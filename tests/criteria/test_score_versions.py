"""Every write of a score raises its version, whichever path writes it (the grid, the
admin, the appendix import, a command or code that saves a score), so that a page built
before the write is refused instead of silently undoing it."""

import io
from decimal import Decimal
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.urls import reverse

from criteria.models import Criterion, Plan, Score, StaleRowError
from reports.services import ScoreEntry, save_scores

pytestmark = pytest.mark.django_db
SEED = Path(settings.BASE_DIR) / "fixtures"
D = Decimal


@pytest.fixture
def seeded() -> Plan:
    call_command("loaddata", SEED / "seed_plan.json", verbosity=0)
    _import_seed()
    return Plan.objects.get()


def _import_seed() -> None:
    call_command(
        "import_appendix",
        str(SEED / "appendix_252_KH-UBND.xlsx"),
        stdout=io.StringIO(),
        stderr=io.StringIO(),
    )


@pytest.fixture
def score(seeded) -> Score:
    """The 2017 official score of 3.4.1, as the appendix states it."""
    return Score.objects.get(criterion__code="3.4.1", year=2017, kind=Score.Kind.OFFICIAL)


def _admin_post(client, score: Score, *, value: str, version: int | None):
    data = {
        "criterion": score.criterion_id,
        "year": score.year,
        "kind": score.kind,
        "value": value,
        "note": "Sửa theo kết quả thẩm định chính thức",
    }
    if version is not None:
        data["seen_version"] = version
    return client.post(reverse("admin:criteria_score_change", args=[score.pk]), data)


def _grid_save(score: Score, value: str, version: int, user) -> bool:
    entry = ScoreEntry(D(value), version, note="")
    return save_scores(
        criterion=score.criterion, year=score.year, entries={score.kind: entry}, by=user
    )


def test_admin_correction_raises_the_version(score, admin_client):
    before = score.version

    response = _admin_post(admin_client, score, value="0.5", version=before)

    assert response.status_code == 302
    score.refresh_from_db()
    assert (score.value, score.version) == (D("0.5"), before + 1)


def test_grid_page_built_before_an_admin_correction_cannot_overwrite_it(
    score, admin_client, noivu_staff
):
    grid_version = score.version  # the grid page is open with this version
    _admin_post(admin_client, score, value="0.5", version=score.version)

    with pytest.raises(StaleRowError):
        _grid_save(score, "0.25", grid_version, noivu_staff)

    score.refresh_from_db()
    assert score.value == D("0.5")


def test_admin_page_built_before_a_grid_save_is_refused(score, admin_client, noivu_staff):
    admin_version = score.version  # the admin change page is open with this version
    _grid_save(score, "0.25", score.version, noivu_staff)

    response = _admin_post(admin_client, score, value="0.5", version=admin_version)

    assert response.status_code == 200
    assert "vừa được người khác cập nhật" in response.text
    score.refresh_from_db()
    assert score.value == D("0.25")


def test_admin_change_form_carries_the_version(score, admin_client):
    response = admin_client.get(reverse("admin:criteria_score_change", args=[score.pk]))

    assert f'name="seen_version" value="{score.version}"' in response.text


def test_grid_save_raises_the_version(score, noivu_staff):
    before = score.version

    _grid_save(score, "0.25", before, noivu_staff)

    score.refresh_from_db()
    assert score.version == before + 1


def test_appendix_import_command_raises_the_version(score, noivu_staff):
    _grid_save(score, "0.25", score.version, noivu_staff)  # differs from the appendix
    score.refresh_from_db()
    grid_version = score.version

    _import_seed()  # the appendix's 2017 value comes back

    score.refresh_from_db()
    assert score.value != D("0.25")
    assert score.version == grid_version + 1
    with pytest.raises(StaleRowError):
        _grid_save(score, "0.3", grid_version, noivu_staff)


def test_saving_a_score_in_code_raises_the_version(score):
    before = score.version
    score.note = "Ghi chú của lệnh quản trị"

    score.save()

    assert score.version == before + 1
    assert Score.objects.get(pk=score.pk).version == before + 1


def test_saving_a_score_read_before_another_write_is_refused(score, noivu_staff):
    stale = Score.objects.get(pk=score.pk)
    _grid_save(score, "0.25", score.version, noivu_staff)
    stale.value = D("0.3")

    with pytest.raises(StaleRowError):
        stale.save()

    assert Score.objects.get(pk=score.pk).value == D("0.25")


def test_queryset_updates_raise_the_version(score):
    before = score.version

    Score.objects.filter(pk=score.pk).update(note="Cập nhật hàng loạt")

    assert Score.objects.get(pk=score.pk).version == before + 1


def test_a_new_score_starts_at_version_one(seeded):
    criterion = Criterion.objects.get(code="3.4.1")

    created = Score.objects.create(criterion=criterion, year=2019, kind="self", value=D("0.5"))

    assert created.version == Score.objects.get(pk=created.pk).version == 1
