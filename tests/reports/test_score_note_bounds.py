"""The reason for lost points (the official score's note) has a maximum length: the grid
and the admin refuse a longer one with a message that names the field and the limit."""

from decimal import Decimal

import pytest
from django.urls import reverse

from criteria.models import Score
from tests.reports.test_score_entry import HTMX, row_data, save_url, scores_of

pytestmark = pytest.mark.django_db

LIMIT_MESSAGE = "“Lý do bị trừ điểm” dài tối đa 2.000 ký tự; nội dung đang có 2.001 ký tự."


def test_long_reason_is_refused_with_the_length_message_not_a_missing_reason(
    staff_client, plan, tree
):
    leaf = tree["1.2"]

    response = staff_client.post(
        save_url(leaf),
        row_data(self_value="3", official_value="2", note="x" * 2001),
        headers=HTMX,
    )

    assert response.status_code == 422
    text = response.content.decode()
    assert LIMIT_MESSAGE in text
    assert "hãy ghi lý do bị trừ điểm" not in text
    assert not Score.objects.exists()


def test_reason_at_the_limit_is_saved(staff_client, plan, tree):
    leaf = tree["1.2"]

    response = staff_client.post(
        save_url(leaf),
        row_data(self_value="3", official_value="2", note="x" * 2000),
        headers=HTMX,
    )

    assert response.status_code == 200
    assert len(scores_of(leaf)[Score.Kind.OFFICIAL][2]) == 2000


def test_admin_refuses_a_long_note_naming_the_field(admin_client, scored_plan, tree):
    score = Score.objects.filter(criterion=tree["1.1.1"]).first()
    url = reverse("admin:criteria_score_change", args=[score.pk])

    response = admin_client.post(
        url,
        {
            "criterion": score.criterion_id,
            "year": score.year,
            "kind": score.kind,
            "value": str(score.value),
            "note": "x" * 2001,
            "seen_version": score.version,
        },
    )

    assert response.status_code == 200
    assert "“Ghi chú” dài tối đa 2.000 ký tự; nội dung đang có 2.001 ký tự." in response.text
    score.refresh_from_db()
    assert score.note != "x" * 2001


def test_score_value_unchanged_by_a_refused_note(staff_client, scored_plan, tree):
    leaf = tree["1.1.1"]
    before = scores_of(leaf)

    staff_client.post(
        save_url(leaf),
        row_data(official_value="0,5", official_version="1", note="x" * 2001),
        headers=HTMX,
    )

    assert scores_of(leaf) == before
    assert Decimal(0) <= before[Score.Kind.OFFICIAL][0]
