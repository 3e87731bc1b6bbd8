"""The province among the 63: rank per year and the plan's rank goals on the overview, the
points a place or a group needed on the route, the peers page and the JSON behind them."""

import json
import re
from decimal import Decimal as D

import pytest
from django.core.management import call_command
from django.urls import reverse

from criteria.models import (
    NationalGroup,
    NationalResult,
    NationalTable,
    Plan,
    Province,
    RankGoal,
)
from criteria.ranking import competition_ranks

pytestmark = pytest.mark.django_db
TG = "Tiền Giang"


@pytest.fixture
def provinces(db) -> dict[str, Province]:
    call_command("loaddata", "fixtures/provinces.json", verbosity=0)
    return {p.name: p for p in Province.objects.all()}


def own_row(provinces, year: int, total: str, rank: int, **extra) -> NationalResult:
    table, _ = NationalTable.objects.get_or_create(year=year, defaults={"citation": "BCĐ CCHC"})
    return NationalResult.objects.create(
        table=table, province=provinces[TG], total=D(total), rank=rank, **extra
    )


@pytest.fixture
def published(scored_plan: Plan, provinces) -> Plan:
    """Tiền Giang's own rows of 2018 and 2019 (2017 comes from its published results) and
    the plan's goal to rank higher each year."""
    own_row(provinces, 2018, "73.69", 54, sipas_percent=D("76.42"), sipas_rank=51)
    own_row(provinces, 2019, "79.68", 48, sipas_percent=D("83.39"), sipas_rank=43)
    RankGoal.objects.create(
        plan=scored_plan, kind=RankGoal.Kind.HIGHER_THAN_PREVIOUS, first_year=2018, last_year=2020
    )
    return scored_plan


def full_table(provinces, year: int, own: str | None, *, top: str, groups=()) -> None:
    """All 63 provinces: the 62 others at top, top − 0,5, …; Tiền Giang at `own`."""
    table = NationalTable.objects.create(year=year, citation=f"Bảng thử năm {year}")
    others = sorted(name for name in provinces if name != TG)
    indexes = {name: D(top) - D("0.5") * k for k, name in enumerate(others)}
    if own is not None:
        indexes[TG] = D(own)
    ranks = competition_ranks(indexes)
    NationalResult.objects.bulk_create(
        NationalResult(table=table, province=provinces[n], total=v, rank=ranks[n])
        for n, v in indexes.items()
    )
    for code, bound in groups:
        NationalGroup.objects.create(table=table, code=code, min_index=D(bound))


def others_by_rank(year: int) -> list[NationalResult]:
    return list(
        NationalResult.objects.filter(table__year=year)
        .exclude(province__name=TG)
        .order_by("-total", "province__name")
    )


def text(response) -> str:
    return " ".join(response.content.decode().split())


# The overview


def test_overview_shows_rank_change_and_goal_per_year(leader_client, published):
    response = leader_client.get(reverse("reports:overview"))

    page = text(response)
    assert response.status_code == 200
    standing = {y.year: y for y in response.context["standing"].years}
    assert (standing[2018].total, standing[2018].rank, standing[2018].change) == (
        D("73.69"),
        54,
        -3,
    )
    assert (standing[2019].total, standing[2019].rank, standing[2019].change) == (
        D("79.68"),
        48,
        6,
    )
    assert [c.status for c in standing[2018].goals] == ["not_met"]
    assert [c.status for c in standing[2019].goals] == ["met"]
    assert standing[2018].target.min_score == D("22")
    assert standing[2018].points_status == "above"
    # The baseline year is shown beside the first target but not judged against it.
    assert standing[2017].target is not None and standing[2017].points_status is None
    assert '<th scope="row">2018</th> <td class="num">73,69' in page
    assert "54/63" in page and "giảm 3 bậc" in page
    assert "48/63" in page and "tăng 6 bậc" in page
    assert 'title="Xếp hạng cao hơn năm trước">Không đạt</span>' in page
    assert 'title="Xếp hạng cao hơn năm trước">Đạt</span>' in page
    # The plan names "nhóm khá" but the province has not said which group that is.
    assert "chưa chọn nhóm hoặc khoảng xếp hạng" in page


def test_a_new_national_row_shows_on_the_next_overview(leader_client, published, provinces):
    before = leader_client.get(reverse("reports:overview")).context["standing"]
    row = NationalResult.objects.get(table__year=2019, province__name=TG)
    row.rank = 47
    row.save()

    after = leader_client.get(reverse("reports:overview")).context["standing"]

    assert [y.rank for y in before.years if y.year == 2019] == [48]
    assert [y.rank for y in after.years if y.year == 2019] == [47]


def test_group_goal_as_the_province_chose_it(leader_client, published, provinces):
    NationalResult.objects.filter(table__year=2019).update(group="B")
    RankGoal.objects.create(
        plan=published, kind=RankGoal.Kind.IN_GROUP, groups="A, B", first_year=2019, last_year=2020
    )

    response = leader_client.get(reverse("reports:overview"))

    standing = {y.year: y for y in response.context["standing"].years}
    assert [c.status for c in standing[2019].goals] == ["met", "met"]
    assert "chưa chọn nhóm" not in text(response)


def test_two_sources_that_disagree_are_both_shown(leader_client, published):
    from criteria.models import IndexResult

    IndexResult.objects.create(province=TG, year=2019, total=D("79.86"), rank=48)

    response = leader_client.get(reverse("reports:overview"))

    standing = {y.year: y for y in response.context["standing"].years}
    assert standing[2019].total == D("79.68")
    assert standing[2019].other_statement == "Kết quả của tỉnh ghi 79,86, hạng 48"
    assert "hai nguồn khác nhau" in text(response)


# The route


def test_route_with_a_full_table_says_what_the_next_place_and_group_needed(
    leader_client, scored_plan, provinces
):
    full_table(provinces, 2019, "79.68", top="95", groups=[("A", "90"), ("B", "85"), ("C", "70")])
    others = others_by_rank(2019)

    response = leader_client.get(reverse("reports:route", args=[2019]))

    standing = response.context["route_standing"]
    # 31 others above 79,68 (95 … 80), so 32nd; the 31st now has 80: 0,32 more.
    assert standing.rank == 32
    assert standing.for_next_place == others[30].total == D("80")
    assert standing.next_group.code == "B"
    page = text(response)
    assert "Để lên một bậc (hạng 31) năm 2019, tỉnh cần thêm <strong>0,32</strong> điểm" in page
    assert "Để vào nhóm B: cần thêm <strong>5,32</strong> điểm (từ 85)" in page


def test_route_without_a_full_table_says_what_it_cannot_compute(leader_client, published):
    response = leader_client.get(reverse("reports:route", args=[2019]))

    assert "bảng năm 2019 mới có 1/63 tỉnh" in text(response)


def test_route_projects_a_year_without_table_from_the_year_before(
    leader_client, scored_plan, provinces
):
    full_table(provinces, 2018, "73.69", top="94")
    full_table(provinces, 2019, "79.68", top="95")

    response = leader_client.get(reverse("reports:route", args=[2020]))

    standing = response.context["route_standing"]
    # The others moved +1 from 2018 to 2019 (the median change): 2020 projected at 96 … ;
    # 33 of them above 79,68.
    assert standing.base_year == 2019
    assert standing.rank == 34
    assert standing.for_next_place == D("80")
    assert "tăng bằng mức tăng trung vị" in text(response)
    # Chosen instead: the others keep their 2019 scores (95 … 64,5): 31 above, 32nd.
    same = leader_client.get(reverse("reports:route", args=[2020]), {"projection": "same"})
    assert same.context["route_standing"].rank == 32
    assert '<option value="same" selected>' in same.content.decode()


# Peers


def test_peers_page_shows_the_region_and_the_distribution(leader_client, scored_plan, provinces):
    full_table(provinces, 2019, "79.68", top="95")

    response = leader_client.get(reverse("reports:standing"), {"year": 2019})

    peers = response.context["peers"]
    assert response.status_code == 200
    assert len(peers.region) == 13
    assert [row.result.province.name for row in peers.region if row.is_own] == [TG]
    # Each region's province's rank per year of the trend (one year here).
    assert [row.ranks for row in peers.region if row.is_own] == [[32]]
    assert (peers.national.place, peers.national.count) == (32, 63)
    mekong = [r.total for r in NationalResult.objects.filter(province__region="mekong_delta")]
    assert peers.regional.place == 1 + sum(1 for value in mekong if value > D("79.68"))
    assert "<svg" in response.content.decode()
    assert "cdn" not in response.content.decode().lower()


def test_peers_page_says_what_passing_a_named_peer_needs(leader_client, scored_plan, provinces):
    full_table(provinces, 2019, "79.68", top="95")
    peer = others_by_rank(2019)[30]  # 80,00, just above

    response = leader_client.get(
        reverse("reports:standing"), {"year": 2019, "peer": peer.province_id}
    )

    assert (
        f"Để xếp trên {peer.province.name} năm 2019, tỉnh cần thêm <strong>0,33</strong> điểm "
        "(tổng 80,01)" in text(response)
    )


def test_peers_page_without_tables_says_so(leader_client, scored_plan):
    response = leader_client.get(reverse("reports:standing"))

    assert "Chưa có bảng xếp hạng toàn quốc nào" in text(response)


def test_peers_page_with_a_partial_table_says_it_is_not_the_whole_country(
    leader_client, published, provinces
):
    NationalResult.objects.create(
        table=NationalTable.objects.get(year=2019),
        province=provinces["Bến Tre"],
        total=D("75.32"),
        rank=58,
    )

    response = leader_client.get(reverse("reports:standing"), {"year": 2019})

    assert "mới có 2/63 tỉnh" in text(response)
    trend = [
        (t.year, t.rank, t.count, t.national_median, t.region_median)
        for t in response.context["peers"].trend
    ]
    assert trend == [
        (2018, 54, 1, D("73.69"), D("73.69")),
        (2019, 48, 2, D("77.50"), D("77.50")),
    ]
    ranks = {row.result.province.name: row.ranks for row in response.context["peers"].region}
    assert ranks == {TG: [54, 48], "Bến Tre": [None, 58]}


# JSON


def test_province_json_matches_the_overview(leader_client, published):
    overview = leader_client.get(reverse("reports:overview")).context["standing"]

    data = json.loads(leader_client.get(reverse("reports:standing-json")).content)

    assert data["province"] == TG
    assert [(y["year"], y["total"], y["rank"], y["change"]) for y in data["years"]] == [
        (y.year, f"{y.total:.2f}", y.rank, y.change) for y in overview.years
    ]
    year_2019 = next(y for y in data["years"] if y["year"] == 2019)
    assert year_2019["rank_goals"] == [{"kind": "higher", "status": "met"}]
    assert year_2019["target"] == {"min": "24.00", "max": "26.00"}
    year_2018 = next(y for y in data["years"] if y["year"] == 2018)
    assert year_2018["areas"] == {"1": "8.50", "2": "6.50", "3": "7.50"}


def test_national_json_matches_the_peers_page(leader_client, scored_plan, provinces):
    full_table(provinces, 2019, "79.68", top="95")
    page = leader_client.get(reverse("reports:standing"), {"year": 2019}).context["peers"]

    data = json.loads(
        leader_client.get(reverse("reports:national-table-json", args=[2019])).content
    )

    assert data["is_complete"] is True
    assert len(data["results"]) == 63
    region = [r for r in data["results"] if r["region"] == "mekong_delta"]
    assert sorted((r["province"], r["index"], r["rank"]) for r in region) == sorted(
        (row.result.province.name, f"{row.result.index:.2f}", row.result.rank)
        for row in page.region
    )


def test_national_json_of_a_year_without_table_is_404(leader_client, scored_plan):
    response = leader_client.get(reverse("reports:national-table-json", args=[2031]))

    assert response.status_code == 404


# Query counts: flat whatever the number of years and provinces


@pytest.mark.parametrize("years", [1, 3])
def test_peers_page_query_count_is_pinned(
    leader_client, scored_plan, provinces, django_assert_num_queries, years
):
    for offset in range(years):
        full_table(provinces, 2019 - offset, "79.68", top="95", groups=[("A", "90")])

    # session, user, plan with framework, provinces, years with a table, the year's rows
    # with provinces, its groups, every year's indexes (trend), the user's groups (navigation)
    with django_assert_num_queries(9):
        response = leader_client.get(reverse("reports:standing"))

    assert response.status_code == 200


def test_json_query_counts_are_pinned(leader_client, published, django_assert_num_queries):
    # session, user, the table, its rows with provinces, its groups
    with django_assert_num_queries(5):
        leader_client.get(reverse("reports:national-table-json", args=[2019]))
    # session, user, plan with framework, the data version, the standing (provinces,
    # national rows, published results, rank goals, total targets), the overview's figures
    # (published results, the criteria, their scores summed per node and year, the areas'
    # targets)
    with django_assert_num_queries(13):
        first = leader_client.get(reverse("reports:standing-json"))
    # then kept until the data changes: session, user, plan with framework, data version
    with django_assert_num_queries(4):
        second = leader_client.get(reverse("reports:standing-json"))
    assert second.json() == first.json()


def test_distribution_quartiles_median_and_place():
    from reports.peers import Distribution

    five = Distribution("vùng", [D(5), D(1), D(4), D(2), D(3)], own=D(4))
    alone = Distribution("vùng", [D(7)], own=D(7))

    assert (five.lower_quartile, five.median, five.upper_quartile) == (D(2), D(3), D(4))
    assert (five.place, five.best, five.worst) == (2, D(5), D(1))
    assert (alone.median, alone.place) == (None, 1)


def test_a_partial_table_infers_no_group_bounds(leader_client, published, provinces):
    tay_ninh = NationalResult.objects.create(
        table=NationalTable.objects.get(year=2019),
        province=provinces["Tây Ninh"],
        total=D("80.05"),
        rank=44,
        group="B",
    )

    data = json.loads(
        leader_client.get(reverse("reports:national-table-json", args=[2019])).content
    )

    # Tây Ninh's 80,05 was in group B; that says nothing of where B begins.
    assert data["groups"] == []
    assert {r["province"]: r["group"] for r in data["results"]}[tay_ninh.province.name] == "B"


def test_years_before_the_plan_have_no_points_target(leader_client, published):
    response = leader_client.get(reverse("reports:overview"))

    standing = {y.year: y for y in response.context["standing"].years}
    assert standing[2016].target is None
    assert standing[2017].target is not None


def test_overview_names_no_source_when_no_year_has_one(leader_client, scored_plan):
    page = text(leader_client.get(reverse("reports:overview")))

    assert "Xếp hạng trong cả nước" in page
    assert "Nguồn:" not in page


def test_overview_names_the_source_of_each_published_year(leader_client, published):
    page = text(leader_client.get(reverse("reports:overview")))

    (sources,) = re.findall(r'<p class="meta">Nguồn: (.*?)</p>', page)
    assert sources.startswith("2018: ") and "2019: " in sources
    assert not sources.rstrip().endswith(";")
