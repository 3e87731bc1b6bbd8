"""The admin of responsibilities, content areas and tasks with their targets."""

import pytest
from django.urls import reverse

from assignments.models import Agency, Responsibility, Task

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "name",
    [
        "assignments_responsibility_changelist",
        "assignments_contentarea_changelist",
        "assignments_task_changelist",
    ],
)
def test_changelists_open(admin_client, plan, name):
    response = admin_client.get(reverse(f"admin:{name}"))

    assert response.status_code == 200


def test_task_page_shows_its_targets_inline(admin_client, plan):
    task = Task.objects.get(content_area__number=8, number=1)

    response = admin_client.get(reverse("admin:assignments_task_change", args=[task.pk]))

    assert response.status_code == 200
    assert "Tỷ lệ hồ sơ giải quyết đúng hạn" in response.text
    assert 'name="targets-0-value_max"' in response.text


def test_a_responsibility_changed_in_the_admin_is_kept_by_imports(admin_client, plan):
    survey = Responsibility.objects.get(plan=plan, criterion__code="8.1")
    noivu = Agency.objects.get(name="Sở Nội vụ")

    response = admin_client.post(
        reverse("admin:assignments_responsibility_change", args=[survey.pk]),
        {"leads": [noivu.pk], "supporting": [], "groups": [], "is_edited": "", "basis": "survey"},
    )

    assert response.status_code == 302
    survey.refresh_from_db()
    assert list(survey.leads.all()) == [noivu]
    assert (survey.is_edited, survey.is_confirmed) == (True, True)


def test_noivu_confirms_the_proposed_owners_of_many_criteria_at_once(admin_client, plan):
    chosen = list(Responsibility.objects.filter(plan=plan).order_by("pk")[:2])
    assert not any(r.is_confirmed for r in chosen)

    response = admin_client.post(
        reverse("admin:assignments_responsibility_changelist"),
        {"action": "confirm_owners", "_selected_action": [r.pk for r in chosen]},
    )

    assert response.status_code == 302
    confirmed = Responsibility.objects.filter(pk__in=[r.pk for r in chosen])
    assert all(r.is_confirmed and r.is_edited for r in confirmed)
    assert Responsibility.objects.filter(plan=plan, is_confirmed=False).exists()
    assert chosen[0].history.latest("history_id").is_confirmed is True
