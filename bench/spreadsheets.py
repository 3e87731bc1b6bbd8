"""The spreadsheet path: importing and exporting the appendix, against openpyxl alone.

Import: `read_appendix` (checks, parsing) and `import_appendix` (the diff and the bulk
writes) into an empty plan, inside a transaction rolled back after each repeat so that
every repeat writes everything. Its floor is openpyxl reading the same file the way the
importer opens it (read-only, cached values) and iterating every row.
Export: `plan_appendix_bytes` (the plan rebuilt from the database and written in the
official layout); its floor is openpyxl's write-only mode writing the same cells plainly.

Files: the seed appendix, and generated appendices in the official layout of 1,000, 5,000
and 10,000 rows (areas × 9 criteria × 10 sub-criteria), to see that importing grows
linearly with the rows.
"""

import datetime
import io
import statistics
import time
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

import openpyxl
from django.conf import settings
from django.core.management import call_command
from django.db import transaction

from criteria.exporters import plan_appendix_bytes, write_appendix
from criteria.importers import read_appendix
from criteria.layout import AppendixRow, AppendixTable, YearSpan
from criteria.models import Framework, Plan
from criteria.services import import_appendix

SEED = Path(settings.BASE_DIR) / "fixtures" / "appendix_252_KH-UBND.xlsx"
GENERATED_AREAS = [10, 50, 100]  # × 9 × 10 -> 1,000, 5,000 and 10,000 rows
SPANS = [YearSpan(2018, 2018), YearSpan(2019, 2020)]


def generated_table(areas: int) -> AppendixTable:
    """An appendix of areas × 9 criteria × 10 sub-criteria; sub-criteria are worth 0.5."""
    rows: list[AppendixRow] = []
    leaf = Decimal("0.5")

    def row(code: str, maximum: Decimal) -> AppendixRow:
        depth = code.count(".")
        kind = ["Lĩnh vực", "Tiêu chí", "Tiêu chí thành phần"][depth]
        baseline = (maximum * Decimal("0.6")).quantize(Decimal("0.01"))
        return AppendixRow(
            excel_row=0,
            code=code,
            title=f"{kind} {code}: công khai, minh bạch thủ tục hành chính",
            max_score=maximum,
            baseline=baseline,
            targets={SPANS[0]: (baseline, baseline), SPANS[1]: (baseline, maximum)},
            action="- Sở Nội vụ chủ trì, phối hợp các sở, ban, ngành tỉnh\n- UBND cấp huyện"
            if depth == 2
            else "",
        )

    for a in range(1, areas + 1):
        rows.append(row(f"{a}", leaf * 90))
        for c in range(1, 10):
            rows.append(row(f"{a}.{c}", leaf * 10))
            rows.extend(row(f"{a}.{c}.{s}", leaf) for s in range(1, 11))
    total = leaf * 90 * areas
    rows.append(
        AppendixRow(
            excel_row=0,
            code="",
            title="TỔNG ĐIỂM",
            max_score=total,
            baseline=None,
            targets={span: None for span in SPANS},
            is_total=True,
        )
    )
    return AppendixTable(baseline_year=2017, target_spans=SPANS, rows=rows)


def generated_file(areas: int) -> bytes:
    out = io.BytesIO()
    write_appendix(
        generated_table(areas),
        province="Tỉnh Thử Nghiệm",
        plan_number=f"{areas}/KH-BENCH",
        issued_on=datetime.date(2018, 9, 19),
        out=out,
        period=YearSpan(2018, 2020),
    )
    return out.getvalue()


def openpyxl_read(data: bytes) -> int:
    """The floor: what openpyxl alone takes to open the file as the importer does and read it."""
    book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    count = sum(1 for sheet in book.worksheets for _row in sheet.iter_rows(values_only=True))
    book.close()
    return count


def openpyxl_write(table: AppendixTable) -> bytes:
    """The floor of an export: the same cells written plainly in write-only mode."""
    book = openpyxl.Workbook(write_only=True)
    sheet = book.create_sheet()
    for row in table.rows:
        targets = [row.targets.get(span) for span in table.target_spans]
        sheet.append(
            [row.code, row.title, row.max_score, row.baseline]
            + [f"{t[0]} - {t[1]}" if t else None for t in targets]
            + [row.action]
        )
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _median(action: Callable[[], object], repeats: int) -> float:
    return _medians(action, repeats)[0]


def _medians(action: Callable[[], object], repeats: int) -> tuple[float, float]:
    """Median wall time and median CPU time of this process, in ms.

    The CPU time leaves out other processes sharing the machine (and the database
    server's own work): it shows whether the Python side grows linearly.
    """
    wall, cpu = [], []
    for _ in range(repeats):
        started, started_cpu = time.perf_counter(), time.process_time()
        action()
        wall.append(time.perf_counter() - started)
        cpu.append(time.process_time() - started_cpu)
    return statistics.median(wall) * 1000, statistics.median(cpu) * 1000


def _plan_for(number: str, framework_code: str) -> Plan:
    framework = Framework.objects.create(code=framework_code, name=framework_code, first_year=2017)
    return Plan.objects.create(
        number=number,
        title=number,
        issued_on=datetime.date(2018, 9, 19),
        province="Tỉnh Thử Nghiệm",
        framework=framework,
        baseline_year=2017,
        first_year=2018,
        last_year=2020,
    )


def _import_once(data: bytes, plan: Plan) -> None:
    with transaction.atomic():
        import_appendix(table=read_appendix(data), plan=plan)
        transaction.set_rollback(True)


def measure(name: str, data: bytes, plan: Plan, repeats: int) -> dict:
    rows = len(read_appendix(data).rows)
    parse = _median(lambda: read_appendix(data), repeats)
    total, total_cpu = _medians(lambda: _import_once(data, plan), repeats)
    floor, floor_cpu = _medians(lambda: openpyxl_read(data), repeats)
    with transaction.atomic():  # imported once more to export it, then rolled back
        import_appendix(table=read_appendix(data), plan=plan)
        plan.refresh_from_db()
        export = _median(lambda: plan_appendix_bytes(plan), repeats)
        export_floor = _median(lambda: openpyxl_write(AppendixTable.from_plan(plan)), repeats)
        transaction.set_rollback(True)
    return {
        "file": name,
        "rows": rows,
        "bytes": len(data),
        "openpyxl_read_ms": floor,
        "read_appendix_ms": parse,
        "import_ms": total,
        "import_ratio": total / floor,
        "import_us_per_row": total * 1000 / rows,
        "openpyxl_read_cpu_ms": floor_cpu,
        "import_cpu_ms": total_cpu,
        "import_cpu_us_per_row": total_cpu * 1000 / rows,
        "export_ms": export,
        "openpyxl_write_ms": export_floor,
        "export_ratio": export / export_floor,
    }


def run(repeats: int) -> list[dict]:
    call_command("loaddata", Path(settings.BASE_DIR) / "fixtures" / "seed_plan.json", verbosity=0)
    results = [
        measure(
            "seed appendix 252/KH-UBND",
            SEED.read_bytes(),
            Plan.objects.select_related("framework").get(number="252/KH-UBND"),
            repeats,
        )
    ]
    for areas in GENERATED_AREAS:
        data = generated_file(areas)
        plan = _plan_for(f"{areas}/KH-BENCH", f"BENCH-{areas}")
        results.append(measure(f"generated, {areas} areas", data, plan, repeats))
        print(f"  {results[-1]['rows']} rows: import {results[-1]['import_ms']:.0f} ms", flush=True)
    return results


def table(results: list[dict]) -> str:
    header = (
        "| file | rows | openpyxl read ms | read_appendix ms | import ms | ÷openpyxl "
        "| µs/row | CPU µs/row | export ms | openpyxl write ms | ÷openpyxl |"
    )
    lines = [header, "|" + "---|" * 11]
    for r in results:
        lines.append(
            f"| {r['file']} | {r['rows']} | {r['openpyxl_read_ms']:.0f} | "
            f"{r['read_appendix_ms']:.0f} | {r['import_ms']:.0f} | {r['import_ratio']:.1f} | "
            f"{r['import_us_per_row']:.0f} | {r['import_cpu_us_per_row']:.0f} | "
            f"{r['export_ms']:.0f} | {r['openpyxl_write_ms']:.0f} | {r['export_ratio']:.1f} |"
        )
    return "\n".join(lines)
