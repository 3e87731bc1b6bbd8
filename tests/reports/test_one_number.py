"""One figure, one source: every page and export of the demo shows the same total for every
year, stated values where the plan states them, and a projection (never a partial sum) for
a year in progress."""

import io
import re
from decimal import Decimal

import openpyxl
import pytest
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from criteria.models import Criterion, NationalResult, Plan, Score
from criteria.templatetags.scores import score
from reports.figures import Basis
from reports.rollups import YearResults, plan_years

pytestmark = pytest.mark.django_db

D = Decimal
YEAR_PAGES = [
    "reports:score-grid",
    "reports:gap-dashboard",
    "reports:route",
    "reports:agency-stakes",
    "reports:results-print",
]
# Six official 2018 scores, as Sở Nội vụ types them before the rest: their sum is 5,25.
SIX_OFFICIAL_2018 = {
    "1.1.1": "0.5",
    "1.1.2": "1",
    "1.2": "1.25",
    "1.3.1": "1",
    "1.3.2": "1",
    "1.5": "0.5",
}


@pytest.fixture
def demo(settings) -> Plan:
    """The data of `manage.py load_demo`: the seed plan, its 2017 column and published
    index, the demo's self-assessed 2018 scores."""
    settings.DEBUG = True
    settings.PAR_PUBLIC_PAGE_ENABLED = True
    call_command("load_demo", stdout=io.StringIO())
    return Plan.objects.select_related("framework").get(number="252/KH-UBND")


@pytest.fixture
def noivu_client(demo) -> Client:
    client = Client()
    client.force_login(get_user_model().objects.get(username="noivu"))
    return client


def _text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def _year_total(html: str) -> str:
    """The figure of the year's total in the summary above a year's page."""
    match = re.search(r"<dt>Tổng điểm\b.*?</dt><dd>([\d,]+)", html, re.S)
    assert match, "no year total on the page"
    return match.group(1)


def _row(html: str, row_id: str) -> str:
    match = re.search(rf'<tr id="{row_id}".*?</tr>', html, re.S)
    assert match, f"no row {row_id}"
    return _text(match.group(0))


def _page_totals(client: Client, plan: Plan, year: int) -> dict[str, str]:
    """The total each page and export of `year` shows, as the page writes it."""
    totals = {}
    for name in YEAR_PAGES:
        html = client.get(reverse(name, args=[year])).content.decode()
        if name == "reports:score-grid":
            # The grid: both columns of its total row, stated first, or projected.
            totals[name] = _row(html, "row-total")
        elif "<dt>Tổng điểm" in html and "chưa có" not in html.split("<dt>Tổng điểm")[1][:400]:
            totals[name] = _year_total(html)
    sheet = openpyxl.load_workbook(
        io.BytesIO(client.get(reverse("reports:results-export", args=[year])).content)
    ).active
    header = [cell.value for cell in sheet[5]]
    official = header.index(f"Kết quả thẩm định năm {year}")
    total_row = next(row for row in sheet.iter_rows(values_only=True) if row[0] == "TỔNG ĐIỂM")
    value = total_row[official]
    totals["export"] = "" if value is None else score(D(str(value)))
    return totals


def _overview_row(html: str, year: int) -> str:
    match = re.search(rf'<th scope="row">{year}</th>\s*<td class="num">([\d,]+)', html)
    assert match, f"no row {year} in the overview"
    return match.group(1)


def test_every_page_and_export_shows_the_same_total_for_every_year(demo, noivu_client):
    overview = noivu_client.get(reverse("reports:overview")).content.decode()

    for year in plan_years(demo):
        expected = YearResults.build(demo, year)
        official = YearResults.build(demo, year, basis=Basis.OFFICIAL)
        totals = _page_totals(noivu_client, demo, year)
        if expected.total.total is None:
            continue
        shown = score(expected.total.total)
        for name in ("reports:gap-dashboard", "reports:route", "reports:agency-stakes"):
            assert totals[name] == shown, (year, name)
        assert totals["reports:results-print"] == shown, year
        assert score(official.total.total) in totals["reports:score-grid"], year
        assert totals["export"] == score(official.total.total), year
        if re.search(rf'<th scope="row">{year}</th>\s*<td class="num">', overview):
            assert _overview_row(overview, year) == shown, year


def test_the_2017_column_is_the_plans_on_every_page(demo, noivu_client):
    public = Client().get(reverse("reports:public-overview")).content.decode()
    overview = noivu_client.get(reverse("reports:overview")).content.decode()
    grid = noivu_client.get(reverse("reports:score-grid", args=[2017]), {"area": "6"})
    gaps = noivu_client.get(reverse("reports:gap-dashboard", args=[2017])).content.decode()
    printed = noivu_client.get(reverse("reports:results-print", args=[2017])).content.decode()
    stakes = noivu_client.get(reverse("reports:agency-stakes", args=[2017])).content.decode()

    plan_page = noivu_client.get(reverse("criteria:plan-detail", args=[demo.pk])).content.decode()

    totals = _page_totals(noivu_client, demo, 2017)
    assert "73,64" in plan_page and "72,63" not in plan_page
    assert set(totals.values()) == {"73,64"} | {_row(grid.text, "row-total")}
    assert "73,64" in _row(grid.text, "row-total")
    assert _overview_row(overview, 2017) == _overview_row(public, 2017) == "73,64"
    assert "72,63" not in grid.text + overview + public + gaps + printed + stakes
    for area, stated in (("3", "12,49"), ("6", "5,23")):
        area_pk = Criterion.objects.get(framework__unit_type="", code=area).pk
        assert stated in _row(grid.text, f"area-{area_pk}")
        assert re.search(
            rf"<td>{area}</td>.*?</td>\s*<td class=\"num\">{stated}</td>", overview, re.S
        )
        assert re.search(rf"<td>{area}</td>.*?<td class=\"num\">{stated}</td>", printed, re.S)
    # 6.2 states 2 where its children add up to 1: both shown, the difference marked.
    row_62 = _row(grid.text, f"row-{Criterion.objects.get(framework__unit_type='', code='6.2').pk}")
    assert "2 ≠ tổng các dòng con 1, chênh lệch +1" in row_62
    assert "2 ≠ tổng các dòng con 1, chênh lệch +1" in _text(printed)
    # Points lost by agency against 100 − 73,64 = 26,36: the rest is said, not hidden.
    assert "điểm bị mất của cả năm 26,36" in _text(stakes)
    assert "các đơn vị cộng lại 27,37" in _text(stakes)
    assert re.search(
        r"Chưa giải thích được.*?</th>\s*<td></td>\s*<td class=\"num\">-1,01", stakes, re.S
    )


def test_a_year_in_progress_shows_a_projection_never_its_partial_sum(demo, noivu_client):
    # 2018 as it was before the ministry published it: in progress, not a result.
    NationalResult.objects.filter(table__year=2018).delete()
    for code, value in SIX_OFFICIAL_2018.items():
        Score.objects.create(
            criterion=Criterion.objects.get(framework__unit_type="", code=code),
            year=2018,
            kind=Score.Kind.OFFICIAL,
            value=D(value),
        )
    cache.clear()
    partial = sum(D(value) for value in SIX_OFFICIAL_2018.values())
    assert score(partial) == "5,25"

    totals = _page_totals(noivu_client, demo, 2018)
    overview = noivu_client.get(reverse("reports:overview")).content.decode()
    public = Client().get(reverse("reports:public-overview")).content.decode()
    pages = [noivu_client.get(reverse(name, args=[2018])).content.decode() for name in YEAR_PAGES]

    assert "5,25" not in totals.values()
    for html in [overview, public, *pages]:
        assert "5,25" not in html
    # The pages say it: entered so far, and a projection; the public page leaves 2018 out.
    assert "đã nhập 6/76 tiêu chí thành phần" in _text(pages[1])
    assert "dự kiến" in _text(pages[1]) and "dự kiến" in _text(overview)
    assert "Chưa đạt mục tiêu" not in _text(pages[2]).split("Số điểm còn cần")[0]
    assert '<th scope="row">2018</th>' not in public


# The ministry's published 2018 and 2019 results of the province, as the demo's national
# tables hold them: the year's total and rank on every page and in every export.
OVERVIEW_YEARS = "Tổng điểm và xếp hạng qua các năm"
STANDING_YEARS = "Xếp hạng qua các năm và trung vị"
PUBLISHED = {2017: ("73,64", "51/63"), 2018: ("73,69", "54/63"), 2019: ("79,68", "48/63")}


def _history_row(html: str, year: int) -> str:
    """The plan page's history row of `year`, as text."""
    section = html.split('id="history-heading"')[1].split("</table>")[0]
    match = re.search(rf'<tr>\s*<th scope="row">{year}</th>.*?</tr>', section, re.S)
    assert match, f"no history row {year} on the plan page"
    return _text(match.group(0))


def _year_row(html: str, year: int, *, after: str) -> str:
    """The first table row of `year` on a page after the text `after`, as text."""
    html = html.split(after, 1)[1]
    match = re.search(rf'<tr>\s*<th scope="row">{year}</th>.*?</tr>', html, re.S)
    assert match, f"no row {year}"
    return _text(match.group(0))


def test_the_published_results_of_2018_and_2019_are_the_same_on_every_page(demo, noivu_client):
    overview = noivu_client.get(reverse("reports:overview")).content.decode()
    public = Client().get(reverse("reports:public-overview")).content.decode()
    standing = noivu_client.get(reverse("reports:standing")).content.decode()
    plan_page = noivu_client.get(reverse("criteria:plan-detail", args=[demo.pk])).content.decode()

    for year, (total, rank) in PUBLISHED.items():
        totals = _page_totals(noivu_client, demo, year)
        for name in ("reports:gap-dashboard", "reports:route", "reports:agency-stakes"):
            assert totals.get(name) == total, (year, name)
        assert totals.get("reports:results-print") == total, year
        assert total in totals["reports:score-grid"], year
        assert totals["export"] == total, year
        # A published result, not a projection nor a sum "tạm tính".
        route = _text(noivu_client.get(reverse("reports:route", args=[year])).content.decode())
        assert "dự kiến" not in route.split("Số điểm còn cần")[0], year
        grid = _text(noivu_client.get(reverse("reports:score-grid", args=[year])).content.decode())
        assert "chưa chốt" not in grid, year
        assert _overview_row(overview, year) == _overview_row(public, year) == total, year
        assert "tạm tính" not in _year_row(overview, year, after=OVERVIEW_YEARS), year
        # The rank agrees between the plan page's history, the overview and the standing.
        history = _history_row(plan_page, year)
        assert total in history and rank in history, year
        assert rank in _year_row(overview, year, after=OVERVIEW_YEARS), year
        if year in (2018, 2019):  # the years of the demo's national tables
            assert rank in _year_row(standing, year, after=STANDING_YEARS), year
