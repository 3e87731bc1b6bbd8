"""The plan page: the plan's heading, index history, consistency warnings and criteria table."""

import datetime
from decimal import Decimal

import pytest
from django.conf import settings
from django.urls import reverse

from assignments.models import Agency, AgencyGroup, Responsibility
from assignments.owners import assign_from_actions
from criteria.models import Action, Criterion, Framework, IndexResult, Plan, Score, Target

pytestmark = pytest.mark.django_db

D = Decimal
SPANS = [(2018, 2018), (2019, 2020)]

# code, title, max, 2017 score, target 2018, target 2019-2020, action, is_survey.
# Every row adds up: 1 = 1.1 + 1.2, 1.1 = 1.1.1 + 1.1.2, 2 = 2.1 + 2.2, on every column.
TIEN_GIANG_ROWS = [
    ("1", "CÔNG TÁC CHỈ ĐẠO, ĐIỀU HÀNH CCHC", "3", "2.5", "3", "3", "", False),
    ("1.1", "Kế hoạch CCHC", "1.5", "1.5", "1.5", "1.5", "", False),
    ("1.1.1", "Ban hành kế hoạch CCHC", "0.5", "0.5", "0.5", "0.5", "Sở Nội vụ tham mưu", False),
    ("1.1.2", "Mức độ hoàn thành kế hoạch CCHC", "1", "1", "1", "1", "Sở Nội vụ đôn đốc", False),
    ("1.2", "Kiểm tra công tác CCHC", "1.5", "1", "1.5", "1.5", "Sở Nội vụ kiểm tra", False),
    ("2", "TÁC ĐỘNG CỦA CCHC ĐẾN NGƯỜI DÂN", "16", "9.88", "10.5-11.5", "12.5-14", "", False),
    ("2.1", "Sự hài lòng của người dân", "12", "7.88", "8.5-9", "9.5-10.5", "Điều tra XHH", True),
    (
        "2.2",
        "Tác động đến hiện đại hóa",
        "4",
        "2",
        "2-2.5",
        "3-3.5",
        "- Sở TT&TT\n- Sở KH&CN",
        True,
    ),
]
# The total row: framework maximum 19 = 3 + 16; targets are the areas' sums.
TIEN_GIANG_TOTAL = ("19", "13.5-14.5", "15.5-17")
# Published results from the plan's own text: 2017 is 73,64, far from the slice's 12,38.
TIEN_GIANG_HISTORY = [(2015, "85.51", 32), (2016, "70.61", 39), (2017, "73.64", 51)]


def _pair(text: str) -> tuple[Decimal, Decimal]:
    low, _dash, high = text.partition("-")
    return D(low), D(high or low)


def build_plan(
    number: str,
    province: str,
    rows: list[tuple],
    total: tuple[str, str, str],
    history: list[tuple[int, str, int]],
) -> Plan:
    framework = Framework.objects.create(
        code=f"QĐ của {number}", name="Đề án Chỉ số CCHC", first_year=2017, max_score=D(total[0])
    )
    plan = Plan.objects.create(
        number=number,
        title=f"Nâng cao Chỉ số CCHC tỉnh {province} giai đoạn 2018-2020",
        issued_on=datetime.date(2018, 9, 19),
        province=province,
        framework=framework,
        baseline_year=2017,
        first_year=2018,
        last_year=2020,
    )
    for (first, last), text in zip(SPANS, total[1:], strict=True):
        low, high = _pair(text)
        Target.objects.create(
            plan=plan, first_year=first, last_year=last, min_score=low, max_score=high
        )
    for code, title, max_score, baseline, *targets, action, is_survey in rows:
        criterion = Criterion.objects.create(
            framework=framework, code=code, title=title, max_score=D(max_score), is_survey=is_survey
        )
        Score.objects.create(
            criterion=criterion, year=2017, kind=Score.Kind.OFFICIAL, value=D(baseline)
        )
        for (first, last), text in zip(SPANS, targets, strict=True):
            low, high = _pair(text)
            Target.objects.create(
                plan=plan,
                criterion=criterion,
                first_year=first,
                last_year=last,
                min_score=low,
                max_score=high,
            )
        if action:
            Action.objects.create(plan=plan, criterion=criterion, text=action)
    for year, total_score, rank in history:
        IndexResult.objects.create(province=province, year=year, total=D(total_score), rank=rank)
    return plan


@pytest.fixture
def plan() -> Plan:
    return build_plan(
        "252/KH-UBND", "Tiền Giang", TIEN_GIANG_ROWS, TIEN_GIANG_TOTAL, TIEN_GIANG_HISTORY
    )


@pytest.fixture
def agencies() -> None:
    """The agencies the slice's action texts name."""
    Agency.objects.create(name="Sở Nội vụ", short_name="Sở NV", kind=Agency.Kind.DEPARTMENT)
    Agency.objects.create(
        name="Sở Thông tin và Truyền thông", short_name="Sở TT&TT", kind=Agency.Kind.DEPARTMENT
    )
    Agency.objects.create(
        name="Sở Khoa học và Công nghệ", short_name="Sở KH&CN", kind=Agency.Kind.DEPARTMENT
    )
    AgencyGroup.objects.create(name="UBND cấp huyện", kinds=[Agency.Kind.DISTRICT])


@pytest.fixture
def assigned(plan, agencies) -> Plan:
    assign_from_actions(plan=plan)
    return plan


@pytest.fixture
def reader(client, django_user_model):
    user = django_user_model.objects.create_user("chuyenvien", password="mật-khẩu-dài-2026")
    client.force_login(user)
    return client


@pytest.fixture
def maintainer(client, noivu_staff):
    """Sở Nội vụ staff: they correct the plan's figures and assignments, and see its checks."""
    client.force_login(noivu_staff)
    return client


def test_reader_sees_the_plan_heading(reader, plan):
    response = reader.get(reverse("criteria:plan-detail", args=[plan.pk]))

    assert response.status_code == 200
    html = response.text
    assert "Kế hoạch số 252/KH-UBND ngày 19/09/2018" in html
    assert "Tiền Giang" in html
    assert "QĐ của 252/KH-UBND" in html


def test_reader_sees_every_row_of_the_tree_in_one_table(reader, plan):
    response = reader.get(reverse("criteria:plan-detail", args=[plan.pk]))

    html = response.text
    assert html.count('<table class="data plan-table">') == 1
    for code, title, *_rest in TIEN_GIANG_ROWS:
        assert f'<tr id="row-{code}" class="level-{code.count(".") + 1}' in html
        assert title in html
    assert html.count('class="badge survey"') == 2
    assert "Sở Nội vụ đôn đốc" in html
    assert "- Sở TT&amp;TT<br>- Sở KH&amp;CN" in html
    assert "Mục tiêu 2019 - 2020" in html


def test_scores_and_ranges_use_the_vietnamese_decimal_mark(reader, plan):
    response = reader.get(reverse("criteria:plan-detail", args=[plan.pk]))

    html = response.text
    assert '<td class="num">8,5 – 9</td>' in html
    assert '<td class="num">7,88</td>' in html
    # Scores are stored with two decimals; the page drops the trailing zeros.
    assert '<td class="num">0,5</td>' in html
    assert "0,50" not in html
    assert '<td class="num">13,5 – 14,5</td>' in html  # the total row's target


def test_english_reader_sees_the_english_decimal_mark(reader, plan):
    reader.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"

    response = reader.get(reverse("criteria:plan-detail", args=[plan.pk]))

    html = response.text
    assert '<td class="num">8.5 – 9</td>' in html
    assert '<td class="num">73.64</td>' in html
    assert "8,5" not in html


def test_history_shows_total_rank_and_change_from_the_year_before(reader, plan):
    response = reader.get(reverse("criteria:plan-detail", args=[plan.pk]))

    html = response.text
    assert '<td class="num">73,64</td>' in html
    assert '<td class="num">51/63</td>' in html
    # 2016: 70,61 against 85,51, rank 39 against 32; 2017: 73,64 against 70,61, 51 against 39.
    assert "giảm 14,9 điểm" in html
    assert "giảm 7 hạng" in html
    assert "tăng 3,03 điểm" in html
    assert "giảm 12 hạng" in html


def test_warnings_list_each_figure_that_differs_from_its_children(maintainer, plan):
    # The slice's areas add up to 2,5 + 9,88 = 12,38, not the published 73,64.
    response = maintainer.get(reverse("criteria:plan-detail", args=[plan.pk]))

    html = response.text
    assert "Có 1 số liệu không bằng tổng các dòng con." in html
    assert '<a href="#row-total">TỔNG ĐIỂM</a>' in html
    assert "Điểm đạt được năm 2017" in html
    assert '<td class="num">12,38</td>' in html
    assert '<tr id="row-total" class="total has-mismatch">' in html


def test_a_wrong_criterion_maximum_shows_up_in_the_warnings(maintainer, plan):
    Criterion.objects.filter(framework=plan.framework, code="1.1").update(max_score=D("2"))

    response = maintainer.get(reverse("criteria:plan-detail", args=[plan.pk]))

    html = response.text
    assert "Có 3 số liệu không bằng tổng các dòng con." in html
    # 1.1 states 2 over 0,5 + 1; area 1 states 3 over 2 + 1,5.
    assert '<a href="#row-1.1">1.1</a></th>\n            <td>Điểm chuẩn</td>' in html
    assert '<td class="num">1,5</td>' in html
    assert '<td class="num">3,5</td>' in html
    assert '<tr id="row-1.1" class="level-2 has-mismatch">' in html


def test_consistent_plan_shows_no_warning(maintainer, plan):
    IndexResult.objects.filter(province="Tiền Giang", year=2017).update(total=D("12.38"))

    response = maintainer.get(reverse("criteria:plan-detail", args=[plan.pk]))

    html = response.text
    assert "không bằng tổng các dòng con" not in html
    assert "Số liệu thống nhất" in html
    assert "has-mismatch" not in html


@pytest.mark.parametrize("role", ["admin_user", "noivu_staff"])
def test_those_who_correct_the_plan_see_its_checks(client, request, role, assigned):
    client.force_login(request.getfixturevalue(role))

    response = client.get(reverse("criteria:plan-detail", args=[assigned.pk]))

    html = response.text
    assert "Kiểm tra số liệu của phụ lục" in html
    assert "Có 1 số liệu không bằng tổng các dòng con." in html
    assert '<tr id="row-total" class="total has-mismatch">' in html
    assert "Nội dung chưa nhận ra đơn vị thực hiện" in html
    assert "Đơn vị chủ trì chưa được xác nhận" in html


@pytest.mark.parametrize("role", ["leader", "agency_user", "other_agency_user"])
def test_leaders_and_agencies_read_the_plan_without_its_checks(client, request, role, assigned):
    client.force_login(request.getfixturevalue(role))

    response = client.get(reverse("criteria:plan-detail", args=[assigned.pk]))

    html = response.text
    assert response.status_code == 200
    assert '<table class="data plan-table">' in html
    assert "Kiểm tra số liệu của phụ lục" not in html
    assert "không bằng tổng các dòng con" not in html
    assert "Số liệu thống nhất" not in html
    assert "has-mismatch" not in html
    assert "Nội dung chưa nhận ra đơn vị thực hiện" not in html
    # Owners to confirm and groups without members are Sở Nội vụ's work, not the reader's.
    assert "Đơn vị chủ trì chưa được xác nhận" not in html
    assert "chưa có đơn vị chủ trì được Sở Nội vụ xác nhận" not in html


def test_checks_shown_to_noivu_staff_are_not_served_to_a_leader_from_the_cache(
    client, noivu_staff, leader, assigned
):
    url = reverse("criteria:plan-detail", args=[assigned.pk])
    client.force_login(noivu_staff)
    assert "Kiểm tra số liệu của phụ lục" in client.get(url).text
    client.force_login(leader)

    response = client.get(url)

    assert "Kiểm tra số liệu của phụ lục" not in response.text


def test_page_links_the_appendix_download(reader, plan):
    response = reader.get(reverse("criteria:plan-detail", args=[plan.pk]))

    download_url = reverse("criteria:plan-appendix-download", args=[plan.pk])
    assert f'href="{download_url}"' in response.text


def test_area_fold_script_is_loaded_with_the_csp_nonce(reader, plan):
    response = reader.get(reverse("criteria:plan-detail", args=[plan.pk]))

    nonce = response.context["csp_nonce"]
    assert f'plan_detail.js" nonce="{nonce}" defer></script>' in response.text
    assert "<script>" not in response.text


def test_each_row_with_an_action_shows_its_lead(reader, assigned):
    response = reader.get(reverse("criteria:plan-detail", args=[assigned.pk]))

    html = response.text
    assert html.count('<td class="lead"><abbr title="Sở Nội vụ">Sở NV</abbr>') == 3
    # 2.2: each bullet's agency leads its bullet.
    assert (
        '<td class="lead"><abbr title="Sở Khoa học và Công nghệ">Sở KH&amp;CN</abbr>; '
        '<abbr title="Sở Thông tin và Truyền thông">Sở TT&amp;TT</abbr>'
    ) in html
    # 2.1 names no agency ("Điều tra XHH"); areas have no action and show nothing.
    assert (
        '<td class="action">Điều tra XHH</td>\n  <td class="lead"><span class="badge unassigned">'
        in html
    )
    assert '<td class="action"></td>\n  <td class="lead">\n</td>' in html


def test_a_row_led_by_a_group_shows_the_group(reader, assigned):
    responsibility = Responsibility.objects.get(plan=assigned, criterion__code="2.1")
    responsibility.lead_groups.add(AgencyGroup.objects.get(name="UBND cấp huyện"))

    response = reader.get(reverse("criteria:plan-detail", args=[assigned.pk]))

    assert '<td class="lead">UBND cấp huyện' in response.text


def test_texts_naming_no_agency_are_listed_for_review(maintainer, assigned):
    response = maintainer.get(reverse("criteria:plan-detail", args=[assigned.pk]))

    html = response.text
    assert "Nội dung chưa nhận ra đơn vị thực hiện" in html
    assert "Có 1 nội dung “Thực hiện” không nêu tên đơn vị nào" in html
    assert (
        '<th scope="row"><a href="#row-2.1">2.1</a></th>\n          <td>Điều tra XHH</td>' in html
    )


def test_texts_never_read_for_agencies_are_listed_too(maintainer, plan):
    response = maintainer.get(reverse("criteria:plan-detail", args=[plan.pk]))

    html = response.text
    leaves = 5  # 1.1.1, 1.1.2, 1.2, 2.1, 2.2
    assert "Có 5 nội dung “Thực hiện” không nêu tên đơn vị nào" in html
    # Once in the texts to review, once more for each leaf in the owners to confirm.
    assert html.count("Chưa đọc: hãy nhập lại phụ lục.") == 5 + leaves


def test_plan_with_every_text_recognised_says_so(maintainer, assigned):
    Action.objects.filter(plan=assigned, criterion__code="2.1").update(text="Sở Nội vụ phối hợp")
    assign_from_actions(plan=assigned)

    response = maintainer.get(reverse("criteria:plan-detail", args=[assigned.pk]))

    assert "Mọi nội dung “Thực hiện” đều đã nhận ra đơn vị thực hiện." in response.text


def test_noivu_staff_get_a_link_to_edit_each_assignment(client, assigned, noivu_staff):
    client.force_login(noivu_staff)
    responsibility = Responsibility.objects.get(plan=assigned, criterion__code="2.1")

    response = client.get(reverse("criteria:plan-detail", args=[assigned.pk]))

    edit_url = reverse("assignments:responsibility-edit", args=[responsibility.pk])
    leaves = 5  # 1.1.1, 1.1.2, 1.2, 2.1, 2.2
    # Once in its row, once in the list of texts to review, once in the owners to confirm.
    assert response.text.count(f'href="{edit_url}"') == 3
    assert response.text.count('class="edit-link no-print"') == 6 + leaves


def test_readers_get_no_edit_links(reader, assigned):
    response = reader.get(reverse("criteria:plan-detail", args=[assigned.pk]))

    assert "edit-link" not in response.text


def test_the_tasks_are_linked_for_those_who_may_read_them(reader, client, leader, assigned):
    tasks_url = reverse("assignments:task-list", args=[assigned.pk])
    without_role = reader.get(reverse("criteria:plan-detail", args=[assigned.pk]))
    client.force_login(leader)

    with_role = client.get(reverse("criteria:plan-detail", args=[assigned.pk]))

    assert f'href="{tasks_url}"' not in without_role.text
    assert f'href="{tasks_url}"' in with_role.text


def test_query_count_does_not_grow_with_the_tree(reader, plan, django_assert_num_queries):
    bigger = build_plan(
        "99/KH-UBND",
        "Bến Tre",
        [(f"1{code[1:]}", *rest) for code, *rest in TIEN_GIANG_ROWS[:5]]
        + [(f"2{code[1:]}", *rest) for code, *rest in TIEN_GIANG_ROWS[:5]]
        + [(f"3{code[1:]}", *rest) for code, *rest in TIEN_GIANG_ROWS[5:]],
        ("22", "16.5-17.5", "18.5-20"),
        TIEN_GIANG_HISTORY,
    )
    assert Criterion.objects.filter(framework=bigger.framework).count() == 13
    district = AgencyGroup.objects.create(name="UBND cấp huyện", kinds=[Agency.Kind.DISTRICT])
    Agency.objects.create(name="Sở Nội vụ", short_name="Sở NV", kind=Agency.Kind.DEPARTMENT)
    for shown in (plan, bigger):
        assign_from_actions(plan=shown)
        for responsibility in Responsibility.objects.filter(plan=shown)[:2]:
            responsibility.groups.add(district)
    assert Responsibility.objects.filter(plan=bigger, leads__isnull=False).count() == 6

    for shown in (plan, bigger):
        # session, user, plan with framework, the user's own permissions and those of the
        # user's groups (may this user edit assignments?), the data version
        # (criteria/caching.py), 2017 official scores, targets, actions, criteria in tree
        # order, 2017 index result (the total row), index history, responsibilities with
        # criteria, their leads, lead groups and groups, the groups without members (active
        # agencies' kinds, groups, their agencies), the user's groups (the navigation's role
        # links)
        with django_assert_num_queries(20):
            response = reader.get(reverse("criteria:plan-detail", args=[shown.pk]))
        assert shown.number in response.text


def test_anonymous_is_sent_to_login(client, plan):
    url = reverse("criteria:plan-detail", args=[plan.pk])

    response = client.get(url)

    assert response.status_code == 302
    assert response.url == f"{reverse('login')}?next={url}"


def test_post_is_refused(reader, plan):
    response = reader.post(reverse("criteria:plan-detail", args=[plan.pk]))

    assert response.status_code == 405


def test_unknown_plan_gets_404(reader, plan):
    response = reader.get(reverse("criteria:plan-detail", args=[plan.pk + 1]))

    assert response.status_code == 404
