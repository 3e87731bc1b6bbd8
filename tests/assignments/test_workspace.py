""" "Việc của tôi": an agency sees its own criteria and tasks, their targets and the deadline."""

import datetime
import re

import pytest
from django.urls import reverse

from assignments.models import Agency, Extension, Report, ReportingCycle, Responsibility, Task
from tests.assignments.reporting import build_world, make_report

pytestmark = pytest.mark.django_db

WORKSPACE = reverse("assignments:workspace")


def test_agency_sees_its_own_criteria_with_maximum_last_score_target_and_points_lost(
    world, today, agency_client
):
    response = agency_client.get(WORKSPACE)

    assert response.status_code == 200
    rows = {row.criterion.code: row for row in response.context["workspace"].criteria}
    assert list(rows) == ["1.1.1", "1.1.2", "1.2"]
    assert (rows["1.1.1"].is_lead, rows["1.1.2"].is_lead, rows["1.2"].is_lead) == (
        True,
        False,
        False,
    )
    # 1.1.1: the 2018 official score (0,4) wins over that year's self-assessment (0,5).
    assert (
        rows["1.1.1"].last_score.value
        == world.criteria["1.1.1"].scores.get(year=2018, kind="official").value
    )
    assert (
        rows["1.1.1"].points_lost
        == world.criteria["1.1.1"].max_score - rows["1.1.1"].last_score.value
    )
    html = response.text
    assert "Ban hành kế hoạch CCHC" in html
    assert "Rà soát, hệ thống hóa văn bản" not in html  # 2.1 is the district's alone
    assert '<td class="num">0,4 <span class="meta">(2018)</span></td>' in html
    assert '<span class="status-below">0,1</span>' in html
    assert '<td class="num">1,25 – 1,5</td>' in html  # the target of 1.2 for 2019-2020


def test_agency_sees_the_tasks_it_leads_or_coordinates_with_their_targets_of_the_year(
    world, today, agency_client
):
    response = agency_client.get(WORKSPACE)

    rows = response.context["workspace"].tasks
    assert [(row.task.pk, row.is_lead) for row in rows] == [
        (world.tasks["1.1"].pk, True),
        (world.tasks["1.2"].pk, False),
        (world.tasks["2.2"].pk, False),  # through the departments' group
    ]
    assert [target.description for target in rows[0].targets] == [
        "Tỷ lệ văn bản ban hành đúng hạn",
        "Tỷ lệ thủ tục mức độ 3",
    ]
    html = response.text
    assert "Rà soát văn bản quy phạm pháp luật của huyện" not in html
    assert "Chỉ tiêu chỉ của năm 2018" not in html
    assert "Tỷ lệ văn bản ban hành đúng hạn: <strong>ít nhất 95%</strong>" in html
    assert "Tỷ lệ thủ tục mức độ 3: <strong>từ 70 đến 100%</strong>" in html


def test_a_group_named_as_the_doer_makes_each_member_a_lead(world, today, agency_client):
    shared = Responsibility.objects.get(criterion=world.criteria["1.2"])
    group = shared.groups.get()
    shared.groups.clear()
    shared.lead_groups.add(group)

    response = agency_client.get(WORKSPACE)

    rows = {row.criterion.code: row for row in response.context["workspace"].criteria}
    assert rows["1.2"].is_lead is True
    row = re.search(r'<th scope="row">1\.2</th>(.*?)</tr>', response.text, re.S)[1]
    assert "Chủ trì" in row and "Phối hợp" not in row


def test_other_agency_sees_its_own_work_and_not_the_first_agencys(world, today, other_client):
    response = other_client.get(WORKSPACE)

    workspace = response.context["workspace"]
    assert [row.criterion.code for row in workspace.criteria] == ["1.1.2", "2.1"]
    assert [row.task.pk for row in workspace.tasks] == [
        world.tasks[key].pk for key in ("1.2", "2.1", "2.2")
    ]
    assert "Ban hành kế hoạch CCHC đúng hạn" not in response.text


def test_workspace_counts_the_days_left_to_the_deadline(world, today, agency_client):
    today(datetime.date(2019, 11, 20))

    response = agency_client.get(WORKSPACE)

    assert response.context["workspace"].deadline.days_left == 5
    assert "Hạn gửi báo cáo: <strong>25/11/2019</strong>" in response.text
    assert "Còn 5 ngày" in response.text


def test_workspace_says_when_the_deadline_is_today_and_when_it_has_passed(
    world, today, agency_client
):
    today(datetime.date(2019, 11, 25))
    on_the_day = agency_client.get(WORKSPACE)
    today(datetime.date(2019, 11, 28))
    after = agency_client.get(WORKSPACE)

    assert "Hôm nay là ngày cuối cùng" in on_the_day.text
    assert "Đã quá hạn 3 ngày" in after.text


def test_workspace_shows_the_agencys_extension(world, today, agency_client, noivu_staff):
    Extension.objects.create(
        cycle=world.cycle,
        agency=world.agency,
        until=datetime.date(2019, 12, 5),
        granted_by=noivu_staff,
    )
    today(datetime.date(2019, 11, 28))

    response = agency_client.get(WORKSPACE)

    assert "Hạn gửi báo cáo (đã được gia hạn): <strong>05/12/2019</strong>" in response.text
    assert "Còn 7 ngày" in response.text


def test_workspace_shows_each_tasks_report_status(world, today, agency_client):
    make_report(world, "1.1", status=Report.Status.SUBMITTED)
    make_report(world, "1.2", status=Report.Status.RETURNED)

    response = agency_client.get(WORKSPACE)

    workspace = response.context["workspace"]
    assert (workspace.not_started, workspace.submitted, workspace.returned) == (1, 1, 1)
    assert response.text.count('<span class="status status-submitted">Đã gửi</span>') == 1
    assert response.text.count('<span class="status status-returned">Bị trả lại</span>') == 1
    create_url = reverse("assignments:report-create", args=[2019, world.tasks["2.2"].pk])
    # The button posts, to its own address, the one form that carries the CSRF token.
    assert f'form="report-create-form" formaction="{create_url}"' in response.text
    form = re.search(
        r'<form method="post" id="report-create-form" hidden>(.*?)</form>', response.text
    )
    assert form and 'name="csrfmiddlewaretoken"' in form.group(1)


def test_workspace_query_count_does_not_grow_with_agencies_tasks_and_reports(
    world, today, agency_client, other_agency, django_assert_num_queries
):
    build_world(world.agency, other_agency, number="99/KH-UBND")  # a second plan, not shown
    for key in ("1.1", "1.2", "2.2"):
        make_report(world, key)
    for key in ("1.2", "2.1"):
        make_report(world, key, agency=other_agency)

    # session, user, user's groups, membership with agency, current cycle with plan,
    # groups with their chosen agencies (2, read once for criteria and tasks), the
    # agency's task ids, its reports, agency's extension, responsibilities with criteria,
    # scores, criterion targets, the page's tasks with lead flag, their targets, its
    # yearly report (none opened yet; see test_yearly_pages.py with one); the data's version
    # (the page is kept in the cache)
    with django_assert_num_queries(17):
        response = agency_client.get(WORKSPACE)
    # Kept: session, user, user's groups, membership, current cycle, the data's version.
    with django_assert_num_queries(6):
        again = agency_client.get(WORKSPACE)

    assert len(response.context["workspace"].tasks) == 3
    assert again.text.count('<tr id="task-') == response.text.count('<tr id="task-') == 3


def test_workspace_sends_anonymous_to_login(world, client):
    response = client.get(WORKSPACE)

    assert response.status_code == 302
    assert response.url == f"{reverse('login')}?next={WORKSPACE}"


def test_workspace_refuses_post(world, agency_client):
    response = agency_client.post(WORKSPACE)

    assert response.status_code == 405


def test_noivu_staff_and_leader_are_sent_to_the_tracker(world, today, noivu_client, leader_client):
    for client in (noivu_client, leader_client):
        response = client.get(WORKSPACE)

        assert response.status_code == 302
        assert response.url == reverse("assignments:cycle-current")


def test_user_without_role_gets_403(world, client, django_user_model):
    client.force_login(django_user_model.objects.create_user("khach", password="x" * 12))

    response = client.get(WORKSPACE)

    assert response.status_code == 403


def test_workspace_without_any_cycle_says_so(world, today, agency_client):
    ReportingCycle.objects.all().delete()

    response = agency_client.get(WORKSPACE)

    assert response.status_code == 200
    assert "Sở Nội vụ chưa mở kỳ báo cáo nào" in response.text


def test_agency_reads_its_own_page_of_a_year(world, today, agency_client):
    url = reverse("assignments:agency-detail", args=[2019, world.agency.pk])

    response = agency_client.get(url)

    assert response.status_code == 200
    assert response.context["is_own"] is True


def test_agency_page_of_another_agency_gets_404(world, today, agency_client):
    url = reverse("assignments:agency-detail", args=[2019, world.other.pk])

    response = agency_client.get(url)

    assert response.status_code == 404


def test_noivu_staff_reads_any_agency_page_and_may_grant_an_extension(world, today, noivu_client):
    url = reverse("assignments:agency-detail", args=[2019, world.other.pk])

    response = noivu_client.get(url)

    assert response.status_code == 200
    assert response.context["is_own"] is False
    assert reverse("assignments:extension-create", args=[2019, world.other.pk]) in response.text


def test_leader_reads_an_agency_page_without_any_form(world, today, leader_client):
    url = reverse("assignments:agency-detail", args=[2019, world.agency.pk])

    response = leader_client.get(url)

    assert response.status_code == 200
    assert '<form method="post"' not in response.text.split('<main id="main">')[1]
    assert (
        reverse("assignments:extension-create", args=[2019, world.agency.pk]) not in response.text
    )


def test_agency_page_of_a_year_without_cycle_gets_404(world, noivu_client):
    url = reverse("assignments:agency-detail", args=[2020, world.agency.pk])

    response = noivu_client.get(url)

    assert response.status_code == 404


def test_inactive_department_is_not_in_the_group_and_sees_no_group_task(
    world, today, agency_client
):
    Agency.objects.filter(pk=world.agency.pk).update(is_active=False)

    response = agency_client.get(WORKSPACE)

    assert world.tasks["2.2"].pk not in [row.task.pk for row in response.context["workspace"].tasks]


def test_nav_shows_the_workspace_to_agency_users_and_the_tracker_to_the_others(
    world, today, agency_client, noivu_client, leader_client
):
    plan_url = reverse("criteria:plan-detail", args=[world.plan.pk])
    workspace_link = f'href="{WORKSPACE}"'
    tracker_link = f'href="{reverse("assignments:cycle-current")}"'

    agency_page = agency_client.get(plan_url).text
    noivu_page = noivu_client.get(plan_url).text
    leader_page = leader_client.get(plan_url).text

    assert workspace_link in agency_page and tracker_link not in agency_page
    assert tracker_link in noivu_page and workspace_link not in noivu_page
    assert tracker_link in leader_page and workspace_link not in leader_page


def test_agency_page_refuses_post(world, noivu_client):
    url = reverse("assignments:agency-detail", args=[2019, world.agency.pk])

    response = noivu_client.post(url)

    assert response.status_code == 405


def test_agency_page_query_count_for_noivu(
    world, today, noivu_client, other_agency, django_assert_num_queries
):
    for key in ("1.1", "1.2"):
        make_report(world, key)
    make_report(world, "1.2", agency=other_agency)
    url = reverse("assignments:agency-detail", args=[2019, world.agency.pk])

    # session, user, user's groups, membership (none: a Sở Nội vụ user bound to an agency
    # writes its reports), agency, cycle with plan, groups with their chosen agencies (2,
    # read once for criteria and tasks), the agency's task ids, its reports, agency's
    # extension, responsibilities with criteria, scores, criterion targets, the page's
    # tasks with lead flag, their targets; the data's version (the page is kept in the cache)
    with django_assert_num_queries(17):
        response = noivu_client.get(url)
    # Kept: session, user, user's groups, membership, agency, cycle, the data's version.
    with django_assert_num_queries(7):
        again = noivu_client.get(url)

    assert len(response.context["workspace"].tasks) == 3
    assert again.text.count('<tr id="task-') == response.text.count('<tr id="task-') == 3


def test_workspace_shows_a_hundred_tasks_a_page_and_counts_them_all(world, today, agency_client):
    for number in range(10, 110):
        task = Task.objects.create(
            content_area=world.areas[1], number=number, text=f"Nhiệm vụ thêm {number}"
        )
        task.lead_agencies.add(world.agency)

    first = agency_client.get(WORKSPACE)
    second = agency_client.get(WORKSPACE, {"page": 2})

    assert first.context["workspace"].task_count == 103
    assert [len(page.context["workspace"].tasks) for page in (first, second)] == [100, 3]
    assert first.context["workspace"].not_started == 103
    assert "103 nhiệm vụ" in second.text
    assert 'href="?page=2#tasks-heading"' in first.text
    assert "Nhiệm vụ thêm 109" not in first.text
    assert "Nhiệm vụ thêm 109" in second.text


def test_kept_workspace_shows_a_report_written_since(world, today, agency_client):
    task = world.tasks["2.2"]
    before = agency_client.get(WORKSPACE).text
    make_report(world, "2.2")

    after = agency_client.get(WORKSPACE).text

    def row(text: str) -> str:
        return text[text.index(f'<tr id="task-{task.pk}"') :].split("</tr>", 1)[0]

    assert "Viết báo cáo" in row(before) and "Viết tiếp" not in row(before)
    assert "Viết báo cáo" not in row(after) and "status-none" not in row(after)
