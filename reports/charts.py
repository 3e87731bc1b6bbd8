"""Chart geometry for inline SVG drawn by the templates: no script, prints as it shows.

Coordinates are formatted here with a dot, never by the template: a localised "12,5"
would break the SVG. The numbers people read are formatted in the request's language.
"""

from dataclasses import dataclass, field
from decimal import Decimal

from django.utils.translation import gettext_lazy as _

from criteria.templatetags.scores import score as format_score
from reports.rollups import AgencyStake, AreaSummary, YearTotal

WIDTH = 640
HEIGHT = 260
LEFT = 44
RIGHT = 12
TOP = 22
BOTTOM = 32
PLOT_WIDTH = WIDTH - LEFT - RIGHT
PLOT_HEIGHT = HEIGHT - TOP - BOTTOM


def _coordinate(value: float) -> str:
    return f"{value:.1f}"


@dataclass
class Bar:
    x: str
    y: str
    width: str
    height: str
    css: str
    text: str
    label_x: str = ""
    label_y: str = ""


@dataclass
class Tick:
    """A horizontal grid line with its value, or an axis label under a group."""

    x: str
    y: str
    text: str


@dataclass
class Series:
    css: str
    label: str


@dataclass
class Chart:
    """Everything the chart partial draws; `points` is a polyline for line charts."""

    title: str
    width: int = WIDTH
    height: int = HEIGHT
    bars: list[Bar] = field(default_factory=list)
    grid: list[Tick] = field(default_factory=list)
    axis: list[Tick] = field(default_factory=list)
    points: str = ""
    dots: list[Tick] = field(default_factory=list)
    series: list[Series] = field(default_factory=list)
    show_values: bool = False
    plot_left: int = LEFT
    plot_right: int = WIDTH - RIGHT
    plot_bottom: int = TOP + PLOT_HEIGHT

    @property
    def is_empty(self) -> bool:
        return not self.bars and not self.dots


def _grid(top: Decimal, steps: int = 4) -> list[Tick]:
    ticks = []
    for step in range(steps + 1):
        value = top * step / steps
        y = TOP + PLOT_HEIGHT - PLOT_HEIGHT * step / steps
        ticks.append(Tick(x=_coordinate(LEFT - 6), y=_coordinate(y), text=format_score(value)))
    return ticks


def bar_chart(
    title: str,
    groups: list[tuple[str, list[Decimal | None]]],
    *,
    series: list[Series],
    top: Decimal,
    show_values: bool = False,
) -> Chart:
    """Bars grouped under labels, one bar per series in each group, on a 0..top scale."""
    chart = Chart(title=title, series=series, grid=_grid(top), show_values=show_values)
    if not groups or top <= 0:
        return chart
    group_width = PLOT_WIDTH / len(groups)
    bar_width = group_width * 0.8 / len(series)
    for index, (label, values) in enumerate(groups):
        left = LEFT + index * group_width + group_width * 0.1
        chart.axis.append(
            Tick(x=_coordinate(LEFT + (index + 0.5) * group_width), y=str(HEIGHT - 12), text=label)
        )
        for position, (value, kind) in enumerate(zip(values, series, strict=True)):
            if value is None:
                continue
            height = PLOT_HEIGHT * float(min(value, top) / top)
            x = left + position * bar_width
            y = TOP + PLOT_HEIGHT - height
            chart.bars.append(
                Bar(
                    x=_coordinate(x),
                    y=_coordinate(y),
                    width=_coordinate(bar_width * 0.9),
                    height=_coordinate(height),
                    css=kind.css,
                    text=format_score(value),
                    label_x=_coordinate(x + bar_width * 0.45),
                    label_y=_coordinate(y - 4),
                )
            )
    return chart


def totals_chart(years: list[YearTotal], max_score: Decimal) -> Chart:
    return bar_chart(
        str(_("Tổng điểm Chỉ số CCHC qua các năm")),
        [(str(year.year), [year.total]) for year in years],
        series=[Series("bar-actual", str(_("Tổng điểm")))],
        top=max_score,
        show_values=True,
    )


def rank_chart(years: list[YearTotal]) -> Chart:
    """Rank over the years as a line; first place at the top."""
    ranked = [year for year in years if year.rank is not None]
    count = max((year.province_count or 63 for year in ranked), default=63)
    chart = Chart(
        title=str(_("Xếp hạng qua các năm (1 là cao nhất)")),
        series=[Series("line-rank", str(_("Xếp hạng")))],
    )
    for rank in sorted({1, count // 4, count // 2, 3 * count // 4, count}):
        y = _coordinate(_rank_y(rank, count))
        chart.grid.append(Tick(x=_coordinate(LEFT - 6), y=y, text=str(rank)))
    if not years:
        return chart
    slot = PLOT_WIDTH / len(years)
    points = []
    for index, year in enumerate(years):
        x = LEFT + (index + 0.5) * slot
        chart.axis.append(Tick(x=_coordinate(x), y=str(HEIGHT - 12), text=str(year.year)))
        if year.rank is not None:
            y = _rank_y(year.rank, count)
            points.append(f"{_coordinate(x)},{_coordinate(y)}")
            chart.dots.append(Tick(x=_coordinate(x), y=_coordinate(y), text=str(year.rank)))
    chart.points = " ".join(points)
    return chart


def _rank_y(rank: int, count: int) -> float:
    return TOP + PLOT_HEIGHT * (rank - 1) / max(count - 1, 1)


def areas_chart(areas: list[AreaSummary], baseline_year: int, latest_year: int | None) -> Chart:
    """Per area: maximum, baseline, target (lower bound) and the latest official result."""
    series = [
        Series("bar-max", str(_("Điểm chuẩn"))),
        Series("bar-baseline", str(_("Năm %(year)s") % {"year": baseline_year})),
        Series("bar-target", str(_("Mục tiêu (cận dưới)"))),
        Series(
            "bar-actual",
            str(_("Đạt được năm %(year)s") % {"year": latest_year})
            if latest_year
            else str(_("Đạt được")),
        ),
    ]
    top = max((area.criterion.max_score for area in areas), default=Decimal(0))
    return bar_chart(
        str(_("Điểm theo lĩnh vực")),
        [
            (
                area.criterion.code,
                [
                    area.criterion.max_score,
                    area.baseline,
                    area.target.min_score if area.target else None,
                    area.actual,
                ],
            )
            for area in areas
        ],
        series=series,
        top=top,
    )


def stakes_chart(stakes: list["AgencyStake"], *, limit: int = 10) -> Chart:
    """Points lost and still missing on the sub-criteria each agency leads, the largest first."""
    shown = [stake for stake in stakes if stake.points_lost][:limit]
    top = max((stake.points_lost for stake in shown), default=Decimal(0))
    return bar_chart(
        str(_("Điểm bị mất theo đơn vị chủ trì")),
        [
            (
                stake.short_name if stake.owners else str(_("Chưa phân công")),
                [stake.points_lost, stake.shortfall],
            )
            for stake in shown
        ],
        series=[
            Series("bar-lost", str(_("Điểm bị mất"))),
            Series("bar-target", str(_("Còn thiếu so với mục tiêu"))),
        ],
        top=top.quantize(Decimal(1)) + 1 if shown else Decimal(1),
        show_values=True,
    )
