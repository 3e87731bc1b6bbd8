"""The province's published result of each year, from its one source.

Two tables hold a published yearly total: the province's own index results (the seed's
2015–2017 history, the appendix's baseline column) and its row of the ministry's national
table. Every page and export reads the year's total and rank through `published_results`,
so that a year shows one figure wherever it appears. Where both tables hold a year, the
national table wins; if they differ, the result carries the other statement, and the plan
page's checks and `check_plan` list it.
"""

from dataclasses import dataclass
from decimal import Decimal

from django.db import models
from django.db.models import Q, Value

from criteria.models import IndexResult, NationalResult
from criteria.national import province_key


@dataclass(frozen=True)
class PublishedResult:
    """A year's published total and rank of the province, and where it was read."""

    year: int
    total: Decimal
    rank: int | None
    province_count: int
    source: str  # the national table's citation; "" for the province's own result
    # The province's own result where it differs from the national table's row.
    other_total: Decimal | None = None
    other_rank: int | None = None

    @property
    def is_conflicting(self) -> bool:
        return self.other_total is not None


def published_results(province: str) -> dict[int, PublishedResult]:
    """The published result per year of the province named `province` (a plan's province),
    ordered by year. One query: the province's own results and its rows of the national
    tables that are not illustrative, the national row winning where both hold a year."""
    text = models.CharField()
    own = IndexResult.objects.filter(province=province).values_list(
        "year",
        "total",
        "rank",
        "province_count",
        Value(False, output_field=models.BooleanField()),
        Value("", output_field=models.TextField()),
        Value(province, output_field=text),
        Value("", output_field=models.TextField()),
    )
    # Narrowed by the name in the database, matched by the registry's spellings here.
    key = province_key(province)
    national = (
        NationalResult.objects.filter(table__is_illustrative=False)
        .filter(
            Q(province__name__iexact=province)
            | Q(province__name__iexact=key)
            | Q(province__aliases__icontains=province)
            | Q(province__aliases__icontains=key)
        )
        .values_list(
            "table__year",
            "total",
            "rank",
            "table__province_count",
            Value(True, output_field=models.BooleanField()),
            "table__citation",
            "province__name",
            "province__aliases",
        )
    )
    own_rows, national_rows = {}, {}
    rows = own.order_by().union(national.order_by(), all=True).order_by()
    for year, total, rank, count, is_national, source, name, aliases in rows:
        if is_national:
            spellings = [name, *aliases.splitlines()]
            if key in {province_key(spelling) for spelling in spellings if spelling.strip()}:
                national_rows[year] = PublishedResult(year, total, rank, count, source)
        else:
            own_rows[year] = PublishedResult(year, total, rank, count, "")
    results = {}
    for year in sorted(own_rows.keys() | national_rows.keys()):
        result, other = national_rows.get(year), own_rows.get(year)
        if result is None:
            result = other
        elif other is not None and (other.total, other.rank) != (result.total, result.rank):
            result = PublishedResult(
                year,
                result.total,
                result.rank,
                result.province_count,
                result.source,
                other_total=other.total,
                other_rank=other.rank,
            )
        results[year] = result
    return results
