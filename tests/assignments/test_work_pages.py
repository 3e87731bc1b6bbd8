"""Sở Nội vụ's pages for who acts on each criterion and for the tasks of section II."""

import datetime
import re
from decimal import Decimal

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils.http import urlencode

from assignments.models import (
    Agency,
    AgencyGroup,
    ContentArea,
    Report,
    ReportingCycle,
    ReportValue,
    Responsibility,
    Task,
    TaskTarget,
)
from assignments.owners import assign_from_actions
from criteria.models import Criterion, Plan

pytestmark = pytest.mark.django_db

D = Decimal


def responsibility_of(plan: Plan, code: str) -> Responsibility:
    return Responsibility.objects.get(plan=plan, criterion__code=code)


def first_task() -> Task:
    return Task.objects.get(content_area__number=8, number=1)


def task_snapshot(task: Task) -> tuple:
    task.refresh_from_db()
    return (
        task.text,
        sorted(task.lead_agencies.values_list("name", flat=True)),
        sorted(task.coordinating_agencies.values_list("name", flat=True)),
        sorted(task.criteria.values_list("code", flat=True)),
        sorted(
            task.targets.values_list(
                "description", "comparator", "value", "value_max", "first_year", "last_year"
            )
        ),
    )


# -- Who acts on a criterion --------------------------------------------------------------


def test_noivu_assigns_a_text_naming_no_agency_and_reimport_keeps_it(client, noivu_staff, plan):
    survey = responsibility_of(plan, "8.1")
    url = reverse("assignments:responsibility-edit", args=[survey.pk])
    client.force_login(noivu_staff)
    assert (survey.leads.exists(), survey.is_recognised, survey.is_edited) == (False, False, False)
    page = client.get(url)
    assert page.status_code == 200
    assert "Điều tra XHH" in page.text
    assert "Không nhận ra đơn vị thực hiện nào trong nội dung này" in page.text

    response = client.post(
        url,
        {
            "leads": [Agency.objects.get(name="Sở Nội vụ").pk],
            "supporting": [Agency.objects.get(name="Văn phòng UBND tỉnh").pk],
            "groups": [AgencyGroup.objects.get(name="UBND cấp xã").pk],
        },
    )

    assert response.status_code == 302
    assert response.url == reverse("criteria:plan-detail", args=[plan.pk]) + "#row-8.1"
    survey.refresh_from_db()
    assert list(survey.leads.values_list("name", flat=True)) == ["Sở Nội vụ"]
    assert (survey.is_edited, survey.is_confirmed) == (True, True)
    assert list(survey.supporting.values_list("name", flat=True)) == ["Văn phòng UBND tỉnh"]
    assert list(survey.groups.values_list("name", flat=True)) == ["UBND cấp xã"]
    assign_from_actions(plan=plan)
    survey.refresh_from_db()
    assert list(survey.leads.values_list("name", flat=True)) == ["Sở Nội vụ"]
    assert survey.is_recognised is False  # the text still names nobody
    assert list(survey.groups.values_list("name", flat=True)) == ["UBND cấp xã"]


def test_the_edit_page_warns_of_a_group_without_members(client, noivu_staff, plan):
    client.force_login(noivu_staff)
    url = reverse("assignments:responsibility-edit", args=[responsibility_of(plan, "8.1").pk])
    AgencyGroup.objects.create(name="Các hợp tác xã", kinds=[])

    page = client.get(url)

    assert "Nhóm đơn vị chưa có thành viên nào" in page.text
    assert "Các hợp tác xã" in page.text


def test_an_assignment_needs_a_lead_or_a_group(client, noivu_staff, plan):
    survey = responsibility_of(plan, "8.1")
    client.force_login(noivu_staff)

    response = client.post(
        reverse("assignments:responsibility-edit", args=[survey.pk]), {"supporting": []}
    )

    assert response.status_code == 200
    assert "Chọn ít nhất một đơn vị chủ trì hoặc một nhóm chủ trì." in response.text
    survey.refresh_from_db()
    assert survey.is_edited is False


def test_the_lead_cannot_also_support(client, noivu_staff, plan):
    one_stop = responsibility_of(plan, "3.4")
    office = Agency.objects.get(name="Văn phòng UBND tỉnh")
    client.force_login(noivu_staff)

    response = client.post(
        reverse("assignments:responsibility-edit", args=[one_stop.pk]),
        {"leads": [office.pk], "supporting": [office.pk]},
    )

    assert "Văn phòng UBND tỉnh đã là đơn vị chủ trì, không đồng thời là đơn vị phối hợp." in (
        response.text
    )
    assert list(one_stop.supporting.values_list("name", flat=True)) == ["Sở Tư pháp"]


@pytest.mark.parametrize("persona", ["agency_user", "leader"])
def test_who_may_not_assign_gets_403(client, plan, persona, request):
    client.force_login(request.getfixturevalue(persona))
    survey = responsibility_of(plan, "8.1")
    url = reverse("assignments:responsibility-edit", args=[survey.pk])

    page = client.get(url)
    post = client.post(url, {"leads": [Agency.objects.get(name="Sở Nội vụ").pk]})

    assert (page.status_code, post.status_code) == (403, 403)
    survey.refresh_from_db()
    assert (survey.leads.exists(), survey.is_edited, survey.is_confirmed) == (False, False, False)


def test_anonymous_is_sent_to_login_from_the_assignment(client, plan):
    url = reverse("assignments:responsibility-edit", args=[responsibility_of(plan, "8.1").pk])

    response = client.get(url)

    assert response.status_code == 302
    assert response.url == f"{reverse('login')}?next={url}"


def test_assignment_page_refuses_other_methods(client, noivu_staff, plan):
    client.force_login(noivu_staff)
    url = reverse("assignments:responsibility-edit", args=[responsibility_of(plan, "8.1").pk])

    assert client.put(url).status_code == 405


def test_unknown_assignment_gets_404(client, noivu_staff, plan):
    client.force_login(noivu_staff)
    missing = Responsibility.objects.order_by("pk").last().pk + 1

    response = client.get(reverse("assignments:responsibility-edit", args=[missing]))

    assert response.status_code == 404


def test_assignment_page_query_count(client, noivu_staff, plan, django_assert_num_queries):
    one_stop = responsibility_of(plan, "3.4")
    one_stop.supporting.add(Agency.objects.get(name="Sở Nội vụ"))
    one_stop.groups.add(AgencyGroup.objects.get(name="UBND cấp xã"))
    assert (one_stop.supporting.count(), one_stop.groups.count()) == (2, 2)
    client.force_login(noivu_staff)

    # session, user, the user's permissions, the responsibility
    # with plan and criterion, the leads, lead groups, supporting agencies and groups
    # chosen, its action, the groups without members (active agencies' kinds, groups, their
    # agencies: the warning), agencies for the leads' and the supporting boxes, groups for
    # the lead groups' and the groups' boxes, the user's groups (the navigation's role links)
    with django_assert_num_queries(18):
        response = client.get(reverse("assignments:responsibility-edit", args=[one_stop.pk]))

    assert response.status_code == 200


# -- The tasks of section II --------------------------------------------------------------


def more_tasks(area_number: int, count: int, lead: Agency) -> list[Task]:
    """`count` tasks after the area's own, each with a lead, a group, a criterion, a target."""
    area = ContentArea.objects.get(number=area_number)
    group = AgencyGroup.objects.first()
    criterion = Criterion.objects.get(code="3.3")
    start = area.tasks.count() + 1
    tasks = []
    for number in range(start, start + count):
        task = Task.objects.create(content_area=area, number=number, text=f"Việc thêm {number}")
        task.lead_agencies.set([lead])
        task.coordinating_groups.set([group])
        task.criteria.set([criterion])
        TaskTarget.objects.create(
            task=task,
            description="Tỷ lệ",
            comparator="at_least",
            value=D(90),
            first_year=2019,
            last_year=2019,
        )
        tasks.append(task)
    return tasks


def task_list_url(plan: Plan, **query: object) -> str:
    url = reverse("assignments:task-list", args=[plan.pk])
    return f"{url}?{urlencode(query)}" if query else url


def test_task_list_shows_the_first_content_area_and_links_the_others(client, leader, plan):
    client.force_login(leader)

    response = client.get(task_list_url(plan))

    assert response.status_code == 200
    html = response.text
    assert html.count('<tr id="task-') == 2
    assert "Nhiệm vụ 3.1" in html
    assert "Nhiệm vụ 8.1" not in html
    assert '<a href="?area=3" aria-current="page">3. Công tác cải cách TTHC</a>' in html
    assert '<a href="?area=8">8. Cơ chế Một cửa</a>' in html
    assert "(2 nhiệm vụ)" in html
    assert 'class="pages' not in html  # one page only


def test_agency_user_reads_the_tasks_with_their_targets(client, agency_user, plan):
    client.force_login(agency_user)

    response = client.get(task_list_url(plan, area=8))

    assert response.status_code == 200
    html = response.text
    assert '<h2 id="area-8">8. Cơ chế Một cửa</h2>' in html
    assert html.count('<tr id="task-') == 2
    assert "Nhiệm vụ 8.1" in html and "Nhiệm vụ 8.2" in html
    assert "Tỷ lệ hồ sơ giải quyết đúng hạn: <strong>từ 95 đến 100 %</strong>" in html
    assert "Tỷ lệ hài lòng: <strong>từ 80 % trở lên</strong>" in html
    assert "(năm 2019)" in html
    assert "Sửa nhiệm vụ" not in html


def test_agency_user_reads_every_task_of_the_area_not_only_its_own(
    client, agency_user, other_agency, plan
):
    others = more_tasks(3, 1, lead=other_agency)
    client.force_login(agency_user)

    response = client.get(task_list_url(plan, area=3))

    assert response.text.count('<tr id="task-') == 3
    assert f'<tr id="task-{others[0].pk}">' in response.text


def test_noivu_gets_a_link_to_edit_each_task(client, noivu_staff, plan):
    client.force_login(noivu_staff)

    response = client.get(task_list_url(plan, area=8))

    assert response.text.count("Sửa nhiệm vụ") == 2
    assert reverse("assignments:task-edit", args=[first_task().pk]) in response.text


@pytest.mark.parametrize("area", ["1", "9", "abc", "", "3.1"])
def test_task_list_of_an_unknown_content_area_is_404(client, leader, plan, area):
    client.force_login(leader)

    response = client.get(task_list_url(plan, area=area))

    assert response.status_code == 404


def test_task_list_shows_a_page_of_tasks_at_a_time(client, leader, agency, plan):
    more_tasks(3, 30, lead=agency)  # area 3: 32 tasks, two pages
    client.force_login(leader)

    first = client.get(task_list_url(plan, area=3))
    second = client.get(task_list_url(plan, area=3, page=2))
    beyond = client.get(task_list_url(plan, area=3, page=99))

    assert first.text.count('<tr id="task-') == 25
    assert "Trang 1/2" in first.text
    assert '<a href="?area=3&amp;page=2" rel="next">' in first.text
    assert second.text.count('<tr id="task-') == 7
    assert "Việc thêm 26" in second.text and "Việc thêm 25" not in second.text
    assert '<a href="?area=3&amp;page=1" rel="prev">' in second.text
    assert "Trang 2/2" in beyond.text  # past the end: the last page


def test_task_list_prefetches_only_the_shown_tasks(client, leader, agency, plan):
    extra = more_tasks(3, 30, lead=agency)
    client.force_login(leader)

    with CaptureQueriesContext(connection) as queries:
        client.get(task_list_url(plan, area=3, page=2))

    leads = next(q["sql"] for q in queries if "task_lead_agencies" in q["sql"])
    shown = {task.pk for task in extra[23:]}
    asked = {int(pk) for pk in re.findall(r"\d+", leads.rpartition(" IN ")[2])}
    assert asked == shown


def test_a_user_without_a_role_may_not_read_the_tasks(client, plan):
    nobody = get_user_model().objects.create_user("khach", password="mật-khẩu-dài-2026")
    client.force_login(nobody)

    response = client.get(reverse("assignments:task-list", args=[plan.pk]))

    assert response.status_code == 403


def test_task_list_sends_anonymous_to_login_refuses_post_and_unknown_plans(client, leader, plan):
    url = reverse("assignments:task-list", args=[plan.pk])
    anonymous = client.get(url)
    client.force_login(leader)

    assert anonymous.status_code == 302
    assert anonymous.url == f"{reverse('login')}?next={url}"
    assert client.post(url).status_code == 405
    assert client.get(reverse("assignments:task-list", args=[plan.pk + 1])).status_code == 404


@pytest.mark.parametrize("extra", [0, 40])
def test_task_list_query_count(client, leader, agency, plan, django_assert_num_queries, extra):
    more_tasks(3, extra, lead=agency)
    client.force_login(leader)

    # session, user, the user's permissions and its groups' permissions (read once for
    # "may read" and "may edit"), plan, content areas with their task counts, the area's
    # tasks counted, a page of them, their leads, coordinating agencies, coordinating
    # groups, criteria, targets, the user's groups (the navigation's role links)
    with django_assert_num_queries(14):
        response = client.get(reverse("assignments:task-list", args=[plan.pk]))

    assert response.text.count('<tr id="task-') == min(2 + extra, 25)


def target_form_data(task: Task, **changes: str) -> dict[str, object]:
    """The edit form as the page sends it back, with `changes` over it."""
    targets = list(task.targets.order_by("pk"))
    data: dict[str, object] = {
        "text": task.text,
        "lead_agencies": [a.pk for a in task.lead_agencies.all()],
        "coordinating_agencies": [a.pk for a in task.coordinating_agencies.all()],
        "coordinating_groups": [g.pk for g in task.coordinating_groups.all()],
        "criteria": [c.pk for c in task.criteria.all()],
        "targets-TOTAL_FORMS": len(targets) + 1,
        "targets-INITIAL_FORMS": len(targets),
        "targets-MIN_NUM_FORMS": 0,
        "targets-MAX_NUM_FORMS": 1000,
    }
    # The empty row for a new target comes back with its default unit only.
    data |= {f"targets-{len(targets)}-task": task.pk, f"targets-{len(targets)}-unit": "%"}
    for index, target in enumerate(targets):
        prefix = f"targets-{index}-"
        data |= {
            prefix + "id": target.pk,
            prefix + "task": task.pk,
            prefix + "description": target.description,
            prefix + "comparator": target.comparator,
            prefix + "value": str(target.value).replace(".", ","),
            prefix + "value_max": str(target.value_max or "").replace(".", ","),
            prefix + "unit": target.unit,
            prefix + "first_year": target.first_year,
            prefix + "last_year": target.last_year,
        }
    return data | changes


def test_noivu_edits_a_task_and_its_targets(client, noivu_staff, plan):
    task = first_task()
    client.force_login(noivu_staff)
    url = reverse("assignments:task-edit", args=[task.pk])
    page = client.get(url)
    assert page.status_code == 200
    assert "Nhiệm vụ 8.1" in page.text
    noivu = Agency.objects.get(name="Sở Nội vụ")
    survey = Criterion.objects.get(code="8.1")
    data = target_form_data(
        task,
        text="Đảm bảo 95% - 100% hồ sơ TTHC được giải quyết đúng hạn",
        lead_agencies=[noivu.pk],
        criteria=[survey.pk],
        **{
            "targets-0-value": "97,5",
            "targets-2-description": "Tỷ lệ TTHC thực hiện theo cơ chế một cửa",
            "targets-2-comparator": "at_least",
            "targets-2-value": "100",
            "targets-2-unit": "%",
            "targets-2-first_year": "2020",
            "targets-2-last_year": "2020",
        },
    )

    response = client.post(url, data)

    assert response.status_code == 302
    assert response.url == task_list_url(plan, area=8) + f"#task-{task.pk}"
    text, leads, _coordinators, criteria, targets = task_snapshot(task)
    assert text == "Đảm bảo 95% - 100% hồ sơ TTHC được giải quyết đúng hạn"
    assert (leads, criteria) == (["Sở Nội vụ"], ["8.1"])
    # 8.1 names no doer: its owners are proposed anew from the tasks that serve it.
    survey_owners = Responsibility.objects.get(plan=plan, criterion=survey)
    assert list(survey_owners.leads.values_list("name", flat=True)) == ["Sở Nội vụ"]
    assert survey.is_survey is False  # here a plain criterion: the basis is the task
    assert (survey_owners.basis, survey_owners.is_confirmed) == ("task", False)
    assert targets == [
        ("Tỷ lệ TTHC thực hiện theo cơ chế một cửa", "at_least", D(100), None, 2020, 2020),
        ("Tỷ lệ hài lòng", "at_least", D(80), None, 2019, 2019),
        ("Tỷ lệ hồ sơ giải quyết đúng hạn", "between", D("97.5"), D(100), 2018, 2020),
    ]


INVALID_TARGETS = [
    (
        {"targets-1-value_max": "90"},  # "at_least" 80 with an upper bound
        "Chỉ nhập giá trị cận trên khi so sánh là “từ … đến”.",
    ),
    ({"targets-0-value_max": ""}, "Chỉ tiêu “từ … đến” cần có giá trị cận trên."),
    (
        {"targets-0-value_max": "90"},  # "between" 95 and 90
        "Giá trị cận trên không được nhỏ hơn giá trị.",
    ),
    ({"targets-1-last_year": "2021"}, "Năm 2021 nằm ngoài thời kỳ 2018–2020 của kế hoạch."),
    ({"targets-1-first_year": "2020"}, "Năm kết thúc không được trước năm bắt đầu."),
    ({"targets-1-value": "-1"}, "Tỷ lệ hài lòng: giá trị không được âm."),
    # The same bounds as the values agencies report against the target.
    ({"targets-1-value": "1e5"}, "“1e5” không phải là số: hãy viết chữ số, ví dụ 96,5."),
    ({"targets-1-value": "NaN"}, "“NaN” không phải là số: hãy viết chữ số, ví dụ 96,5."),
    ({"targets-1-value": "80,125"}, "Tỷ lệ hài lòng: tối đa 2 chữ số thập phân."),
    ({"targets-1-value": "101"}, "Tỷ lệ hài lòng: tỷ lệ phần trăm không quá 100%."),
    (
        {"targets-0-value_max": "100,5"},
        "Tỷ lệ hồ sơ giải quyết đúng hạn: tỷ lệ phần trăm không quá 100%.",
    ),
    (
        {"targets-1-unit": "hồ sơ", "targets-1-value": "2000000"},
        "Tỷ lệ hài lòng: không quá 1.000.000 hồ sơ.",
    ),
    (
        {
            "targets-1-description": "Tỷ lệ hồ sơ giải quyết đúng hạn",
            "targets-1-first_year": "2018",
        },
        "Có hai chỉ tiêu “Tỷ lệ hồ sơ giải quyết đúng hạn” cùng năm bắt đầu 2018.",
    ),
]


@pytest.mark.parametrize(("changes", "message"), INVALID_TARGETS)
def test_an_invalid_target_is_explained_and_nothing_is_saved(
    client, noivu_staff, plan, changes, message
):
    task = first_task()
    before = task_snapshot(task)
    client.force_login(noivu_staff)
    data = target_form_data(task, text="Văn bản mới", **changes)

    response = client.post(reverse("assignments:task-edit", args=[task.pk]), data)

    assert response.status_code == 200
    assert message in response.text
    assert task_snapshot(task) == before


@pytest.mark.parametrize("language", ["vi", "en"])
def test_target_values_take_a_comma_or_a_dot_in_every_language(client, noivu_staff, plan, language):
    task = first_task()
    client.force_login(noivu_staff)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    data = target_form_data(task, **{"targets-0-value": "97,5", "targets-1-value": "85.25"})

    response = client.post(reverse("assignments:task-edit", args=[task.pk]), data)

    assert response.status_code == 302
    values = dict(task.targets.values_list("description", "value"))
    assert values["Tỷ lệ hồ sơ giải quyết đúng hạn"] == D("97.5")
    assert values["Tỷ lệ hài lòng"] == D("85.25")


def test_a_lead_cannot_also_coordinate_a_task(client, noivu_staff, plan):
    task = first_task()
    before = task_snapshot(task)
    client.force_login(noivu_staff)
    lead = task.lead_agencies.first()
    data = target_form_data(task, coordinating_agencies=[lead.pk])

    response = client.post(reverse("assignments:task-edit", args=[task.pk]), data)

    assert f"{lead.name} đã là đơn vị chủ trì, không đồng thời là đơn vị phối hợp." in (
        response.text
    )
    assert task_snapshot(task) == before


def test_noivu_may_not_delete_targets_but_an_administrator_may(
    client, noivu_staff, admin_user, plan
):
    task = first_task()
    url = reverse("assignments:task-edit", args=[task.pk])
    client.force_login(noivu_staff)
    assert "targets-0-DELETE" not in client.get(url).text
    client.force_login(admin_user)

    response = client.post(url, target_form_data(task, **{"targets-1-DELETE": "on"}))
    assert response.status_code == 302
    assert list(task.targets.values_list("description", flat=True)) == [
        "Tỷ lệ hồ sơ giải quyết đúng hạn"
    ]


def test_a_target_with_reported_values_cannot_be_deleted(client, admin_user, plan, agency):
    task = first_task()
    target = task.targets.get(description="Tỷ lệ hài lòng")
    cycle = ReportingCycle.objects.create(
        plan=plan, year=2019, deadline=datetime.date(2019, 11, 25)
    )
    report = Report.objects.create(cycle=cycle, agency=agency, task=task)
    ReportValue.objects.create(report=report, target=target, value=D(85))
    client.force_login(admin_user)

    response = client.post(
        reverse("assignments:task-edit", args=[task.pk]),
        target_form_data(task, **{"targets-1-DELETE": "on"}),
    )

    assert response.status_code == 200
    assert "Không xóa được chỉ tiêu “Tỷ lệ hài lòng”: đã có kết quả báo cáo." in response.text
    assert task.targets.filter(pk=target.pk).exists()


@pytest.mark.parametrize("persona", ["agency_user", "leader"])
def test_who_may_not_edit_tasks_gets_403(client, plan, persona, request):
    task = first_task()
    before = task_snapshot(task)
    client.force_login(request.getfixturevalue(persona))
    url = reverse("assignments:task-edit", args=[task.pk])

    page = client.get(url)
    post = client.post(url, target_form_data(task, text="Văn bản mới"))

    assert (page.status_code, post.status_code) == (403, 403)
    assert task_snapshot(task) == before


def test_task_edit_sends_anonymous_to_login_refuses_put_and_unknown_tasks(
    client, noivu_staff, plan
):
    url = reverse("assignments:task-edit", args=[first_task().pk])
    anonymous = client.get(url)
    client.force_login(noivu_staff)

    assert anonymous.status_code == 302
    assert anonymous.url == f"{reverse('login')}?next={url}"
    assert client.put(url).status_code == 405
    missing = Task.objects.order_by("pk").last().pk + 1
    assert client.get(reverse("assignments:task-edit", args=[missing])).status_code == 404


def test_task_edit_page_query_count(client, noivu_staff, plan, django_assert_num_queries):
    task = first_task()
    client.force_login(noivu_staff)

    # session, user, the user's permissions and its groups' permissions, the task with
    # area, plan and framework, the leads, coordinators, groups and criteria chosen; then,
    # rendering the form: agencies for the leads, agencies for the coordinators, groups,
    # the framework's criteria, and the task's targets; the tasks before it (the page of
    # the list to go back to); the user's groups (navigation)
    with django_assert_num_queries(16):
        response = client.get(reverse("assignments:task-edit", args=[task.pk]))

    assert response.status_code == 200
    assert response.text.count('name="targets-') > 2 * 7
