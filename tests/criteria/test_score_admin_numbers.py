"""The admin's score form reads numbers as the score grid does: "0,5" or "0.5" in every
language, never an exponent, NaN or thousands separators, never above the maximum."""

from decimal import Decimal

import pytest
from django.conf import settings
from django.urls import reverse

from tests.criteria import test_score_versions as versions

# The seeded plan and its 2017 official score of 3.4.1, as the version tests build them.
seeded, score = versions.seeded, versions.score
_admin_post = versions._admin_post

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("language", ["vi", "en"])
@pytest.mark.parametrize(("typed", "stored"), [("0,5", Decimal("0.5")), ("0.25", Decimal("0.25"))])
def test_admin_score_accepts_a_comma_or_a_dot_in_every_language(
    score, admin_client, language, typed, stored
):
    admin_client.cookies[settings.LANGUAGE_COOKIE_NAME] = language

    response = _admin_post(admin_client, score, value=typed, version=score.version)

    assert response.status_code == 302
    score.refresh_from_db()
    assert score.value == stored


@pytest.mark.parametrize("typed", ["1e5", "NaN", "Infinity", "1.000,5", "0,5,5", "-1"])
def test_admin_score_refuses_what_is_not_a_plain_number(score, admin_client, typed):
    before = (score.value, score.version)

    response = _admin_post(admin_client, score, value=typed, version=score.version)

    assert response.status_code == 200
    errors = response.context["adminform"].form.errors["value"]
    assert errors and all(error[0].isupper() or error[0] == "“" for error in errors), errors
    assert f"“{typed}” không phải là số" in errors[0] or errors[0] == "Điểm không được âm (“-1”)."
    score.refresh_from_db()
    assert (score.value, score.version) == before


def test_admin_score_above_the_maximum_names_it(score, admin_client):
    before = score.value

    response = _admin_post(admin_client, score, value="55", version=score.version)

    assert response.status_code == 200
    [error] = response.context["adminform"].form.errors["value"]
    assert "vượt quá điểm chuẩn" in error and score.criterion.code in error
    score.refresh_from_db()
    assert score.value == before


def test_admin_score_form_shows_the_stored_value_with_a_comma_in_vietnamese(score, admin_client):
    score.value = Decimal("0.75")
    score.save()

    response = admin_client.get(reverse("admin:criteria_score_change", args=[score.pk]))

    assert 'name="value" value="0,75"' in response.text
