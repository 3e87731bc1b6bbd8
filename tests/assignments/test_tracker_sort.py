"""The tracker sorted by any of its columns (?sort=, "-" the other way round), overdue
agencies first by default, across the pages."""

import datetime

import pytest
from django.urls import reverse

from assignments import views
from assignments.models import Extension, Report
from tests.assignments.reporting import make_report

pytestmark = pytest.mark.django_db

TRACKER = reverse("assignments:cycle-detail", args=[2019])


@pytest.fixture
def reports(world) -> None:
    """Missing: Sở TP 1 (1.1 sent, 1.2 returned), H. Cái Bè 2, Sở TC 0."""
    make_report(world, "1.1", status=Report.Status.SUBMITTED)
    make_report(world, "1.2", status=Report.Status.RETURNED)
    make_report(world, "1.2", agency=world.other, status=Report.Status.ACCEPTED)
    make_report(world, "2.1", agency=world.other)
    make_report(world, "2.2", agency=world.third, status=Report.Status.ACCEPTED)


def _names(response) -> list[str]:
    return [row.agency.short_name for row in response.context["rows"]]


@pytest.mark.parametrize(
    ("sort", "names"),
    [
        ("agency", ["Sở TC", "Sở TP", "H. Cái Bè"]),  # Sở Tài chính, Sở Tư pháp, UBND ...
        ("-agency", ["H. Cái Bè", "Sở TP", "Sở TC"]),
        ("missing", ["Sở TC", "Sở TP", "H. Cái Bè"]),
        ("-missing", ["H. Cái Bè", "Sở TP", "Sở TC"]),
        ("expected", ["Sở TC", "Sở TP", "H. Cái Bè"]),  # 1, 3, 3: ties keep the default
        ("returned", ["H. Cái Bè", "Sở TC", "Sở TP"]),
        ("-accepted", ["H. Cái Bè", "Sở TC", "Sở TP"]),
        ("reported", ["Sở TP", "H. Cái Bè", "Sở TC"]),  # one each: the default order
        ("-deadline", ["H. Cái Bè", "Sở TP", "Sở TC"]),  # Cái Bè's extension runs later
    ],
)
def test_tracker_sorts_by_each_column(world, reports, today, noivu_client, sort, names):
    Extension.objects.create(
        cycle=world.cycle, agency=world.other, until=datetime.date(2019, 12, 10)
    )

    response = noivu_client.get(TRACKER, {"sort": sort})

    assert _names(response) == names


def test_junk_sort_falls_back_to_overdue_first(world, reports, today, noivu_client):
    today(datetime.date(2019, 11, 26))  # Sở TP and Cái Bè overdue, two tasks outstanding each
    default = noivu_client.get(TRACKER)

    response = noivu_client.get(TRACKER, {"sort": "password"})

    assert _names(default) == _names(response) == ["Sở TP", "H. Cái Bè", "Sở TC"]
    assert response.context["sort"] == ""
    assert "aria-sort" not in response.text
    assert 'name="sort"' not in response.text


def test_sorted_column_heading_links_the_other_way_round(world, reports, today, noivu_client):
    response = noivu_client.get(TRACKER, {"sort": "missing", "kind": "department"})

    text = response.text
    assert 'aria-sort="ascending"' in text
    assert 'href="?sort=-missing&amp;kind=department"' in text
    assert 'href="?sort=agency&amp;kind=department"' in text
    assert '<input type="hidden" name="sort" value="missing">' in text  # the filter keeps it


def test_pages_follow_the_sort(world, reports, today, noivu_client, monkeypatch):
    monkeypatch.setattr(views, "TRACKER_PAGE_SIZE", 1)

    first = noivu_client.get(TRACKER, {"sort": "agency"})
    second = noivu_client.get(TRACKER, {"sort": "agency", "page": 2})

    assert _names(first) == ["Sở TC"]
    assert _names(second) == ["Sở TP"]
    assert 'href="?sort=agency&amp;page=2"' in first.text
    assert second.context["totals"]["expected"] == 7  # the totals count every page


def test_sorting_adds_no_query(world, reports, today, noivu_client, django_assert_num_queries):
    # As test_tracker_query_count_does_not_grow_with_agencies_and_reports.
    with django_assert_num_queries(14):
        noivu_client.get(TRACKER, {"sort": "-missing"})
