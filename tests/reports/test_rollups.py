"""Roll-ups and the dashboards' arithmetic, read from the database in constant queries."""

from decimal import Decimal

import pytest

from criteria.models import Criterion, Plan, Score, Target
from reports.figures import roll_up
from reports.grid import GridSummary, ScoreGrid
from reports.rollups import (
    DEFAULT_GAP_SORT,
    Overview,
    Route,
    Status,
    YearResults,
    filter_gap_rows,
    sort_gap_rows,
    status_of,
    target_for_year,
)
from tests.reports.conftest import add_scores, add_target

pytestmark = pytest.mark.django_db

D = Decimal


def tree_list(tree: dict[str, Criterion]) -> list[Criterion]:
    return list(Criterion.objects.filter(pk__in=[c.pk for c in tree.values()]).for_tree())


def test_parent_is_the_sum_of_its_leaves(tree):
    values = [
        (tree["1.1.1"].id, "k", D("0.5")),
        (tree["1.1.2"].id, "k", D("1")),
        (tree["1.2"].id, "k", D("2")),
    ]

    sums = roll_up(tree_list(tree), values)

    assert sums[tree["1.1"].id] == {"k": D("1.5")}
    assert sums[tree["1"].id] == {"k": D("3.5")}
    assert sums[None] == {"k": D("3.5")}
    assert sums.differing_sum(tree["1.1"].id, "k") is None


def test_a_parents_stated_score_is_its_figure_with_the_childrens_sum_kept_beside_it(tree):
    values = [
        (tree["1.1.1"].id, "k", D("0.5")),
        (tree["1.1.2"].id, "k", D("0.5")),
        (tree["1.2"].id, "k", D("2")),
        (tree["1.1"].id, "k", D("2")),  # stated by the appendix, as 6.2 of the seed plan
    ]

    sums = roll_up(tree_list(tree), values, stated_total={"k": D("4.5")})

    assert sums[tree["1.1"].id] == {"k": D("2")}
    assert sums.differing_sum(tree["1.1"].id, "k") == D("1")
    # Above it, the stated figure counts: area 1 = 2 + 2, as the appendix adds it up.
    assert sums[tree["1"].id] == {"k": D("4")}
    assert sums.differing_sum(tree["1"].id, "k") is None
    # The whole index: the published total, beside the areas' sum.
    assert sums[None] == {"k": D("4.5")}
    assert sums.differing_sum(None, "k") == D("4")


def test_criterion_without_children_counts_its_own_score(tree):
    values = [(tree["3"].id, "k", D("7.5")), (tree["2.2"].id, "k", D("3"))]

    sums = roll_up(tree_list(tree), values)

    assert sums[tree["3"].id] == {"k": D("7.5")}
    assert sums[tree["2"].id] == {"k": D("3")}
    assert sums[None] == {"k": D("10.5")}


def test_branch_without_any_score_stays_empty_not_zero(tree):
    sums = roll_up(tree_list(tree), [(tree["1.2"].id, 2018, D("2"))])

    assert sums[tree["1.1"].id] == {}
    assert sums[tree["2"].id] == {}
    assert sums[tree["1"].id] == {2018: D("2")}


def test_keys_are_summed_separately(tree):
    values = [
        (tree["1.2"].id, 2017, D("1")),
        (tree["1.2"].id, 2018, D("2")),
        (tree["1.1.1"].id, 2018, D("0.5")),
    ]

    sums = roll_up(tree_list(tree), values)

    assert sums[tree["1"].id] == {2017: D("1"), 2018: D("2.5")}


@pytest.mark.parametrize(
    ("actual", "expected"),
    [
        ("7.99", Status.BELOW),
        ("8", Status.WITHIN),  # a range target is met at its lower bound
        ("9", Status.WITHIN),
        ("9.01", Status.ABOVE),
        (None, None),
    ],
)
def test_status_against_a_range_target(plan, actual, expected):
    target = Target(plan=plan, first_year=2018, last_year=2018, min_score=D(8), max_score=D(9))

    assert status_of(None if actual is None else D(actual), target) == expected


def test_target_for_year_prefers_the_span_covering_it(plan):
    first = add_target(plan, None, 2018, 2018, "10", "10")
    second = add_target(plan, None, 2019, 2020, "11", "12")
    targets = [first, second]

    assert target_for_year(targets, 2018) == first
    assert target_for_year(targets, 2020) == second
    assert target_for_year(targets, 2017) == first  # the baseline measures against the first
    assert target_for_year(targets, 2021) == second
    assert target_for_year([], 2018) is None


def test_score_grid_holds_both_kinds_and_their_sums(scored_plan, tree, django_assert_num_queries):
    add_scores(tree, 2018, {"1.1.1": "1", "1.2": "3"}, kind=Score.Kind.SELF)

    # criteria, scores of the year
    with django_assert_num_queries(2):
        grid = ScoreGrid.build(scored_plan.framework, 2018)

    leaf = grid.by_id[tree["1.2"].id]
    assert leaf.is_leaf
    assert (leaf.self_score.value, leaf.official_score.value) == (D("3"), D("2.5"))
    assert leaf.lost_at_appraisal == D("0.5")
    area = grid.by_id[tree["1"].id]
    assert not area.is_leaf
    assert (area.self_total, area.official_total) == (D("4"), D("8.5"))
    assert grid.official_total == D("22.5")
    assert [row.criterion.code for row in grid.ancestors(tree["1.1.1"])] == ["1.1", "1"]


def test_score_grid_of_one_area_reads_only_its_rows(scored_plan, tree, django_assert_num_queries):
    add_scores(tree, 2018, {"1.1.1": "1", "2.1.1": "1.5"}, kind=Score.Kind.SELF)

    # the area's criteria, their scores of the year
    with django_assert_num_queries(2):
        grid = ScoreGrid.build(scored_plan.framework, 2018, area=tree["2"])
    alone = ScoreGrid.build(scored_plan.framework, 2018, area=tree["3"])

    assert [row.criterion.code for row in grid.rows] == ["2", "2.1", "2.1.1", "2.1.2", "2.2"]
    assert (grid.self_total, grid.official_total) == (D("1.5"), D("6.5"))
    assert [row.criterion.code for row in grid.ancestors(tree["2.1.1"])] == ["2.1", "2"]
    assert [(row.criterion.code, row.is_leaf) for row in alone.rows] == [("3", True)]


def test_grid_summary_sums_each_area_as_the_whole_tree_does(
    scored_plan, tree, django_assert_num_queries
):
    # Self-assessments, one of them on a survey criterion (kept, summed, not a cell to fill)
    # and one stated on a criterion (its figure, above its children's sum); an empty
    # official cell.
    add_scores(tree, 2018, {"1.1.1": "1", "1.2": "3", "1.3.2": "1", "1.1": "2"}, Score.Kind.SELF)
    Score.objects.filter(criterion=tree["2.2"], year=2018).delete()
    whole = ScoreGrid.build(scored_plan.framework, 2018)

    # the tree's branches, the cells to fill per area, the scores of the year and the year
    # before summed per node, the year's published total
    with django_assert_num_queries(4):
        summary = GridSummary.build(scored_plan, 2018)

    assert [area.criterion.code for area in summary.areas] == ["1", "2", "3"]
    for area in summary.areas:
        row = whole.by_id[area.criterion.id]
        assert (area.self_total.value, area.official_total.value) == (
            row.self_total,
            row.official_total,
        )
    assert (summary.self_total.value, summary.official_total.value) == (
        whole.self_total,
        whole.official_total,
    )
    assert (summary.self_total.value, summary.official_total.value) == (D("6"), D("19.5"))
    assert whole.by_id[tree["1.1"].id].self_figure.children_sum == D("1")
    # Self-assessments missing: 1.1.2, 1.3.1 (1.3.2 is a survey); 2.1.1 and 2.1.2, and the
    # survey 2.2 lost its official score; area 3 is its own leaf, without self-assessment.
    assert [area.empty_cells for area in summary.areas] == [2, 3, 1]
    assert summary.area("2") is summary.areas[1]
    assert summary.area("1.1") is None and summary.area("4") is None


def test_year_results_compare_each_criterion_with_max_baseline_and_target(
    scored_plan, tree, django_assert_num_queries
):
    # criteria, scores of 2017 and 2018, targets, the published index of those years
    with django_assert_num_queries(4):
        results = YearResults.build(scored_plan, 2018)

    row = {row.criterion.code: row for row in results.rows}
    assert (row["1"].baseline, row["1"].actual) == (D("6"), D("8.5"))
    assert row["1"].points_lost == D("1.5")
    assert row["1"].status == Status.WITHIN
    assert (row["2"].shortfall, row["2"].status) == (D("0.5"), Status.BELOW)
    assert row["3"].status == Status.ABOVE
    assert row["1.1.1"].status == Status.WITHIN
    assert results.total.total == D("22.5")
    assert not results.total.is_published
    assert results.total.status == Status.WITHIN


def test_year_results_use_the_published_index_when_there_is_one(scored_plan):
    results = YearResults.build(scored_plan, 2017)

    assert results.total.total == D("73.64")
    assert (results.total.rank, results.total.province_count) == (51, 63)
    assert results.total.is_published
    # The baseline comes before the plan: shown against the first target (2018), not judged.
    assert results.total.target.first_year == 2018
    assert results.total.status is None
    assert all(row.status is None for row in results.rows)


def test_overview_runs_from_the_first_result_to_the_latest_year(
    scored_plan, django_assert_num_queries
):
    # published results, criteria, scores summed per node and year, targets
    with django_assert_num_queries(4):
        overview = Overview.build(scored_plan)

    assert [(year.year, year.total, year.rank) for year in overview.years] == [
        (2015, D("85.51"), 32),
        (2016, D("70.61"), 39),
        (2017, D("73.64"), 51),
        (2018, D("22.5"), None),
    ]
    assert [year.is_published for year in overview.years] == [True, True, True, False]
    assert overview.years[3].status == Status.WITHIN
    assert overview.years[0].target is None  # no target before the plan
    assert overview.latest_year == 2018
    assert [(t.first_year, t.last_year) for t in overview.total_targets] == [
        (2018, 2018),
        (2019, 2020),
    ]
    assert [
        (area.criterion.code, area.baseline, area.actual, area.status) for area in overview.areas
    ] == [
        ("1", D("6"), D("8.5"), Status.WITHIN),
        ("2", D("4"), D("6.5"), Status.BELOW),
        ("3", D("6"), D("7.5"), Status.ABOVE),
    ]


def test_overview_query_count_does_not_grow_with_years_and_criteria(
    scored_plan, tree, django_assert_num_queries
):
    extra = Criterion.objects.create(
        framework=scored_plan.framework, parent=tree["2.1"], code="2.1.3", title="t", max_score=2
    )
    for year in (2019, 2020):
        add_scores(tree, year, {"1.2": "1", "3": "2"})
        add_scores({"2.1.3": extra}, year, {"2.1.3": "1"})

    with django_assert_num_queries(4):
        overview = Overview.build(scored_plan)

    assert [year.year for year in overview.years][-3:] == [2018, 2019, 2020]
    assert overview.years[-1].total == D("4")


def test_gap_rows_default_to_points_lost_with_empty_cells_last(scored_plan, tree):
    Score.objects.filter(criterion=tree["1.2"], year=2018).delete()
    results = YearResults.build(scored_plan, 2018)

    rows = sort_gap_rows(filter_gap_rows(results.rows), DEFAULT_GAP_SORT)

    lost = [row.points_lost for row in rows]
    assert lost[-1] is None and rows[-1].criterion.code == "1.2"
    present = lost[:-1]
    assert present == sorted(present, reverse=True)
    # 1.3, 1.3.2 and 2.2 each lost 1 point, the most; ties keep the tree order.
    assert [row.criterion.code for row in rows[:3]] == ["1.3", "1.3.2", "2.2"]
    assert all(row.criterion.level != Criterion.Level.AREA for row in rows)


def test_gap_rows_sort_ascending_by_code(scored_plan):
    results = YearResults.build(scored_plan, 2018)

    rows = sort_gap_rows(filter_gap_rows(results.rows), "code")

    assert [row.criterion.code for row in rows][:3] == ["1.1", "1.1.1", "1.1.2"]


def test_gap_rows_filter_by_area_survey_and_status(scored_plan, tree):
    results = YearResults.build(scored_plan, 2018)

    in_area_2 = filter_gap_rows(results.rows, area_id=tree["2"].id)
    survey = filter_gap_rows(results.rows, is_survey=True)
    below = filter_gap_rows(results.rows, status=Status.BELOW)

    assert {row.criterion.code for row in in_area_2} == {"2.1", "2.1.1", "2.1.2", "2.2"}
    assert {row.criterion.code for row in survey} == {"1.3.2", "2.2"}
    assert {row.criterion.code for row in below} == {"1.3.2", "2.1", "2.1.2"}


def test_route_lists_recoverable_points_and_projects_the_total(scored_plan, tree):
    results = YearResults.build(scored_plan, 2018)

    route = Route.build(results, without_survey=False)

    assert route.needed_for_lower == D(0)  # 22.5 already meets 22
    assert route.needed_for_upper == D("0.5")
    recoverable = [(item.row.criterion.code, item.points) for item in route.recoverable]
    assert recoverable[:2] == [("3", D("2.5")), ("1.3.2", D("1"))]
    assert route.recoverable[-1].cumulative == sum(points for _code, points in recoverable)
    # 1.3.2 (2 → 2.5) and 2.1.2 (1.5 → 2) rise; the rest are at or above their targets.
    assert route.projected_lower == D("23.5")
    assert route.projected_upper == D("23.5")


def test_route_without_survey_rows_leaves_them_out(scored_plan):
    results = YearResults.build(scored_plan, 2018)

    route = Route.build(results, without_survey=True)

    codes = [item.row.criterion.code for item in route.recoverable]
    assert "1.3.2" not in codes and "2.2" not in codes
    assert codes[0] == "3"


def test_route_counts_how_many_rows_cover_the_points_needed(plan: Plan, tree):
    add_scores(tree, 2018, {"1.2": "1", "3": "5", "2.2": "4"})
    add_target(plan, None, 2018, 2018, "12", "13")
    results = YearResults.build(plan, 2018)

    route = Route.build(results, without_survey=False)

    assert results.total.total == D("10")
    assert route.needed_for_lower == D("2")
    assert [item.points for item in route.recoverable] == [D("5"), D("2")]
    assert route.reaches_lower_at == 1


def test_figures_summed_by_the_database_match_the_roll_up_of_every_row(scored_plan, tree):
    # Area 10 sorts after 3 and must not mix with area 1; a stated criterion (2.1) counts
    # above its children's sum; a self-assessment counts for its own kind only.
    area_10 = Criterion.objects.create(
        framework=scored_plan.framework, code="10", title="t", max_score=5
    )
    leaf_10 = Criterion.objects.create(
        framework=scored_plan.framework, parent=area_10, code="10.1", title="t", max_score=5
    )
    add_scores({"10.1": leaf_10}, 2018, {"10.1": "4.25"})
    add_scores(tree, 2018, {"2.1": "4"})
    add_scores(tree, 2018, {"1.2": "2.5"}, kind=Score.Kind.SELF)

    overview = Overview.build(scored_plan)
    summary = GridSummary.build(scored_plan, 2018)
    results = YearResults.build(scored_plan, 2018)

    expected = {row.criterion.code: row.actual for row in results.areas}
    assert expected == {"1": D("8.5"), "2": D("7"), "3": D("7.5"), "10": D("4.25")}
    assert {area.criterion.code: area.actual for area in overview.areas} == expected
    assert {a.criterion.code: a.official_total.value for a in summary.areas} == expected
    assert summary.self_total.value == D("2.5")
    year = {total.year: total.total for total in overview.years}[2018]
    assert year == summary.official_total.value == results.total.total == D("27.25")
