"""The province's published result of each year, read from its one source: the province's
own index results and its rows of the national tables, the national table winning and a
disagreement listed, never picked silently."""

import datetime
from decimal import Decimal as D

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse

from criteria.models import (
    Framework,
    IndexResult,
    NationalResult,
    NationalTable,
    Plan,
    Province,
)
from criteria.published import published_results

pytestmark = pytest.mark.django_db
TG = "Tiền Giang"


@pytest.fixture
def plan(db) -> Plan:
    framework = Framework.objects.create(
        code="QĐ 2948/QĐ-BNV", name="Đề án", first_year=2017, max_score=D(100)
    )
    return Plan.objects.create(
        number="252/KH-UBND",
        title="Kế hoạch nâng cao Chỉ số CCHC",
        issued_on=datetime.date(2018, 9, 19),
        province=TG,
        framework=framework,
        baseline_year=2017,
        first_year=2018,
        last_year=2020,
    )


def national(year: int, province: str, total: str, rank: int, **table) -> NationalResult:
    row, _ = NationalTable.objects.get_or_create(
        year=year, defaults={"citation": f"BCĐ CCHC {year}", **table}
    )
    place, _ = Province.objects.get_or_create(
        name=province, defaults={"region": Province.Region.MEKONG_DELTA}
    )
    return NationalResult.objects.create(table=row, province=place, total=D(total), rank=rank)


def test_both_sources_in_one_query_each_year_once(plan, django_assert_num_queries):
    IndexResult.objects.create(province=TG, year=2016, total=D("70.61"), rank=39)
    IndexResult.objects.create(province=TG, year=2017, total=D("73.64"), rank=51)
    national(2017, TG, "73.64", 51)
    national(2018, TG, "73.69", 54)
    national(2018, "Bến Tre", "80.10", 20)

    # the province's own results united with its rows of the national tables
    with django_assert_num_queries(1):
        results = published_results(plan.province)

    assert [(r.year, r.total, r.rank) for r in results.values()] == [
        (2016, D("70.61"), 39),
        (2017, D("73.64"), 51),
        (2018, D("73.69"), 54),
    ]
    assert results[2016].source == ""
    assert results[2018].source == "BCĐ CCHC 2018"
    assert not any(r.is_conflicting for r in results.values())


def test_a_national_row_spelled_otherwise_is_the_provinces(plan):
    national(2018, TG, "73.69", 54)
    plan.province = "Tỉnh Tiền Giang"

    assert published_results(plan.province)[2018].total == D("73.69")


def test_an_illustrative_national_table_is_no_published_result(plan):
    national(2018, TG, "60", 60, is_illustrative=True)

    assert published_results(plan.province) == {}


def test_where_the_sources_differ_the_national_table_wins_with_the_other_kept(plan):
    IndexResult.objects.create(province=TG, year=2018, total=D("73.96"), rank=53)
    national(2018, TG, "73.69", 54)

    result = published_results(plan.province)[2018]

    assert (result.total, result.rank) == (D("73.69"), 54)
    assert (result.other_total, result.other_rank) == (D("73.96"), 53)
    assert result.is_conflicting


def test_the_plan_page_history_and_checks_show_the_one_result_and_the_disagreement(
    client, noivu_staff, plan
):
    IndexResult.objects.create(province=TG, year=2017, total=D("73.64"), rank=51)
    IndexResult.objects.create(province=TG, year=2018, total=D("73.96"), rank=53)
    national(2018, TG, "73.69", 54)
    client.force_login(noivu_staff)

    html = client.get(reverse("criteria:plan-detail", args=[plan.pk])).text

    history = html.split('id="history-heading"')[1].split("</table>")[0]
    assert "73,69" in history and "54/63" in history
    assert "73,96" not in history
    assert (
        "Năm 2018: bảng xếp hạng toàn quốc ghi 73,69 điểm, hạng 54; kết quả chỉ số của tỉnh "
        "ghi 73,96 điểm, hạng 53." in html
    )


def test_check_plan_lists_the_years_whose_sources_differ_and_fails(plan, capsys):
    IndexResult.objects.create(province=TG, year=2018, total=D("73.96"), rank=53)
    national(2018, TG, "73.69", 54)

    with pytest.raises(CommandError, match="252/KH-UBND: 1 năm có hai kết quả công bố khác nhau"):
        call_command("check_plan", "--plan", "252/KH-UBND")

    assert (
        "Năm 2018 | bảng xếp hạng toàn quốc ghi 73,69, hạng 54 | "
        "kết quả chỉ số của tỉnh ghi 73,96, hạng 53"
    ) in capsys.readouterr().out.splitlines()
