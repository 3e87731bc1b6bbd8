#!/usr/bin/env python
"""Send every file of the hostile corpus through the portal and measure each refusal.

    .venv/bin/python bench/hostile.py                 # SQLite file under /tmp/par_bench
    .venv/bin/python bench/hostile.py --db postgres   # the scratch PostgreSQL database

The corpus is tests/hostile_files.py, the one tests/test_hostile_files.py asserts on.
Each file goes where a person would send it (the admin's appendix import, a report's
evidence upload) through Django's test client, on the benchmark settings. Per file:
the status and the message shown; the median wall time of `--repeats` requests; the peak
of Python memory allocated during one request (tracemalloc, run apart as it slows Python);
and how far the process's resident memory rose above where it stood before the request
(the kernel's high-water mark, reset before each request through /proc/self/clear_refs).
The table is printed and the figures are written to bench/results/hostile.json.
"""

import argparse
import gc
import json
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import scratch  # noqa: E402

RESULTS = Path(__file__).resolve().parent / "results"
MEGABYTE = 1024 * 1024


def _status_kib(field: str) -> int:
    """A memory figure of this process from /proc/self/status, in KiB."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(f"{field}:"):
            return int(line.split()[1])
    raise LookupError(field)


def _reset_high_water_mark() -> None:
    Path("/proc/self/clear_refs").write_text("5")


def _world():
    """The people and the report the corpus is sent with: an administrator, an agency user."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group

    from assignments.models import Agency, Membership, Role
    from tests.assignments.reporting import build_world, make_report

    agency = Agency.objects.create(
        name="Sở Tư pháp", short_name="Sở TP", kind=Agency.Kind.DEPARTMENT
    )
    other = Agency.objects.create(
        name="UBND huyện Cái Bè", short_name="H. Cái Bè", kind=Agency.Kind.DISTRICT
    )
    world = build_world(agency, other)
    users = get_user_model().objects
    admin = users.create_superuser("quantri", "quantri@localhost", "x" * 16)
    agency_user = users.create_user("canbo", password="x" * 16)
    agency_user.groups.add(Group.objects.get(name=Role.AGENCY_USER.value))
    Membership.objects.create(user=agency_user, agency=agency)
    return world, make_report(world, "1.1"), admin, agency_user


def measure(repeats: int) -> list[dict]:
    from django.conf import settings
    from django.test import Client, override_settings

    from tests.hostile_files import APPENDIX, CORPUS, measure_memory, refusal, send, table_rows

    world, report, admin, agency_user = _world()
    clients = {}
    for route, user in ((APPENDIX, admin), ("evidence", agency_user)):
        clients[route] = Client()
        clients[route].force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    results = []
    # The admin's second factor is not what is measured: the import form behind it is.
    with override_settings(PAR_REQUIRE_2FA_FOR_ADMINS=False):
        for hostile in CORPUS:
            size = len(hostile.content)  # built before anything is measured

            def call(hostile=hostile):
                return send(
                    clients[hostile.route], hostile, plan_pk=world.plan.pk, report_pk=report.pk
                )

            before = table_rows()
            walls, rss_growth = [], []
            for _ in range(repeats):
                gc.collect()
                _reset_high_water_mark()
                resident = _status_kib("VmRSS")
                started = time.perf_counter()
                response = call()
                walls.append((time.perf_counter() - started) * 1000)
                rss_growth.append((_status_kib("VmHWM") - resident) / 1024)
            gc.collect()
            peak = measure_memory(call).peak_bytes
            media = Path(settings.MEDIA_ROOT)
            results.append(
                {
                    "file": hostile.label,
                    "route": hostile.route,
                    "bytes": size,
                    "status": response.status_code,
                    "message": refusal(response),
                    "expected_message_shown": hostile.message in response.content.decode(),
                    "rows_written": table_rows() != before,
                    "files_stored": sum(1 for p in media.rglob("*") if p.is_file())
                    if media.exists()
                    else 0,
                    "wall_ms": statistics.median(walls),
                    "peak_mb": peak / MEGABYTE,
                    "max_rss_growth_mb": max(rss_growth),
                }
            )
            print(f"  {hostile.label}: {results[-1]['wall_ms']:.0f} ms", flush=True)
    return results


def table(results: list[dict]) -> str:
    header = ["file", "MB", "status", "message", "wall ms", "peak MB", "RSS +MB", "written"]
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    for r in results:
        message = r["message"] if len(r["message"]) <= 70 else r["message"][:69] + "…"
        written = "rows" if r["rows_written"] else ("files" if r["files_stored"] else "nothing")
        status = f"{r['status']} {'✓' if r['expected_message_shown'] else '✗ unexpected message'}"
        lines.append(
            f"| {r['file']} | {r['bytes'] / MEGABYTE:.2f} | {status} | {message} "
            f"| {r['wall_ms']:.1f} | {r['peak_mb']:.2f} | {r['max_rss_growth_mb']:.1f} "
            f"| {written} |"
        )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", choices=["postgres", "sqlite"], default="sqlite")
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()

    scratch.configure(args.db)
    import django

    django.setup()
    from bench.run import database_version, machine

    scratch.create_template()
    scratch.fresh()
    report = {"machine": machine(), "database": database_version(), "repeats": args.repeats}
    print(f"{report['machine']} · {report['database']}", flush=True)
    try:
        report["files"] = measure(args.repeats)
    finally:
        scratch.drop()
    print("\n" + table(report["files"]) + "\n", flush=True)
    RESULTS.mkdir(exist_ok=True)
    out = RESULTS / "hostile.json"
    out.write_text(json.dumps(report, indent=2, ensure_ascii=False, default=str))
    print(f"Written to {out}")


if __name__ == "__main__":
    main()
