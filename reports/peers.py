"""The province among its peers: its region's provinces and the national distribution of
the index and of SIPAS for a year, and its rank over the years beside the medians."""

from dataclasses import dataclass, field
from decimal import Decimal
from statistics import median, quantiles

from django.utils.translation import gettext_lazy as _

from criteria.models import NationalResult, NationalTable, Plan, Province
from criteria.ranking import Ranking
from criteria.templatetags.scores import score
from reports.standing import YearTable, province_of, year_tables


@dataclass
class Distribution:
    """Quartiles, median and the province's place in a set of indexes."""

    label: str
    values: list[Decimal]
    own: Decimal | None

    @property
    def count(self) -> int:
        return len(self.values)

    @property
    def quartiles(self) -> tuple[Decimal, Decimal, Decimal] | None:
        if len(self.values) < 2:
            return None
        low, mid, high = quantiles(self.values, n=4, method="inclusive")
        cent = Decimal("0.01")
        return (
            Decimal(low).quantize(cent),
            Decimal(mid).quantize(cent),
            Decimal(high).quantize(cent),
        )

    @property
    def lower_quartile(self) -> Decimal | None:
        return self.quartiles[0] if self.quartiles else None

    @property
    def median(self) -> Decimal | None:
        return self.quartiles[1] if self.quartiles else None

    @property
    def upper_quartile(self) -> Decimal | None:
        return self.quartiles[2] if self.quartiles else None

    @property
    def place(self) -> int | None:
        if self.own is None:
            return None
        return 1 + sum(1 for value in self.values if value > self.own)

    @property
    def best(self) -> Decimal | None:
        return max(self.values) if self.values else None

    @property
    def worst(self) -> Decimal | None:
        return min(self.values) if self.values else None


@dataclass
class PeerRow:
    result: NationalResult
    is_own: bool
    ranks: list[int | None] = field(default_factory=list)  # per year of the trend


@dataclass
class Peers:
    """A year's table seen from the province: its region's rows, the national and regional
    distributions of the index and of SIPAS, and every year's rank beside its region's."""

    province: Province | None
    years: list[int]
    year: int | None
    table: YearTable | None
    region: list[PeerRow]
    national: Distribution | None
    regional: Distribution | None
    sipas: Distribution | None
    trend: list["TrendYear"]
    peer: NationalResult | None = None

    @property
    def to_pass_peer(self) -> Decimal | None:
        if self.peer is None or self.table is None or self.table.own is None:
            return None
        return Ranking.score_to_pass(self.peer.index)

    @property
    def to_pass_peer_gap(self) -> Decimal | None:
        needed = self.to_pass_peer
        return None if needed is None else max(needed - self.table.own.index, Decimal(0))

    @classmethod
    def build(cls, plan: Plan, year: int | None, peer_id: int | None = None) -> "Peers":
        """Five queries: provinces, the years with a table, the chosen year's rows and groups,
        every year's indexes for the trend."""
        province = province_of(plan)
        years = list(NationalTable.objects.order_by("year").values_list("year", flat=True))
        if year not in years:
            year = max(years, default=None)
        tables = year_tables([year], province) if year else {}
        table = tables.get(year)
        if table is None:
            return cls(province, years, None, None, [], None, None, None, [])
        everyone = [*table.others, *([table.own] if table.own else [])]
        own = table.own.index if table.own else None
        region_rows = sorted(
            (r for r in everyone if province and r.province.region == province.region),
            key=lambda r: (-r.index, r.province.name),
        )
        sipas = [r.sipas_percent for r in everyone if r.sipas_percent is not None]
        region_label = province.get_region_display() if province else ""
        trend, ranks = _trend(province)
        return cls(
            province=province,
            years=years,
            year=year,
            table=table,
            region=[
                PeerRow(
                    r, r is table.own, [ranks.get(r.province_id, {}).get(t.year) for t in trend]
                )
                for r in region_rows
            ],
            national=Distribution(str(_("Cả nước")), [r.index for r in everyone], own),
            regional=Distribution(region_label, [r.index for r in region_rows], own),
            sipas=Distribution(
                str(_("SIPAS cả nước")), sipas, table.own.sipas_percent if table.own else None
            )
            if sipas
            else None,
            trend=trend,
            peer=next((r for r in table.others if r.province_id == peer_id), None),
        )


@dataclass
class TrendYear:
    """A year of the trend: the province's rank and index beside the medians of the rows
    published (all 63 only when the table is complete)."""

    year: int
    rank: int | None
    index: Decimal | None
    count: int
    province_count: int
    national_median: Decimal | None
    region_median: Decimal | None

    @property
    def is_complete(self) -> bool:
        return self.count >= self.province_count


def _trend(
    province: Province | None,
) -> tuple[list[TrendYear], dict[int, dict[int, int | None]]]:
    """The trend, and the rank of each of the region's provinces per year (by province id):
    one query of plain tuples over every year (×100: 25 years of 63 provinces)."""
    rows = NationalResult.objects.values_list(
        "table__year",
        "table__province_count",
        "province_id",
        "province__region",
        "total",
        "index_percent",
        "rank",
    ).order_by("table__year")
    by_year: dict[int, list[tuple]] = {}
    for row in rows:
        by_year.setdefault(row[0], []).append(row)
    trend = []
    ranks: dict[int, dict[int, int | None]] = {}
    for year, year_rows in by_year.items():
        for row in year_rows:
            if province and row[3] == province.region:
                ranks.setdefault(row[2], {})[year] = row[6]
        indexes = [
            percent if percent is not None else total for *_, total, percent, _r in year_rows
        ]
        own = next((r for r in year_rows if province and r[2] == province.pk), None)
        region = [
            index
            for row, index in zip(year_rows, indexes, strict=True)
            if province and row[3] == province.region
        ]
        trend.append(
            TrendYear(
                year=year,
                rank=own[6] if own else None,
                index=(own[5] if own[5] is not None else own[4]) if own else None,
                count=len(year_rows),
                province_count=year_rows[0][1],
                national_median=_median(indexes),
                region_median=_median(region),
            )
        )
    return trend, ranks


def _median(values: list[Decimal]) -> Decimal | None:
    return Decimal(median(values)).quantize(Decimal("0.01")) if values else None


# -- The region's chart: one horizontal bar per province, the median as a line ------------

ROW_HEIGHT = 22
LABEL_WIDTH = 120
CHART_WIDTH = 360


@dataclass
class HBar:
    label: str
    value: str
    css: str
    y: str
    width: str
    text_y: str


@dataclass
class HBarChart:
    """Inline SVG geometry (coordinates with a dot, as reports/charts.py writes them)."""

    title: str
    bars: list[HBar]
    height: int
    width: int = CHART_WIDTH
    left: int = LABEL_WIDTH
    median_x: str = ""


def region_chart(peers: Peers) -> HBarChart:
    plot = CHART_WIDTH - LABEL_WIDTH - 50
    bars = []
    for index, row in enumerate(peers.region):
        y = 8 + index * ROW_HEIGHT
        bars.append(
            HBar(
                label=row.result.province.name,
                value=score(row.result.index),
                css="bar-actual" if row.is_own else "bar-baseline",
                y=f"{y:.1f}",
                width=f"{plot * float(row.result.index) / 100:.1f}",
                text_y=f"{y + ROW_HEIGHT / 2 + 1:.1f}",
            )
        )
    median_value = (
        peers.regional.quartiles[1] if peers.regional and peers.regional.quartiles else None
    )
    return HBarChart(
        title=str(_("Chỉ số CCHC các tỉnh trong vùng, năm %(year)s") % {"year": peers.year}),
        bars=bars,
        height=16 + len(bars) * ROW_HEIGHT,
        median_x=f"{LABEL_WIDTH + plot * float(median_value) / 100:.1f}" if median_value else "",
    )
