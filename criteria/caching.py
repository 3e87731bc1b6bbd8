"""Pages and files that show the whole criteria tree, kept in Django's cache until the data
they show changes.

The key of a cached part holds the *data version*, read in one query. For the tables of
simple-history: the largest history id and the time of the latest history row, two index
lookups whose cost does not grow with the history. Every write path of the portal writes
history for the models shown (imports and bulk paths through simple-history's bulk
helpers, score entry, the admin, commands), and history rows are only ever added, so a
write changes the version. Agencies, agency groups, frameworks and the responsibilities'
group links keep no history: for these small tables, their row count and largest id, so
a row added or removed changes the version at once, while a row edited in place (an
agency renamed, a framework's maximum changed) shows after at most the cache's TIMEOUT
(settings.CACHES), as does a fixture loaded with `loaddata` over existing rows (raw saves
write no history), or, rarely, a write whose transaction took an earlier history id but
committed after a later one.

What is cached is rendered without the request: no CSRF token, user name or message can
end up in it. What differs between users (links only some roles may follow) must be
passed in `vary`; the active language is always part of the key.
"""

import functools
import hashlib
from collections.abc import Callable, Hashable

from django.core.cache import cache
from django.db import connection, models
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils.translation import get_language

from assignments.models import Agency, AgencyGroup, Responsibility
from criteria.models import (
    Action,
    Criterion,
    Framework,
    IndexResult,
    NationalGroup,
    NationalResult,
    NationalTable,
    Plan,
    Province,
    RankGoal,
    Score,
    Target,
)

HISTORY_SOURCES: list[type[models.Model]] = [
    Criterion,
    Plan,
    Target,
    Score,
    Action,
    IndexResult,
    Responsibility,
    # The standing among provinces (reports/standing.py) on the overview and the route.
    Province,
    NationalTable,
    NationalGroup,
    NationalResult,
    RankGoal,
]
# Shown on these pages but without history. The responsibilities' agency groups are linked
# in bulk by the import (assignments.owners._write_links), which writes no history.
PLAIN_SOURCES: list[type[models.Model]] = [
    Framework,
    Agency,
    AgencyGroup,
    Responsibility.groups.through,
    Responsibility.leads.through,
    Responsibility.lead_groups.through,
    AgencyGroup.agencies.through,
]


def _summary(
    model: type[models.Model], label: str, rows: models.Expression, last_at: models.Expression
) -> models.QuerySet:
    """One row: the table's label, its row count (small plain tables only), largest id and
    (for history) latest write."""
    return (
        model._default_manager.order_by()
        .annotate(source=models.Value(label))
        .values("source")
        .annotate(rows=rows, last_id=models.Max("pk"), last_at=last_at)
        .values_list("source", "rows", "last_id", "last_at")
    )


class DataVersion:
    """The version of the data some pages show, read in one query: for each model with
    history, the largest history id and the time of its latest history row; for each plain
    table, its row count and largest id (only the largest id for the big tables in
    `uncounted`, whose rows are only ever added). Calling it gives a short digest that
    changes whenever one of those rows is written."""

    def __init__(
        self,
        history: list[type[models.Model]],
        plain: list[type[models.Model]],
        *,
        uncounted: tuple[type[models.Model], ...] = (),
    ) -> None:
        self.history, self.plain, self.uncounted = history, plain, uncounted

    @functools.cached_property
    def sql(self) -> tuple[str, tuple]:
        """The union of every source's summary, compiled once: building the querysets of a
        dozen tables on each request would cost more than running the query."""
        # Typed as COUNT's bigint, so that PostgreSQL's UNION takes every row alike.
        uncounted = models.Value(0, models.BigIntegerField())
        no_time = models.Value(None, models.DateTimeField())
        summaries = [
            _summary(
                model.history.model,
                f"h:{model._meta.label}",
                uncounted,
                models.Max("history_date"),
            )
            for model in self.history
        ] + [
            _summary(
                model,
                model._meta.label,
                uncounted if model in self.uncounted else models.Count("*"),
                no_time,
            )
            for model in self.plain
        ]
        return summaries[0].union(*summaries[1:], all=True).order_by().query.sql_with_params()

    def __call__(self) -> str:
        with connection.cursor() as cursor:
            cursor.execute(*self.sql)
            rows = sorted(cursor.fetchall(), key=lambda row: row[0])
        return hashlib.blake2b(repr(rows).encode(), digest_size=12).hexdigest()


# A short digest that changes whenever a row of the criteria pages is written (one query).
data_version = DataVersion(HISTORY_SOURCES, PLAIN_SOURCES)


def cached_part[Value](
    name: str,
    vary: tuple[Hashable, ...],
    build: Callable[[], Value],
    *,
    version: Callable[[], str] | None = None,
) -> Value:
    """The cached value of `name` for `vary`, the language and the data as it is now
    (`version`, by default the criteria pages' `data_version`); built (and kept) when
    missing. `build` must not depend on anything else of the request."""
    current = (version or data_version)()
    digest = hashlib.blake2b(
        repr((current, get_language(), vary)).encode(), digest_size=16
    ).hexdigest()
    key = f"par:{name}:{digest}"
    value = cache.get(key)
    if value is None:
        value = build()
        cache.set(key, value)
    return value


def render_with_cached_part(
    request: HttpRequest,
    template_name: str,
    *,
    part: str,
    vary: tuple[Hashable, ...],
    build: Callable[[], dict],
    context: dict,
    version: Callable[[], str] | None = None,
) -> HttpResponse:
    """Render a page whose partial `part` comes from the cache: rendered, when missing, from
    the context `build()` returns, without the request. The page gets `context` and the
    partial's HTML under the partial's name."""
    name = f"{template_name}#{part}"
    html = cached_part(name, vary, lambda: render_to_string(name, build()), version=version)
    return render(request, template_name, {**context, part: html})
