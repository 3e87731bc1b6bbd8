"""Entering a year's scores in the grid: checked as typed, saved row by row, never blindly."""

from decimal import Decimal

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from criteria.models import Criterion, Score
from reports.services import ScoreEntry, StaleRowError, _save_one
from tests.reports.conftest import add_scores

pytestmark = pytest.mark.django_db

D = Decimal
HTMX = {"HX-Request": "true"}


def row_data(**fields: str) -> dict[str, str]:
    """What a grid row posts: both values with the versions it showed, and the reason."""
    return {
        "self_value": "",
        "self_version": "0",
        "official_value": "",
        "official_version": "0",
        "note": "",
        **fields,
    }


def save_url(criterion, year: int = 2018) -> str:
    return reverse("reports:score-save", args=[year, criterion.pk])


def scores_of(criterion, year: int = 2018) -> dict[str, tuple[Decimal, int, str]]:
    return {
        score.kind: (score.value, score.version, score.note)
        for score in Score.objects.filter(criterion=criterion, year=year)
    }


# -- The grid page ---------------------------------------------------------------------------


def test_grid_shows_leaves_as_inputs_and_parents_as_sums(staff_client, scored_plan, tree):
    add_scores(tree, 2018, {"1.2": "3"}, kind=Score.Kind.SELF)

    response = staff_client.get(reverse("reports:score-grid", args=[2018]))

    assert response.status_code == 200
    html = response.content.decode()
    leaf = tree["1.2"].pk
    assert f'id="self-{leaf}" name="self_value" form="score-form-{leaf}" value="3"' in html
    assert (
        f'id="official-{leaf}" name="official_value" form="score-form-{leaf}" value="2,5"' in html
    )
    assert f'id="official-version-{leaf}" name="official_version" value="1"' in html
    # Parents have no inputs: their cells are sums (area 1 official: 8,5, not its stored 9,9).
    assert f'id="self-{tree["1"].pk}"' not in html
    assert '<td class="num sum">8,5</td>' in html
    assert "9,9" not in html
    assert '<td class="num sum">22,5</td>' in html  # the total


def test_grid_shows_the_first_area_and_every_areas_sums(staff_client, scored_plan, tree):
    response = staff_client.get(reverse("reports:score-grid", args=[2018]))

    assert response.status_code == 200
    html = response.content.decode()
    assert f'id="official-{tree["1.2"].pk}"' in html
    assert f'id="official-{tree["2.1.1"].pk}"' not in html
    assert f'id="row-{tree["2"].pk}"' not in html
    # The areas' summary: every area with its sums, area 1 marked as the one shown.
    summary = html.split('<table class="data area-summary">')[1].split("</table>")[0]
    assert summary.count('<tr id="area-') == 3
    assert '<a href="?area=1" aria-current="page">Tiêu chí 1</a>' in summary
    assert '<a href="?area=2">Tiêu chí 2</a>' in summary
    for official in ["8,5", "6,5", "7,5"]:
        assert f'<td class="num">{official}</td>' in summary
    assert '<td class="num sum">22,5</td>' in html  # the total of every area


def test_grid_shows_the_area_asked_for(staff_client, scored_plan, tree):
    response = staff_client.get(reverse("reports:score-grid", args=[2018]), {"area": "2"})

    assert response.status_code == 200
    html = response.content.decode()
    assert f'id="official-{tree["2.1.1"].pk}"' in html
    assert f'id="official-{tree["1.2"].pk}"' not in html
    assert f'<tr id="row-{tree["2"].pk}" class="level-1 parent">' in html
    assert '<a href="?area=2" aria-current="page">Tiêu chí 2</a>' in html
    assert '<td class="num sum">22,5</td>' in html
    # Another year opens on the same area.
    assert f'href="{reverse("reports:score-grid", args=[2019])}?area=2"' in html


def test_an_area_without_criteria_below_is_entered_as_its_own_row(staff_client, plan, tree):
    response = staff_client.get(reverse("reports:score-grid", args=[2018]), {"area": "3"})

    area = tree["3"].pk
    assert f'id="official-{area}" name="official_value" form="score-form-{area}"' in (
        response.content.decode()
    )


@pytest.mark.parametrize("area", ["4", "1.1", "", "mot", "1 "])
def test_grid_of_an_unknown_area_is_404(staff_client, plan, tree, area):
    response = staff_client.get(reverse("reports:score-grid", args=[2018]), {"area": area})

    assert response.status_code == 404


def test_grid_without_criteria_shows_only_the_total(staff_client, plan):
    response = staff_client.get(reverse("reports:score-grid", args=[2018]))

    assert response.status_code == 200
    assert 'id="row-total"' in response.content.decode()
    assert "area-summary" not in response.content.decode()


def test_grid_leaves_criteria_without_a_score_empty(staff_client, plan, tree):
    response = staff_client.get(reverse("reports:score-grid", args=[2019]))

    html = response.content.decode()
    leaf = tree["1.1.1"].pk
    assert f'id="official-{leaf}" name="official_value" form="score-form-{leaf}" value=""' in html
    assert f'id="official-version-{leaf}" name="official_version" value="0"' in html


def test_grid_marks_survey_rows_and_locks_their_self_assessment(staff_client, plan, tree):
    response = staff_client.get(reverse("reports:score-grid", args=[2018]))

    html = response.content.decode()
    survey = tree["1.3.2"].pk
    assert f'<tr id="row-{survey}" class="level-3 leaf survey">' in html
    self_input = html.split(f'id="self-{survey}"')[1].split(">")[0]
    assert "disabled" in self_input
    assert "Điều tra XHH" in html


def test_grid_loads_htmx_and_the_grid_script_with_the_csp_nonce(staff_client, plan, tree):
    response = staff_client.get(reverse("reports:score-grid", args=[2018]))

    html = response.content.decode()
    nonce = response.context["csp_nonce"]
    assert f'django_htmx/htmx-2.min.js" defer nonce="{nonce}"' in html
    assert f'js/score-grid.js" defer nonce="{nonce}"' in html
    assert "<script>" not in html
    assert f"'nonce-{nonce}'" in response.headers["Content-Security-Policy"]


def test_grid_is_read_only_without_the_permission(leader_client, scored_plan, tree):
    response = leader_client.get(reverse("reports:score-grid", args=[2018]))

    assert response.status_code == 200
    html = response.content.decode()
    assert '<form id="score-form-' not in html
    official = html.split(f'id="official-{tree["1.2"].pk}"')[1].split(">")[0]
    assert "disabled" in official
    assert "htmx" not in html


def test_read_only_grid_speaks_of_reading_not_entering(leader_client, scored_plan, tree):
    response = leader_client.get(reverse("reports:score-grid", args=[2018]))

    html = response.content.decode()
    assert "nhập điểm" not in html.lower()
    assert "chọn một lĩnh vực để xem điểm" in html


def test_grid_of_a_year_outside_the_plan_is_404(staff_client, plan):
    response = staff_client.get(reverse("reports:score-grid", args=[2016]))

    assert response.status_code == 404


def test_grid_sends_anonymous_to_login(client, plan):
    url = reverse("reports:score-grid", args=[2018])

    response = client.get(url)

    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def test_grid_refuses_post(staff_client, plan):
    response = staff_client.post(reverse("reports:score-grid", args=[2018]))

    assert response.status_code == 405


def add_areas(plan, count: int) -> None:
    """`count` more areas after area 3, of two scored leaves each."""
    for number in range(4, 4 + count):
        area = Criterion.objects.create(
            framework=plan.framework, code=str(number), title="Lĩnh vực", max_score=D(4)
        )
        for child in (1, 2):
            leaf = Criterion.objects.create(
                framework=plan.framework,
                parent=area,
                code=f"{number}.{child}",
                title="Tiêu chí",
                max_score=D(2),
            )
            Score.objects.create(criterion=leaf, year=2018, kind=Score.Kind.OFFICIAL, value=D(1))


@pytest.mark.parametrize("more_areas", [0, 6])
def test_grid_query_count_is_pinned(
    staff_client, scored_plan, tree, django_assert_num_queries, more_areas
):
    add_scores(tree, 2018, {"1.1.1": "1", "2.1.1": "2"}, kind=Score.Kind.SELF)
    add_areas(scored_plan, more_areas)
    url = reverse("reports:score-grid", args=[2018])

    # session, user, plan with framework, the tree's branches, the cells to fill per area,
    # the scores of the year and the year before summed per node, the year's published
    # total (added on purpose: the grid's total is the stated one where it is published),
    # the area's criteria, their scores of the year, the user's permissions, the user's
    # group permissions, the user's groups (navigation), whether an approved
    # self-assessment locks the year (criteria.locks)
    with django_assert_num_queries(13):
        response = staff_client.get(url, {"area": "2"})

    assert response.status_code == 200
    assert response.content.decode().count('<tr id="area-') == 3 + more_areas


# -- Saving a row ----------------------------------------------------------------------------


def test_saving_a_row_creates_both_scores(staff_client, plan, tree, noivu_staff):
    leaf = tree["1.2"]
    assert scores_of(leaf) == {}

    response = staff_client.post(
        save_url(leaf), row_data(self_value="2,5", official_value="2.5"), headers=HTMX
    )

    assert response.status_code == 200
    assert scores_of(leaf) == {
        Score.Kind.SELF: (D("2.5"), 1, ""),
        Score.Kind.OFFICIAL: (D("2.5"), 1, ""),
    }
    assert Score.objects.get(criterion=leaf, kind=Score.Kind.SELF).entered_by == noivu_staff
    assert "Đã lưu" in response.content.decode()


def test_pasted_comma_decimal_is_accepted(staff_client, plan, tree):
    leaf = tree["3"]  # an area without criteria, maximum 10

    response = staff_client.post(save_url(leaf), row_data(official_value="7,5"), headers=HTMX)

    assert response.status_code == 200
    assert scores_of(leaf)[Score.Kind.OFFICIAL][0] == D("7.5")


def test_saved_row_returns_new_versions_and_updated_sums(staff_client, scored_plan, tree):
    leaf = tree["1.1.1"]  # official 1 (version 1); area 1 sums 8,5, the total 22,5

    response = staff_client.post(
        save_url(leaf), row_data(official_value="0,5", official_version="1"), headers=HTMX
    )

    html = response.content.decode()
    assert scores_of(leaf)[Score.Kind.OFFICIAL] == (D("0.5"), 2, "")
    assert (
        f'<input type="hidden" id="official-version-{leaf.pk}" name="official_version" '
        f'value="2" hx-swap-oob="true">' in html
    )
    assert f'<tr id="row-{tree["1.1"].pk}" class="level-2 parent" hx-swap-oob="true">' in html
    assert f'<tr id="row-{tree["1"].pk}" class="level-1 parent" hx-swap-oob="true">' in html
    assert '<td class="num sum">8</td>' in html  # area 1: 8,5 − 0,5
    assert '<td class="num sum">22</td>' in html  # the total
    assert f'id="row-{tree["2"].pk}"' not in html  # other branches are left alone
    # The area's line in the areas' summary follows.
    summary = html.split(f'<tr id="area-{tree["1"].pk}" class="current" hx-swap-oob="true">')[1]
    assert '<td class="num">8</td>' in summary.split("</tr>")[0]
    assert f'id="area-{tree["2"].pk}"' not in html


@pytest.mark.parametrize("more_areas", [0, 6])
def test_saving_a_row_query_count_is_pinned(
    staff_client, scored_plan, tree, django_assert_num_queries, more_areas
):
    add_areas(scored_plan, more_areas)
    data = row_data(official_value="1,5", official_version="1")

    # session, user, the user's permissions, its groups' permissions, plan with framework,
    # the leaf; savepoint, the row's scores locked, the update, its history row, release;
    # then the tree's branches, the cells to fill per area, the scores summed per node, the
    # year's published total (added on purpose, as on the grid), the area's criteria and
    # their scores (the sums sent back)
    with django_assert_num_queries(17):
        response = staff_client.post(save_url(tree["2.1.1"]), data, headers=HTMX)

    assert response.status_code == 200
    assert scores_of(tree["2.1.1"])[Score.Kind.OFFICIAL][0] == D("1.5")


def test_saving_records_history_with_the_user(staff_client, scored_plan, tree, noivu_staff):
    leaf = tree["1.1.1"]
    official = Score.objects.get(criterion=leaf, year=2018, kind=Score.Kind.OFFICIAL)
    assert official.history.count() == 1

    staff_client.post(
        save_url(leaf), row_data(official_value="0,5", official_version="1"), headers=HTMX
    )

    latest = official.history.first()
    assert official.history.count() == 2
    assert (latest.history_type, latest.value, latest.version) == ("~", D("0.5"), 2)
    assert latest.history_user == noivu_staff


def test_value_above_maximum_is_refused_in_vietnamese(staff_client, scored_plan, tree):
    leaf = tree["1.1.1"]  # maximum 1

    response = staff_client.post(
        save_url(leaf), row_data(official_value="1,5", official_version="1"), headers=HTMX
    )

    assert response.status_code == 422
    assert "Điểm 1,5 vượt quá điểm chuẩn 1 của tiêu chí 1.1.1." in response.content.decode()
    assert scores_of(leaf)[Score.Kind.OFFICIAL] == (D("1"), 1, "")


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("abc", "không phải là số"),
        ("-1", "Điểm không được âm (“-1”)."),
        ("0,755", "Điểm có quá 2 chữ số thập phân (0,755)."),
    ],
)
def test_bad_numbers_are_refused_with_the_reason(staff_client, plan, tree, typed, message):
    response = staff_client.post(save_url(tree["1.2"]), row_data(self_value=typed), headers=HTMX)

    assert response.status_code == 422
    assert message in response.content.decode()
    assert not Score.objects.exists()


def test_refused_value_does_not_move_the_versions_on(staff_client, scored_plan, tree):
    response = staff_client.post(
        save_url(tree["1.2"]), row_data(official_value="9", official_version="1"), headers=HTMX
    )

    assert response.status_code == 422
    assert "hx-swap-oob" not in response.content.decode()


def test_official_below_self_needs_a_reason(staff_client, plan, tree):
    leaf = tree["1.2"]

    refused = staff_client.post(
        save_url(leaf), row_data(self_value="3", official_value="2"), headers=HTMX
    )
    accepted = staff_client.post(
        save_url(leaf),
        row_data(self_value="3", official_value="2", note="Thiếu báo cáo quý IV"),
        headers=HTMX,
    )

    assert refused.status_code == 422
    assert "thấp hơn điểm tự đánh giá 1 điểm: hãy ghi lý do bị trừ điểm" in (
        refused.content.decode()
    )
    assert accepted.status_code == 200
    assert scores_of(leaf)[Score.Kind.OFFICIAL] == (D("2"), 1, "Thiếu báo cáo quý IV")


def test_survey_row_takes_no_self_assessment(staff_client, plan, tree):
    response = staff_client.post(
        save_url(tree["2.2"]), row_data(self_value="3", official_value="3"), headers=HTMX
    )

    assert response.status_code == 422
    assert "tỉnh không tự đánh giá" in response.content.decode()
    assert not Score.objects.exists()


def test_survey_row_keeps_a_self_score_it_does_not_show(staff_client, plan, tree):
    survey = tree["2.2"]
    add_scores(tree, 2018, {"2.2": "2"}, kind=Score.Kind.SELF)  # entered before it was marked

    response = staff_client.post(save_url(survey), row_data(official_value="3"), headers=HTMX)

    assert response.status_code == 200
    assert scores_of(survey) == {
        Score.Kind.SELF: (D("2"), 1, ""),
        Score.Kind.OFFICIAL: (D("3"), 1, ""),
    }


def test_emptied_cell_deletes_the_score(staff_client, scored_plan, tree):
    leaf = tree["1.2"]
    assert Score.Kind.OFFICIAL in scores_of(leaf)

    response = staff_client.post(
        save_url(leaf), row_data(official_value="", official_version="1"), headers=HTMX
    )

    assert response.status_code == 200
    assert scores_of(leaf) == {}
    assert (
        f'id="official-version-{leaf.pk}" name="official_version" value="0" hx-swap-oob="true"'
        in response.content.decode()
    )


def test_stale_version_is_refused_and_the_current_value_shown(staff_client, scored_plan, tree):
    leaf = tree["1.2"]
    # Someone else saved 3 after this row was loaded at version 1.
    Score.objects.filter(criterion=leaf, year=2018, kind=Score.Kind.OFFICIAL).update(
        value=D("3"), version=2
    )

    response = staff_client.post(
        save_url(leaf), row_data(official_value="1", official_version="1"), headers=HTMX
    )

    assert response.status_code == 409
    assert scores_of(leaf)[Score.Kind.OFFICIAL] == (D("3"), 2, "")
    html = response.content.decode()
    assert response.headers["HX-Retarget"] == f"#row-{leaf.pk}"
    assert response.headers["HX-Reswap"] == "outerHTML"
    assert f'name="official_value" form="score-form-{leaf.pk}" value="3"' in html
    assert 'name="official_version" value="2"' in html
    assert "vừa được người khác sửa" in html


def test_stale_row_rolls_back_the_other_kind_too(staff_client, scored_plan, tree):
    leaf = tree["1.2"]
    Score.objects.filter(criterion=leaf, year=2018, kind=Score.Kind.OFFICIAL).update(version=2)

    response = staff_client.post(
        save_url(leaf),
        row_data(self_value="1", official_value="1", official_version="1"),
        headers=HTMX,
    )

    assert response.status_code == 409
    assert Score.Kind.SELF not in scores_of(leaf)


def test_score_created_meanwhile_is_a_conflict(staff_client, plan, tree):
    leaf = tree["1.2"]
    add_scores(tree, 2018, {"1.2": "1"})  # someone created it after the row showed "empty"

    response = staff_client.post(save_url(leaf), row_data(official_value="2"), headers=HTMX)

    assert response.status_code == 409
    assert scores_of(leaf)[Score.Kind.OFFICIAL] == (D("1"), 1, "")


def test_unchanged_row_is_no_conflict_and_keeps_its_version(staff_client, scored_plan, tree):
    leaf = tree["1.2"]
    Score.objects.filter(criterion=leaf, year=2018, kind=Score.Kind.OFFICIAL).update(version=3)

    response = staff_client.post(
        save_url(leaf), row_data(official_value="2,50", official_version="1"), headers=HTMX
    )

    assert response.status_code == 200
    assert scores_of(leaf)[Score.Kind.OFFICIAL] == (D("2.5"), 3, "")
    assert "Không có thay đổi" in response.content.decode()


def test_update_guarded_by_version_in_the_database(scored_plan, tree, noivu_staff):
    """The race the first read cannot see: the row moved on between read and write."""
    loaded = Score.objects.get(criterion=tree["1.2"], year=2018, kind=Score.Kind.OFFICIAL)
    Score.objects.filter(pk=loaded.pk).update(value=D("3"), version=2)

    with pytest.raises(StaleRowError):
        _save_one(
            tree["1.2"], 2018, Score.Kind.OFFICIAL, ScoreEntry(D("1"), 1), loaded, noivu_staff
        )
    with pytest.raises(StaleRowError):
        _save_one(tree["1.2"], 2018, Score.Kind.OFFICIAL, ScoreEntry(None, 1), loaded, noivu_staff)

    loaded.refresh_from_db()
    assert (loaded.value, loaded.version) == (D("3"), 2)


def test_parent_rows_cannot_be_entered(staff_client, plan, tree):
    response = staff_client.post(save_url(tree["1.1"]), row_data(official_value="1"), headers=HTMX)

    assert response.status_code == 404
    assert not Score.objects.exists()


def test_save_without_permission_is_403(leader_client, plan, tree):
    response = leader_client.post(save_url(tree["1.2"]), row_data(official_value="1"), headers=HTMX)

    assert response.status_code == 403
    assert not Score.objects.exists()


def test_save_needs_the_permission_not_a_group(client, plan, tree, django_user_model):
    user = django_user_model.objects.create_user("nhap.diem")
    user.user_permissions.add(
        Permission.objects.get(codename="change_score", content_type__app_label="criteria")
    )
    client.force_login(user)

    response = client.post(save_url(tree["1.2"]), row_data(official_value="1"), headers=HTMX)

    assert response.status_code == 200
    assert scores_of(tree["1.2"])[Score.Kind.OFFICIAL][0] == D("1")


def test_agency_user_cannot_save(client, plan, tree, agency_user):
    client.force_login(agency_user)

    response = client.post(save_url(tree["1.2"]), row_data(official_value="1"), headers=HTMX)

    assert response.status_code == 403
    assert not Score.objects.exists()


def test_save_sends_anonymous_to_login(client, plan, tree):
    response = client.post(save_url(tree["1.2"]), row_data(official_value="1"))

    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))
    assert not Score.objects.exists()


def test_save_refuses_get(staff_client, plan, tree):
    response = staff_client.get(save_url(tree["1.2"]))

    assert response.status_code == 405


def test_save_without_javascript_redirects_back_to_the_rows_area_with_a_message(
    staff_client, plan, tree
):
    leaf = tree["2.1.2"]

    response = staff_client.post(save_url(leaf), row_data(official_value="2"), follow=True)

    assert response.redirect_chain == [
        (reverse("reports:score-grid", args=[2018]) + f"?area=2#row-{leaf.pk}", 302)
    ]
    assert "Đã lưu điểm tiêu chí 2.1.2." in response.content.decode()
    assert f'id="official-{leaf.pk}"' in response.content.decode()
    assert scores_of(leaf)[Score.Kind.OFFICIAL][0] == D("2")


def test_save_without_javascript_reports_a_refused_value(staff_client, plan, tree):
    response = staff_client.post(save_url(tree["1.2"]), row_data(official_value="5"), follow=True)

    assert "1.2: Điểm 5 vượt quá điểm chuẩn 3 của tiêu chí 1.2." in response.content.decode()
    assert not Score.objects.exists()


def test_save_without_javascript_reports_a_stale_row(staff_client, scored_plan, tree):
    leaf = tree["1.2"]
    Score.objects.filter(criterion=leaf, year=2018, kind=Score.Kind.OFFICIAL).update(version=2)

    response = staff_client.post(
        save_url(leaf), row_data(official_value="1", official_version="1"), follow=True
    )

    assert "1.2: dòng này vừa được người khác sửa nên chưa lưu" in response.content.decode()
    assert scores_of(leaf)[Score.Kind.OFFICIAL] == (D("2.5"), 2, "")
