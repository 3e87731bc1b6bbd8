"""Sở Nội vụ's queue of yearly reports waiting for review, and the tracker of the cycle:
each agency's yearly report, how much of it is filled, its deadline; overdue agencies
first, sortable by every column, across pages; queries that do not grow with the data.

Who must fill what (tests/assignments/reporting.py): Sở Tư pháp leads task 1.1 and owns
1.1.1 (2 sections); Cái Bè leads 1.2, 2.1, 2.2 and owns 1.1.2 and 2.1 (5); Sở Tài chính
only coordinates 2.2 through the departments' group (0).
"""

import datetime
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from assignments import review_views, yearly
from assignments.models import Agency, Extension, Report, YearlyReport
from assignments.services import save_report
from tests.assignments.reporting import build_world
from tests.assignments.yearly_reports import fill, library_document, send

pytestmark = pytest.mark.django_db

TRACKER = reverse("assignments:cycle-detail", args=[2019])
QUEUE = reverse("assignments:review-list")


def _at(day: int) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime(2019, 10, day, 9, 30))


def _sent_on(report: YearlyReport, day: int) -> YearlyReport:
    YearlyReport.objects.filter(pk=report.pk).update(submitted_at=_at(day))
    report.refresh_from_db()
    return report


@pytest.fixture
def reports(world, today, agency_user, other_agency_user) -> dict[str, YearlyReport]:
    """Sở Tư pháp sent its report on 20/10; Cái Bè drafts, one task result written;
    Sở Tài chính has not opened its report."""
    tu_phap = yearly.open_yearly_report(cycle=world.cycle, agency=world.agency)
    fill(tu_phap, agency_user, library_document(world.agency))
    tu_phap = _sent_on(send(tu_phap, agency_user), 20)
    cai_be = yearly.open_yearly_report(cycle=world.cycle, agency=world.other)
    task_report = cai_be.task_reports.get(task=world.tasks["1.2"])
    save_report(
        report=task_report,
        by=other_agency_user,
        progress=Report.Progress.IN_PROGRESS,
        narrative="Đã kiểm tra 12 đơn vị.",
        values={},
        version=task_report.version,
    )
    return {"Sở TP": tu_phap, "H. Cái Bè": cai_be}


def _names(response) -> list[str]:
    return [row.agency.short_name for row in response.context["rows"]]


def _row_ids(response) -> list[str]:
    """The tracker's rows as the page shows them, also when it comes from the cache."""
    return re.findall(r'<tr id="(agency-\d+)"', response.text)


# -- The review queue ----------------------------------------------------------------------


def test_queue_lists_the_sent_yearly_reports_the_oldest_first(
    world, reports, today, other_agency_user, noivu_client
):
    fill(reports["H. Cái Bè"], other_agency_user, library_document(world.other))
    _sent_on(send(reports["H. Cái Bè"], other_agency_user), 5)

    response = noivu_client.get(QUEUE)

    assert response.status_code == 200
    rows = [
        (r.agency.short_name, r.days_waiting, r.task_count, r.proposal_count)
        for r in response.context["page"].object_list
    ]
    # Today is 1/11/2019. Sở Tư pháp: tasks 1.1, 1.2 and 2.2 through its group, 1.1.1.
    assert rows == [("H. Cái Bè", 27, 3, 2), ("Sở TP", 12, 3, 1)]
    text = response.text
    assert text.index("UBND huyện Cái Bè") < text.index("Sở Tư pháp")
    review = reverse("assignments:yearly-review", args=[2019, world.agency.pk])
    assert f'href="{review}"' in text
    assert "09:30 20/10/2019" in text


def test_queue_leaves_out_drafts_returned_and_accepted_reports(
    world, reports, today, noivu_staff, noivu_client
):
    tu_phap = reports["Sở TP"]
    yearly.accept_yearly_report(report=tu_phap, by=noivu_staff, version=tu_phap.version)

    response = noivu_client.get(QUEUE)

    assert list(response.context["page"].object_list) == []
    assert "Không có báo cáo nào chờ duyệt." in response.text


def test_queue_query_count_does_not_grow_with_reports(
    world, reports, today, other_agency_user, noivu_client, django_assert_num_queries
):
    # session, user, user's groups, count, the page of reports with agency, cycle and counts
    with django_assert_num_queries(5):
        noivu_client.get(QUEUE)
    fill(reports["H. Cái Bè"], other_agency_user, library_document(world.other))
    send(reports["H. Cái Bè"], other_agency_user)

    with django_assert_num_queries(5):
        response = noivu_client.get(QUEUE)

    assert len(response.context["page"].object_list) == 2


@pytest.mark.parametrize(("persona", "status"), [("leader_client", 403), ("agency_client", 403)])
def test_only_noivu_reads_the_queue(request, world, persona, status):
    assert request.getfixturevalue(persona).get(QUEUE).status_code == status


# -- The tracker ---------------------------------------------------------------------------


def test_tracker_shows_each_agencys_yearly_report(world, reports, today, noivu_client):
    response = noivu_client.get(TRACKER)

    assert response.status_code == 200
    rows = {
        row.agency.short_name: (row.status, row.filled, row.required, row.submitted_at)
        for row in response.context["rows"]
    }
    assert rows == {
        "Sở TP": ("submitted", 2, 2, _at(20)),
        "H. Cái Bè": ("draft", 1, 5, None),
        "Sở TC": ("not_started", 0, 0, None),
    }
    # Those waiting on the agency first: not started, drafting, then sent.
    assert _names(response) == ["Sở TC", "H. Cái Bè", "Sở TP"]
    text = response.text
    assert "1/5" in text and "2/2" in text and "09:30 20/10/2019" in text
    assert text.count("còn 24 ngày") == 2  # not for the report sent
    assert reverse("assignments:yearly-review", args=[2019, world.agency.pk]) in text
    assert reverse("assignments:yearly-review", args=[2019, world.third.pk]) not in text
    # A reminder for those that have not sent; Sở Tư pháp has.
    for agency, shown in ((world.other, True), (world.third, True), (world.agency, False)):
        remind = reverse("assignments:reminder-create", args=[2019, agency.pk])
        assert (remind in text) is shown
    assert response.context["totals"] == {
        "agencies": 3,
        "returned": 0,
        "not_started": 1,
        "draft": 1,
        "submitted": 1,
        "accepted": 0,
        "overdue": 0,
    }


def test_after_the_deadline_overdue_agencies_come_first(
    world, reports, today, noivu_staff, noivu_client
):
    tu_phap = reports["Sở TP"]
    yearly.return_yearly_report(
        report=tu_phap, by=noivu_staff, version=tu_phap.version, comments={"general": "Bổ sung."}
    )
    Extension.objects.create(
        cycle=world.cycle, agency=world.agency, until=datetime.date(2019, 12, 10)
    )
    before = noivu_client.get(TRACKER)
    today(datetime.date(2019, 11, 26))

    response = noivu_client.get(TRACKER)

    # Returned first while nobody is late; then the overdue, Sở Tư pháp's extension runs.
    assert _names(before) == ["Sở TP", "Sở TC", "H. Cái Bè"]
    assert [(row.agency.short_name, row.is_overdue) for row in response.context["rows"]] == [
        ("Sở TC", True),
        ("H. Cái Bè", True),
        ("Sở TP", False),
    ]
    assert response.context["totals"]["overdue"] == 2
    assert response.text.count('<span class="badge overdue">Quá hạn</span>') == 2
    assert response.text.count("quá hạn 1 ngày") == 2
    assert '10/12/2019 <span class="meta">(gia hạn)</span>' in response.text


@pytest.mark.parametrize(
    ("sort", "names"),
    [
        ("agency", ["Sở TC", "Sở TP", "H. Cái Bè"]),  # Sở Tài chính, Sở Tư pháp, UBND ...
        ("-agency", ["H. Cái Bè", "Sở TP", "Sở TC"]),
        ("status", ["Sở TC", "H. Cái Bè", "Sở TP"]),  # not started, draft, sent
        ("-status", ["Sở TP", "H. Cái Bè", "Sở TC"]),
        ("submitted", ["Sở TP", "Sở TC", "H. Cái Bè"]),  # the one sent, then the default
        ("-submitted", ["Sở TC", "H. Cái Bè", "Sở TP"]),
        ("filled", ["H. Cái Bè", "Sở TC", "Sở TP"]),  # 1/5, 0/0 (nothing required), 2/2
        ("-filled", ["Sở TP", "Sở TC", "H. Cái Bè"]),
        ("deadline", ["Sở TC", "Sở TP", "H. Cái Bè"]),  # Cái Bè's extension runs later
        ("-deadline", ["H. Cái Bè", "Sở TC", "Sở TP"]),
    ],
)
def test_tracker_sorts_by_each_column(world, reports, today, noivu_client, sort, names):
    Extension.objects.create(
        cycle=world.cycle, agency=world.other, until=datetime.date(2019, 12, 10)
    )

    response = noivu_client.get(TRACKER, {"sort": sort})

    assert _names(response) == names
    assert 'aria-sort="' in response.text


def test_every_column_of_the_tracker_is_sortable(world, reports, today, noivu_client):
    response = noivu_client.get(TRACKER)

    for column in review_views.TRACKER_SORTS:
        assert f'href="?sort={column}"' in response.text


def test_junk_sort_falls_back_to_overdue_first(world, reports, today, noivu_client):
    today(datetime.date(2019, 11, 26))
    default = noivu_client.get(TRACKER)

    response = noivu_client.get(TRACKER, {"sort": "password"})

    # The same page as the default one (kept in the cache: the same rows, the same links).
    assert _names(default) == ["Sở TC", "H. Cái Bè", "Sở TP"]
    assert _row_ids(response) == _row_ids(default)
    assert "aria-sort" not in response.text
    assert 'href="?sort=agency"' in response.text  # the headings' links drop the junk


def test_sorted_column_heading_links_the_other_way_round(world, reports, today, noivu_client):
    response = noivu_client.get(TRACKER, {"sort": "filled", "kind": "department"})

    text = response.text
    assert 'aria-sort="ascending"' in text
    assert 'href="?sort=-filled&amp;kind=department"' in text
    assert 'href="?sort=agency&amp;kind=department"' in text
    assert '<input type="hidden" name="sort" value="filled">' in text  # the filter keeps it


def test_pages_follow_the_sort(world, reports, today, noivu_client, monkeypatch):
    monkeypatch.setattr(review_views, "PAGE_SIZE", 1)

    first = noivu_client.get(TRACKER, {"sort": "agency"})
    second = noivu_client.get(TRACKER, {"sort": "agency", "page": 2})

    assert _names(first) == ["Sở TC"]
    assert _names(second) == ["Sở TP"]
    assert 'href="?sort=agency&amp;page=2"' in first.text
    assert second.context["totals"]["agencies"] == 3  # the totals count every page


def test_tracker_filters_by_agency_kind(world, reports, today, noivu_client):
    response = noivu_client.get(TRACKER, {"kind": Agency.Kind.DISTRICT})

    assert _names(response) == ["H. Cái Bè"]


def test_tracker_ignores_unknown_filter_values(world, reports, today, noivu_client):
    response = noivu_client.get(TRACKER, {"kind": "planet", "sort": "x"})

    assert len(response.context["rows"]) == 3


def test_leader_reads_the_tracker_without_reminders(world, reports, today, leader_client):
    response = leader_client.get(TRACKER)

    assert response.status_code == 200
    assert "reminder" not in response.text
    assert reverse("assignments:cycle-create") not in response.text


def test_tracker_query_count_does_not_grow_with_agencies_and_reports(
    world, reports, today, noivu_client, other_agency, other_agency_user, django_assert_num_queries
):
    # session, user, user's groups, cycle with plan, the groups, their chosen agencies,
    # agencies, leads per agency, owners directly and through groups, coordinators,
    # coordinating groups, yearly reports, results filled, scores filled, extensions,
    # years of the cycles; the data's version (the page is kept in the cache)
    with django_assert_num_queries(18):
        noivu_client.get(TRACKER, {"sort": "-filled"})
    build_world(world.agency, other_agency, number="99/KH-UBND")  # a second plan's tasks
    fill(reports["H. Cái Bè"], other_agency_user, library_document(world.other))
    send(reports["H. Cái Bè"], other_agency_user)
    for n in range(3):  # more departments, each with its report (2.2 through the group)
        agency = Agency.objects.create(
            name=f"Sở số {n}", short_name=f"S{n}", kind=Agency.Kind.DEPARTMENT
        )
        yearly.open_yearly_report(cycle=world.cycle, agency=agency)
    Extension.objects.create(
        cycle=world.cycle, agency=world.other, until=datetime.date(2019, 12, 10)
    )

    with django_assert_num_queries(18):
        response = noivu_client.get(TRACKER, {"sort": "-filled"})
    # Kept: the same page again costs session, user, groups, cycle and the data's version.
    with django_assert_num_queries(5):
        again = noivu_client.get(TRACKER, {"sort": "-filled"})

    assert len(response.context["rows"]) == 6
    assert len(_row_ids(again)) == 6 and _row_ids(again) == _row_ids(response)


def test_kept_tracker_shows_a_report_sent_since(
    world, reports, today, noivu_client, other_agency_user
):
    cai_be = f'<tr id="agency-{world.other.pk}"'
    before = noivu_client.get(TRACKER).text
    fill(reports["H. Cái Bè"], other_agency_user, library_document(world.other))
    send(reports["H. Cái Bè"], other_agency_user)

    after = noivu_client.get(TRACKER).text

    def row(text: str) -> str:
        return text[text.index(cai_be) :].split("</tr>", 1)[0]

    assert "status-draft" in row(before) and "status-submitted" not in row(before)
    assert "status-submitted" in row(after)
    assert after.count('<tr id="agency-') == before.count('<tr id="agency-') == 3
