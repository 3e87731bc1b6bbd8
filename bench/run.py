#!/usr/bin/env python
"""Benchmark the portal's pages at three scales, and its spreadsheet import and export.

    .venv/bin/python bench/run.py                  # PostgreSQL on 127.0.0.1, all of it
    .venv/bin/python bench/run.py --db sqlite      # SQLite file under /tmp/par_bench
    .venv/bin/python bench/run.py --scales 1 10 --repeats 9 --skip-spreadsheets

For each scale (×1 the seed, ×10, ×100: see bench/data.py) a fresh scratch database is
filled, then every page of PAGES is requested through Django's test client: its SQL
queries are counted once, then its server time is taken `--repeats` times, the pages
interleaved round by round so that a busy machine slows them all alike. The median of
each page is set against the trivial page's (the floor) of the same run. One table is
printed and the figures are written as JSON to bench/results/.
"""

import argparse
import json
import os
import platform
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import scratch  # noqa: E402

RESULTS = Path(__file__).resolve().parent / "results"


@dataclass(frozen=True)
class Page:
    """One page to measure: a URL name, its arguments and who asks for it."""

    label: str
    url_name: str | None  # None: not built yet
    args: Callable = lambda d: []
    persona: str = "noivu"  # a key of Dataset.users, or "anonymous"
    method: str = "get"
    data: Callable | None = None
    htmx: bool = False


def _score_row(d) -> dict:
    """A grid row's form as the page would post it: the stored values and versions."""
    from criteria.models import Score

    scores = {s.kind: s for s in Score.objects.filter(criterion=d.leaf, year=d.year)}
    own, official = scores.get(Score.Kind.SELF), scores.get(Score.Kind.OFFICIAL)
    return {
        "self_value": str(own.value) if own else "",
        "self_version": own.version if own else 0,
        "official_value": str(official.value) if official else "",
        "official_version": official.version if official else 0,
        "note": "Thiếu hồ sơ minh chứng",
    }


TRIVIAL = "trivial page (floor)"
# One line per page. A URL name that does not resolve is reported as not built yet.
PAGES = [
    Page(TRIVIAL, "bench-trivial"),
    Page("trivial, no template", "bench-trivial-text"),
    Page("plan", "criteria:plan-detail", lambda d: [d.plan.pk]),
    Page("score entry grid", "reports:score-grid", lambda d: [d.year]),
    Page(
        "score entry: save a row",
        "reports:score-save",
        lambda d: [d.year, d.leaf.pk],
        method="post",
        data=_score_row,
        htmx=True,
    ),  # fmt: skip
    Page("overview", "reports:overview"),
    Page("gap table", "reports:gap-dashboard", lambda d: [d.year]),
    Page("points at stake per agency", "reports:agency-stakes", lambda d: [d.year]),
    Page("route to target", "reports:route", lambda d: [d.year]),
    Page("appraisal: points lost", "reports:appraisal", lambda d: [d.year]),
    Page("export: appraisal .xlsx", "reports:appraisal-export", lambda d: [d.year]),
    Page("export: evidence package .zip", "reports:evidence-package", lambda d: [d.year]),
    Page("standing among provinces", "reports:standing"),
    Page("JSON: national table", "reports:national-table-json", lambda d: [d.year]),
    Page("JSON: province's results", "reports:standing-json"),
    Page("tasks of section II", "assignments:task-list", lambda d: [d.plan.pk]),
    Page("agency workspace", "assignments:workspace", persona="agency"),
    Page("Sở Nội vụ tracker", "assignments:cycle-detail", lambda d: [d.year]),
    Page("tracker: one agency", "assignments:agency-detail", lambda d: [d.year, d.agency.pk]),
    Page("province's self-assessment", "assessments:assessment-detail", lambda d: [d.year]),
    Page("units' index: ranking tables", "reports:unit-results", lambda d: [d.unit_year]),
    Page(
        "units' index: a unit's page",
        "reports:unit-detail",
        lambda d: [d.unit_year, d.unit_agency.pk],
    ),
    Page("export: appendix .xlsx", "criteria:plan-appendix-download", lambda d: [d.plan.pk]),
    Page("export: results .xlsx", "reports:results-export", lambda d: [d.year]),
    Page("export: yearly reports .xlsx", "assignments:cycle-export", lambda d: [d.year]),
    Page(
        "draft: self-assessment .docx",
        "reports:document-download",
        lambda d: [d.year, "self-assessment", "docx"],
    ),
    Page(
        "draft: plan's results .docx",
        "reports:document-download",
        lambda d: [d.year, "plan-results", "docx"],
    ),
    Page("results, print view", "reports:results-print", lambda d: [d.year]),
    Page("public page", "reports:public-overview", persona="anonymous"),
    Page("people page (agencies' accounts)", "accounts:user-list"),
]


@dataclass
class Measured:
    label: str
    status: str = "ok"  # ok, not built, error …
    queries: int | None = None
    times: list[float] = field(default_factory=list)
    bytes: int | None = None

    @property
    def median_ms(self) -> float | None:
        return statistics.median(self.times) * 1000 if self.times else None


def _request(client, page: Page, url: str, data: dict | None):
    headers = {"HX-Request": "true"} if page.htmx else {}
    return getattr(client, page.method)(url, data or {}, headers=headers)


# A slow page is timed no more once it has MIN_TIMINGS timings and BUDGET_SECONDS in all,
# so that the ×100 run ends in minutes; the others get every round.
MIN_TIMINGS, BUDGET_SECONDS = 3, 20.0


def _chosen(label: str, words: list[str]) -> bool:
    return any(word.lower() in label.lower() for word in words)


def measure_pages(
    dataset, repeats: int, only: list[str] | None = None, cold_cache: bool = False
) -> list[Measured]:
    """Time every page; with `cold_cache`, Django's cache is emptied before each counted or
    timed request, so that cached pages (criteria/caching.py) are built every time."""
    from django.core.cache import cache
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.urls import NoReverseMatch, reverse

    clients = {"anonymous": Client()}
    for persona, user in dataset.users.items():
        clients[persona] = Client()
        clients[persona].force_login(user, backend="django.contrib.auth.backends.ModelBackend")

    results, ready = [], []
    for page in PAGES:
        if only and page.label != TRIVIAL and not _chosen(page.label, only):
            continue
        result = Measured(page.label)
        results.append(result)
        if page.url_name is None:
            result.status = "not built yet"
            continue
        try:
            url = reverse(page.url_name, args=page.args(dataset))
        except NoReverseMatch:
            result.status = "not built yet"
            continue
        client, data = clients[page.persona], page.data(dataset) if page.data else None
        for _warm_up in range(2):
            response = _request(client, page, url, data)
        if response.status_code != 200:
            result.status = f"HTTP {response.status_code}"
            continue
        # The fewer of two requests: one of them may also refresh the session's last-seen
        # stamp (once a minute), which is not the page's own work.
        counts = []
        for _count in range(2):
            if cold_cache:
                cache.clear()
            with CaptureQueriesContext(connection) as queries:
                response = _request(client, page, url, data)
            counts.append(len(queries.captured_queries))
        result.queries = min(counts)
        # A download streamed from a file (the evidence package) has no `content`.
        result.bytes = (
            sum(len(chunk) for chunk in response.streaming_content)
            if response.streaming
            else len(response.content)
        )
        ready.append((page, url, client, data, result))
    for _round in range(repeats):
        for page, url, client, data, result in ready:
            if len(result.times) >= MIN_TIMINGS and sum(result.times) > BUDGET_SECONDS:
                continue
            if cold_cache:
                cache.clear()
            started = time.perf_counter()
            _request(client, page, url, data)
            result.times.append(time.perf_counter() - started)
    return results


def machine() -> dict:
    import django

    load = os.getloadavg()
    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        platform.processor(),
    )
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "memory_gib": round(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30),
        "python": platform.python_version(),
        "django": django.get_version(),
        "load_average_at_start": [round(value, 2) for value in load],
    }


def database_version() -> str:
    from django.db import connection

    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SHOW server_version")
            return f"PostgreSQL {cursor.fetchone()[0]}"
        cursor.execute("select sqlite_version()")
        return f"SQLite {cursor.fetchone()[0]}"


def run_pages(
    scales: list[int], repeats: int, only: list[str] | None = None, cold_cache: bool = False
) -> dict:
    from bench import data
    from criteria.models import Criterion

    by_scale = {}
    for scale in scales:
        scratch.fresh()
        started = time.perf_counter()
        dataset = data.build(scale)
        dataset.leaf = (
            Criterion.objects.filter(framework=dataset.plan.framework_id, is_survey=False)
            .leaves()
            .order_by("sort_key")
            .first()
        )
        built = time.perf_counter() - started
        print(f"×{scale}: built in {built:.1f} s: {dataset.counts}", flush=True)
        results = measure_pages(dataset, repeats, only, cold_cache)
        floor = next(r.median_ms for r in results if r.label == TRIVIAL)
        by_scale[scale] = {
            "counts": dataset.counts,
            "build_seconds": round(built, 1),
            "floor_ms": floor,
            "pages": {
                r.label: {
                    "status": r.status,
                    "queries": r.queries,
                    "median_ms": r.median_ms,
                    "ratio_to_floor": r.median_ms / floor if r.median_ms else None,
                    "bytes": r.bytes,
                }
                for r in results
            },
        }
    return by_scale


def page_table(by_scale: dict) -> str:
    """The pages as a Markdown table: queries, median and ratio to the floor per scale."""
    scales = list(by_scale)
    measured = by_scale[scales[0]]["pages"]
    labels = [page.label for page in PAGES if page.label in measured]
    header = ["page"]
    header += [f"queries ×{s}" for s in scales]
    header += [f"ms ×{s}" for s in scales]
    header += [f"÷floor ×{s}" for s in scales]
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    for label in labels:
        cells = [by_scale[s]["pages"][label] for s in scales]
        if all(c["status"] == "not built yet" for c in cells):
            lines.append(f"| {label} | " + " | ".join(["not built yet"] * (len(header) - 1)) + " |")
            continue
        row = [label]
        row += [str(c["queries"]) if c["queries"] is not None else c["status"] for c in cells]
        row += [f"{c['median_ms']:.1f}" if c["median_ms"] else "–" for c in cells]
        row += [f"{c['ratio_to_floor']:.1f}" if c["ratio_to_floor"] else "–" for c in cells]
        lines.append("| " + " | ".join(row) + " |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", choices=["postgres", "sqlite"], default="postgres")
    parser.add_argument("--scales", type=int, nargs="+", default=[1, 10, 100])
    parser.add_argument("--repeats", type=int, default=15)
    parser.add_argument("--skip-pages", action="store_true")
    parser.add_argument("--skip-spreadsheets", action="store_true")
    parser.add_argument(
        "--only", nargs="+", metavar="WORD", help="only the pages whose label contains a WORD"
    )
    parser.add_argument("--keep", action="store_true", help="keep the scratch database")
    parser.add_argument(
        "--cold-cache",
        action="store_true",
        help="empty Django's cache before every measured request (the first request's cost)",
    )
    args = parser.parse_args()

    scratch.configure(args.db)
    import django

    django.setup()
    scratch.create_template()
    report = {
        "machine": machine(),
        "database": database_version(),
        "repeats": args.repeats,
        "cold_cache": args.cold_cache,
    }
    print(f"{report['machine']} · {report['database']}", flush=True)
    try:
        if not args.skip_pages:
            report["pages"] = run_pages(args.scales, args.repeats, args.only, args.cold_cache)
            print("\n" + page_table(report["pages"]) + "\n", flush=True)
        if not args.skip_spreadsheets:
            from bench import spreadsheets

            scratch.fresh()
            report["spreadsheets"] = spreadsheets.run(repeats=max(3, args.repeats // 3))
            print("\n" + spreadsheets.table(report["spreadsheets"]) + "\n", flush=True)
    finally:
        if not args.keep:
            scratch.drop()
    report["machine"]["load_average_at_end"] = [round(v, 2) for v in os.getloadavg()]
    RESULTS.mkdir(exist_ok=True)
    out = RESULTS / f"run-{args.db}{'-cold' if args.cold_cache else ''}.json"
    out.write_text(json.dumps(report, indent=2, ensure_ascii=False, default=str))
    print(f"Written to {out.relative_to(Path.cwd()) if out.is_relative_to(Path.cwd()) else out}")


if __name__ == "__main__":
    main()
