#!/usr/bin/env python
"""Deadline-day load test: gunicorn and PostgreSQL on 127.0.0.1, locust, then wrk.

    .venv/bin/python bench/loadtest.py                  # ×10 data, 40 users, 60 s
    .venv/bin/python bench/loadtest.py --scale 1 --users 20 --run-time 30

Run as a script, this file fills a scratch PostgreSQL database (bench/data.py), starts
gunicorn on 127.0.0.1 with bench/settings.py, and runs two phases, each bounded in time
and in requests, that stop by themselves:

1. The mix (locust, headless, this same file as the locustfile): every simulated user
   logs in first, all of them within the first seconds (the burst of logins); then agency
   users open their workspace and the pages they read and, where the reporting pages
   exist, save their report and upload evidence; Sở Nội vụ staff enter scores row by row
   and read the tracker and the dashboards; leaders read the dashboards. Every response
   to an agency user is searched for other agencies' report markers (a leak).
   Users think 2 to 6 seconds between pages.
2. Throughput (wrk): each dashboard alone, right after the trivial page alone, with the
   same connections and duration, so that the pair's requests per second compare.

One table is printed and the figures are written to bench/results/loadtest.json.
"""

import json
import os
import re
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
SCRATCH_DIR = Path(os.environ.get("BENCH_SCRATCH_DIR", Path(tempfile.gettempdir()) / "par_bench"))
PLAN_FILE = SCRATCH_DIR / "loadtest-plan.json"
MARKER = re.compile(r"BENCH-AGENCY-(\d+)-MARK")
MARK = "BENCH-AGENCY-{}-MARK"  # bench/data.py writes it in each report's narrative
VERSION = re.compile(r'name="version" value="(\d+)"')

if "locust" in sys.modules or os.environ.get("BENCH_LOCUSTFILE"):
    # -- The simulated users (imported by locust, never by Django) ----------------------
    import itertools

    from locust import HttpUser, between, events, task

    PLAN = json.loads(PLAN_FILE.read_text())
    URLS = PLAN["urls"]
    LEAKS: list[str] = []
    REQUESTS = itertools.count(1)
    AGENCY_USERS = itertools.cycle(PLAN["agency_users"])
    SCORE_ROWS = itertools.cycle(PLAN["score_rows"])

    class PortalUser(HttpUser):
        abstract = True
        wait_time = between(2, 6)
        username = ""
        agency_id: int | None = None

        def on_start(self) -> None:
            self.client.get(URLS["login"], name="login page")
            token = self.client.cookies.get("csrftoken", "")
            with self.client.post(
                URLS["login"],
                {
                    "username": self.username,
                    "password": PLAN["password"],
                    "csrfmiddlewaretoken": token,
                },  # fmt: skip
                name="login",
                allow_redirects=False,
                catch_response=True,
            ) as response:
                if response.status_code != 302:
                    response.failure(f"login refused: HTTP {response.status_code}")

        def open(self, key: str, *, name: str | None = None, method: str = "get", **kwargs):
            """Request a page, fail it on a bad status, and look for other agencies' data."""
            if next(REQUESTS) > PLAN["max_requests"]:
                self.environment.runner.quit()
                return None
            url = URLS.get(key, key)
            kwargs.setdefault("allow_redirects", False)
            with getattr(self.client, method)(
                url, name=name or key, catch_response=True, **kwargs
            ) as response:
                if response.status_code >= 400:
                    response.failure(f"HTTP {response.status_code}")
                elif self.agency_id is not None:
                    others = {int(m) for m in MARKER.findall(response.text)} - {self.agency_id}
                    if others:
                        LEAKS.append(f"{self.username} saw agencies {sorted(others)} at {url}")
                        response.failure("leak: another agency's data")
                return response

    class AgencyStaff(PortalUser):
        weight = 6

        def on_start(self) -> None:
            self.username, self.agency_id = next(AGENCY_USERS)
            self.drafts = list(PLAN["reports"].get(str(self.agency_id), []))
            super().on_start()

        @task(4)
        def workspace(self) -> None:
            self.open("workspace" if "workspace" in URLS else "plan")

        @task(2)
        def submit_report(self) -> None:
            """Open a draft, attach a PDF, write the result and send it to Sở Nội vụ."""
            if not self.drafts:
                return
            report = self.drafts.pop()
            page = self.open(report["detail"], name="report page")
            version = VERSION.search(page.text) if page is not None else None
            if version is None:
                return
            narrative = f"{MARK.format(self.agency_id)} Đã hoàn thành, có minh chứng kèm theo."
            self.open(
                report["update"],
                name="report: save and send",
                method="post",
                data={
                    "progress": "done",
                    "narrative": narrative,
                    "version": version[1],
                    "submit": "1",
                    "csrfmiddlewaretoken": self._token(),
                },
                # The page's one form sends the chosen evidence with the text.
                files={"evidence": ("minh-chung.pdf", PDF, "application/pdf")},
            )

        @task(1)
        def plan(self) -> None:
            self.open("plan")

        @task(1)
        def overview(self) -> None:
            self.open("overview")

        def _token(self) -> str:
            return self.client.cookies.get("csrftoken", "")

    class NoivuStaff(PortalUser):
        weight = 2
        username = "noivu"

        def on_start(self) -> None:
            super().on_start()
            self.row = dict(next(SCORE_ROWS))
            self.flip = False

        @task(3)
        def score_grid(self) -> None:
            self.open("score_grid")

        @task(3)
        def save_score_row(self) -> None:
            """One grid row saved as htmx does: a new official score, the version it showed."""
            row = self.row
            self.flip = not self.flip
            official = row["official_low"] if self.flip else row["official_high"]
            response = self.open(
                row["url"],
                name="score entry: save a row",
                method="post",
                headers={"HX-Request": "true"},
                data={
                    "self_value": row["self_value"],
                    "self_version": row["self_version"],
                    "official_value": official,
                    "official_version": row["official_version"],
                    "note": "Thiếu hồ sơ minh chứng",
                    "csrfmiddlewaretoken": self.client.cookies.get("csrftoken", ""),
                },
            )
            if response is not None and response.status_code == 200:
                row["official_version"] += 1

        @task(2)
        def tracker(self) -> None:
            self.open("tracker" if "tracker" in URLS else "gaps")

        @task(1)
        def gaps(self) -> None:
            self.open("gaps")

        @task(1)
        def overview(self) -> None:
            self.open("overview")

    class Leader(PortalUser):
        weight = 1
        username = "lanhdao"

        @task
        def dashboards(self) -> None:
            for key in ("overview", "gaps", "route", "stakes"):
                self.open(key)

    PDF = b"%PDF-1.4\n" + b"0" * 20_000 + b"\n%%EOF\n"

    @events.quitting.add_listener
    def _write_leaks(environment, **kwargs) -> None:
        Path(PLAN["leaks_file"]).write_text(json.dumps(LEAKS, ensure_ascii=False))


# -- The orchestration (run as a script) -------------------------------------------------


def _plan_file(dataset, args, port: int) -> dict:
    """What the simulated users need: URLs, accounts, the rows they save, the limits."""
    from decimal import Decimal

    from django.urls import NoReverseMatch, reverse

    from bench.data import PASSWORD
    from criteria.models import Criterion, Score

    def url(name: str, *url_args) -> str | None:
        try:
            return reverse(name, args=url_args)
        except NoReverseMatch:
            return None

    year = dataset.year
    urls = {
        "login": url("login"),
        "plan": url("criteria:plan-detail", dataset.plan.pk),
        "overview": url("reports:overview"),
        "gaps": url("reports:gap-dashboard", year),
        "route": url("reports:route", year),
        "stakes": url("reports:agency-stakes", year),
        "score_grid": url("reports:score-grid", year),
        "workspace": url("assignments:workspace"),
        "tracker": url("assignments:cycle-detail", year),
        "trivial": url("bench-trivial"),
    }
    leaves = (
        Criterion.objects.filter(framework=dataset.plan.framework_id, is_survey=False)
        .leaves()
        .order_by("sort_key")[: args.users]
    )
    scores = {
        (s.criterion_id, s.kind): s for s in Score.objects.filter(criterion__in=leaves, year=year)
    }
    score_rows = [
        {
            "url": url("reports:score-save", year, leaf.pk),
            "self_value": str(scores[leaf.pk, Score.Kind.SELF].value),
            "self_version": scores[leaf.pk, Score.Kind.SELF].version,
            "official_version": scores[leaf.pk, Score.Kind.OFFICIAL].version,
            "official_low": str((leaf.max_score / 4).quantize(Decimal("0.01"))),
            "official_high": str((leaf.max_score / 2).quantize(Decimal("0.01"))),
        }
        for leaf in leaves
    ]
    drafts = _report_forms(dataset)
    # Agencies with reports still to send log in first.
    agency_users = sorted(dataset.agency_users, key=lambda pair: str(pair[1]) not in drafts)
    return {
        "urls": {key: value for key, value in urls.items() if value},
        "password": PASSWORD,
        "agency_users": [list(pair) for pair in agency_users],
        "score_rows": score_rows,
        "reports": drafts,
        "max_requests": args.max_requests,
        "leaks_file": str(PLAN_FILE.with_name("loadtest-leaks.json")),
    }


def _report_forms(dataset) -> dict[str, list[dict]]:
    """Per agency, the URLs of its draft reports in the current cycle, to fill in and send.

    Empty while the reporting pages do not exist (their URL names do not resolve).
    """
    from django.urls import NoReverseMatch, reverse

    from assignments.models import Report

    drafts: dict[str, list[dict]] = {}
    reports = Report.objects.filter(
        cycle__plan=dataset.plan, cycle__year=dataset.year, status=Report.Status.DRAFT
    ).order_by("agency", "pk")
    try:
        for report in reports:
            drafts.setdefault(str(report.agency_id), []).append(
                {
                    "detail": reverse("assignments:report-detail", args=[report.pk]),
                    "update": reverse("assignments:report-update", args=[report.pk]),
                }
            )
    except NoReverseMatch:
        return {}
    return drafts


def _report_counts(dataset) -> dict[str, int]:
    from assignments.models import Evidence, Report

    reports = Report.objects.filter(cycle__plan=dataset.plan, cycle__year=dataset.year)
    return {
        "submitted": reports.filter(status=Report.Status.SUBMITTED).count(),
        "evidence": Evidence.objects.filter(report__in=reports).count(),
    }


def _wait_for(url: str, seconds: float = 30) -> None:
    import urllib.request

    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(url, timeout=2)  # noqa: S310 (127.0.0.1 only)
            return
        except OSError:
            time.sleep(0.3)
    raise RuntimeError(f"gunicorn did not answer at {url}")


def _session_cookie(base: str, username: str, password: str) -> str:
    """Log in once and return the Cookie header wrk sends."""
    import http.cookiejar
    import urllib.parse
    import urllib.request

    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    opener.open(base + "/accounts/login/")
    token = next(c.value for c in jar if c.name == "csrftoken")
    body = urllib.parse.urlencode(
        {"username": username, "password": password, "csrfmiddlewaretoken": token}
    ).encode()
    opener.open(base + "/accounts/login/", body)
    return "; ".join(f"{c.name}={c.value}" for c in jar)


def _wrk(url: str, cookie: str, seconds: int, connections: int) -> dict:
    import subprocess

    output = subprocess.run(
        [
            "wrk",
            "-t2",
            f"-c{connections}",
            f"-d{seconds}s",
            "--latency",
            "-H",
            f"Cookie: {cookie}",
            url,
        ],  # fmt: skip
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", output)[1])
    total = int(re.search(r"(\d+) requests in", output)[1])
    bad = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    errors = re.search(r"Socket errors: (.*)", output)

    def percentile(p: str) -> str:
        match = re.search(rf"^\s+{p}%\s+(\S+)", output, re.MULTILINE)
        return match[1] if match else "?"

    return {
        "requests_per_second": rate,
        "requests": total,
        "non_2xx": int(bad[1]) if bad else 0,
        "socket_errors": errors[1] if errors else "",
        "p50": percentile("50"),
        "p90": percentile("90"),  # wrk's --latency prints 50, 75, 90 and 99
        "p99": percentile("99"),
    }


THROUGHPUT_PAGES = ("overview", "gaps", "route", "stakes", "tracker", "score_grid")


def _throughput(base: str, urls: dict, cookie: str, args) -> dict:
    """Each dashboard alone under wrk, right after the trivial page: on a shared machine the
    pair sees the same load, so their ratio holds where the absolute rates move."""
    result = {}
    for key in (key for key in THROUGHPUT_PAGES if key in urls):
        trivial = _wrk(base + urls["trivial"], cookie, args.wrk_seconds, args.wrk_connections)
        page = _wrk(base + urls[key], cookie, args.wrk_seconds, args.wrk_connections)
        page["trivial_requests_per_second"] = trivial["requests_per_second"]
        page["ratio_to_trivial"] = page["requests_per_second"] / trivial["requests_per_second"]
        page["trivial_non_2xx"] = trivial["non_2xx"]
        result[key] = page
    return result


def _locust_stats(prefix: Path) -> list[dict]:
    import csv

    with open(f"{prefix}_stats.csv", newline="") as stream:
        return [
            {
                "name": row["Name"],
                "requests": int(row["Request Count"]),
                "failures": int(row["Failure Count"]),
                "p50_ms": float(row["50%"] or 0),
                "p95_ms": float(row["95%"] or 0),
                "requests_per_second": float(row["Requests/s"]),
            }
            for row in csv.DictReader(stream)
        ]


def main() -> None:
    import argparse
    import subprocess

    parser = argparse.ArgumentParser(description="Deadline-day load test on 127.0.0.1.")
    parser.add_argument("--scale", type=int, choices=[1, 10, 100], default=10)
    parser.add_argument("--users", type=int, default=40)
    parser.add_argument("--spawn-rate", type=float, default=20, help="logins per second")
    parser.add_argument("--run-time", type=int, default=60, help="seconds of the mix")
    parser.add_argument("--max-requests", type=int, default=20_000)
    parser.add_argument("--wrk-seconds", type=int, default=8)
    parser.add_argument("--wrk-connections", type=int, default=8)
    parser.add_argument("--workers", type=int, default=(os.cpu_count() or 1) * 2 + 1)
    parser.add_argument("--port", type=int, default=8765)
    args = parser.parse_args()

    sys.path.insert(0, str(HERE.parent))
    from bench import scratch

    scratch.configure("postgres")
    os.environ["BENCH_AXES"] = "on"
    import django

    django.setup()
    from bench import data

    scratch.create_template()
    scratch.fresh()
    dataset = data.build(args.scale)
    plan = _plan_file(dataset, args, args.port)
    PLAN_FILE.parent.mkdir(parents=True, exist_ok=True)
    PLAN_FILE.write_text(json.dumps(plan, ensure_ascii=False))
    reports_before = _report_counts(dataset)
    from django.db import connections

    connections.close_all()

    base = f"http://127.0.0.1:{args.port}"
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "bench.settings"}
    venv_bin = Path(sys.executable).parent
    server = subprocess.Popen(
        [
            str(venv_bin / "gunicorn"),
            "par_portal.wsgi",
            "--bind",
            f"127.0.0.1:{args.port}",
            "--workers",
            str(args.workers),
            "--timeout",
            "120",
            "--log-level",
            "warning",
        ],  # fmt: skip
        cwd=HERE.parent,
        env=env,
    )
    result: dict = {"scale": args.scale, "counts": dataset.counts, "args": vars(args)}
    try:
        _wait_for(base + "/accounts/login/")
        prefix = PLAN_FILE.with_name("locust")
        started = time.monotonic()
        subprocess.run(
            [
                str(venv_bin / "locust"),
                "-f",
                __file__,
                "--headless",
                "--host",
                base,
                "-u",
                str(args.users),
                "-r",
                str(args.spawn_rate),
                "-t",
                f"{args.run_time}s",
                "--stop-timeout",
                "10",
                "--csv",
                str(prefix),
                "--only-summary",
                "--loglevel",
                "WARNING",
                "--exit-code-on-error",
                "0",
            ],  # fmt: skip
            env={**env, "BENCH_LOCUSTFILE": "1"},
            check=True,
            timeout=args.run_time + 120,
        )
        result["mix_seconds"] = round(time.monotonic() - started, 1)
        result["mix"] = _locust_stats(prefix)
        result["reports_before"] = reports_before
        result["reports_after"] = _report_counts(dataset)
        result["leaks"] = json.loads(Path(plan["leaks_file"]).read_text())
        cookie = _session_cookie(base, "noivu", plan["password"])
        result["throughput"] = _throughput(base, plan["urls"], cookie, args)
    finally:
        server.terminate()
        server.wait(timeout=30)
        scratch.drop()
    print(tables(result))
    out = HERE / "results" / "loadtest.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps(result, indent=2, ensure_ascii=False))
    print(f"Written to {out}")


def tables(result: dict) -> str:
    lines = [
        f"Mix: {result['mix_seconds']} s, leaks: {len(result['leaks'])}, current cycle's "
        f"reports submitted {result['reports_before']['submitted']} -> "
        f"{result['reports_after']['submitted']}, evidence {result['reports_before']['evidence']}"
        f" -> {result['reports_after']['evidence']}",
        "",
        "| request | count | failures | p50 ms | p95 ms | req/s |",
        "|---|---|---|---|---|---|",
    ]
    for row in result["mix"]:
        lines.append(
            f"| {row['name']} | {row['requests']} | {row['failures']} | {row['p50_ms']:.0f} | "
            f"{row['p95_ms']:.0f} | {row['requests_per_second']:.1f} |"
        )
    lines += [
        "",
        "| page alone (wrk) | req/s | trivial just before, req/s | ÷ trivial | p50 | p90 | p99 "
        "| non-2xx |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for key, row in result["throughput"].items():
        lines.append(
            f"| {key} | {row['requests_per_second']:.1f} | "
            f"{row['trivial_requests_per_second']:.1f} | {row['ratio_to_trivial']:.2f} | "
            f"{row['p50']} | {row['p90']} | {row['p99']} | {row['non_2xx']} |"
        )
    return "\n".join(lines)


if __name__ == "__main__":
    main()
