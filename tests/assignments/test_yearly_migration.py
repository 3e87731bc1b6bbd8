"""The data migration that makes the per-task reports sections of yearly reports
(assignments/migrations/0014_reports_into_yearly_reports.py), run for real by the migration
executor: back to the schema before it, the old shape built with the models of that time (the
old demo's four reports among them), forward, backward and forward again."""

import datetime
import hashlib
from decimal import Decimal

import pytest
from django.core.files.base import ContentFile
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from tests.assignments.reporting import PDF_BYTES, PNG_BYTES

D = Decimal
# The criteria at the state AFTER's models know (the unit frameworks came later).
BEFORE = [("assignments", "0013_yearly_report"), ("criteria", "0006_national_standing")]
AFTER = ("assignments", "0014_reports_into_yearly_reports")
RETURN_REASON = "Thiếu số liệu hồ sơ giải quyết đúng hạn của cấp xã."

# The database is migrated back and forth: the migrated rows (role groups) are put back after.
pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def _migrate(targets):
    """Migrate the test database to `targets`; the models of AFTER's state."""
    executor = MigrationExecutor(connection)
    executor.migrate(targets)
    return MigrationExecutor(connection).loader.project_state(AFTER).apps


def _latest() -> list[tuple[str, str]]:
    return MigrationExecutor(connection).loader.graph.leaf_nodes()


def _at(day: int, hour: int = 9) -> datetime.datetime:
    return datetime.datetime(2020, 11, day, hour, tzinfo=datetime.UTC)


def _build_old_shape(apps) -> dict:
    """Two agencies, two cycles, reports in every status, as the per-task reports were.

    2020 is the old demo (load_demo's stories): Sở Tư pháp a draft and a submitted report,
    Văn phòng UBND tỉnh a returned one (returned twice, the reason of the last return is
    the one that counts) and an accepted one. In 2019 Sở Tư pháp had everything accepted and
    Văn phòng UBND tỉnh one report still waiting for review. In 2018 Văn phòng UBND tỉnh had
    a report returned and another never sent.
    """
    User = apps.get_model("auth", "User")
    Framework = apps.get_model("criteria", "Framework")
    Plan = apps.get_model("criteria", "Plan")
    Agency = apps.get_model("assignments", "Agency")
    ContentArea = apps.get_model("assignments", "ContentArea")
    Task = apps.get_model("assignments", "Task")
    TaskTarget = apps.get_model("assignments", "TaskTarget")
    ReportingCycle = apps.get_model("assignments", "ReportingCycle")
    Report = apps.get_model("assignments", "Report")
    ReportValue = apps.get_model("assignments", "ReportValue")
    ReportTransition = apps.get_model("assignments", "ReportTransition")
    Evidence = apps.get_model("assignments", "Evidence")
    EvidenceDocument = apps.get_model("assignments", "EvidenceDocument")

    justice_user = User.objects.create(username="sotuphap")
    office_user = User.objects.create(username="vpubnd")
    noivu = User.objects.create(username="noivu")
    framework = Framework.objects.create(code="QĐ 2948", name="Chỉ số CCHC", first_year=2017)
    plan = Plan.objects.create(
        number="252/KH-UBND",
        title="Nâng cao Chỉ số CCHC",
        issued_on=datetime.date(2018, 9, 19),
        province="Tiền Giang",
        framework=framework,
        baseline_year=2017,
        first_year=2018,
        last_year=2020,
    )
    justice = Agency.objects.create(name="Sở Tư pháp", short_name="Sở TP", kind="department")
    office = Agency.objects.create(name="Văn phòng UBND tỉnh", short_name="VPUB", kind="department")
    area = ContentArea.objects.create(plan=plan, number=1, title="Chỉ đạo, điều hành")
    tasks = {}
    for number, lead in [(1, justice), (2, justice), (3, office), (4, office)]:
        tasks[number] = Task.objects.create(content_area=area, number=number, text=f"Việc {number}")
        tasks[number].lead_agencies.add(lead)
    target = TaskTarget.objects.create(
        task=tasks[1],
        description="Tỷ lệ văn bản đúng hạn",
        comparator="at_least",
        value=D(95),
        first_year=2018,
        last_year=2020,
    )
    cycles = {
        year: ReportingCycle.objects.create(
            plan=plan, year=year, deadline=datetime.date(year, 11, 25)
        )
        for year in (2018, 2019, 2020)
    }
    users = {justice.pk: justice_user, office.pk: office_user}

    def report(year, agency, number, status, steps):
        row = Report.objects.create(
            cycle=cycles[year],
            agency=agency,
            task=tasks[number],
            status=status,
            progress="in_progress",
            narrative=f"Dữ liệu minh họa: năm {year}, việc {number}, {status}.",
        )
        for from_status, to_status, at, note in steps:
            by = noivu if to_status in ("returned", "accepted") else users[agency.pk]
            step = ReportTransition.objects.create(
                report=row, from_status=from_status, to_status=to_status, by=by, note=note
            )
            ReportTransition.objects.filter(pk=step.pk).update(at=at)
        return row

    sent = ("draft", "submitted")
    reports = {
        "draft": report(2020, justice, 1, "draft", []),
        "submitted": report(2020, justice, 2, "submitted", [(*sent, _at(3), "")]),
        "returned": report(
            2020,
            office,
            3,
            "returned",
            [
                (*sent, _at(4), ""),
                ("submitted", "returned", _at(5), "Lần trả lại đầu."),
                ("returned", "draft", _at(6), ""),
                (*sent, _at(7), ""),
                ("submitted", "returned", _at(8), RETURN_REASON),
            ],
        ),
        "accepted": report(
            2020,
            office,
            4,
            "accepted",
            [(*sent, _at(9), ""), ("submitted", "accepted", _at(10), "Đạt yêu cầu.")],
        ),
        "2019 accepted 1": report(
            2019,
            justice,
            1,
            "accepted",
            [(*sent, _at(1), ""), ("submitted", "accepted", _at(2), "")],
        ),
        "2019 accepted 2": report(
            2019,
            justice,
            2,
            "accepted",
            [(*sent, _at(2), ""), ("submitted", "accepted", _at(3), "")],
        ),
        "2019 submitted": report(2019, office, 3, "submitted", [(*sent, _at(11), "")]),
        "2019 accepted 4": report(
            2019,
            office,
            4,
            "accepted",
            [(*sent, _at(1), ""), ("submitted", "accepted", _at(2), "")],
        ),
        "2018 returned": report(
            2018,
            office,
            3,
            "returned",
            [(*sent, _at(12), ""), ("submitted", "returned", _at(13), "Cần bổ sung.")],
        ),
        "2018 draft": report(2018, office, 4, "draft", []),
    }
    ReportValue.objects.create(report=reports["draft"], target=target, value=D("96.5"))
    ReportValue.objects.create(report=reports["2019 accepted 1"], target=target, value=D(90))
    # Evidence as attached since the library: a document of the agency's library and the
    # link that shares its stored file.
    for key, content in [("draft", PDF_BYTES), ("returned", PNG_BYTES)]:
        row = reports[key]
        document = EvidenceDocument(
            agency_id=row.agency_id,
            original_name=f"{key}.pdf",
            content_type="application/pdf",
            size=len(content),
            sha256=hashlib.sha256(content).hexdigest(),
            uploaded_by=users[row.agency_id],
        )
        document.file.save(f"{key}.pdf", ContentFile(content), save=False)
        document.save()
        Evidence.objects.create(
            report=row,
            document=document,
            location="trang 2",
            file=document.file.name,
            original_name=document.original_name,
            content_type=document.content_type,
            size=document.size,
            uploaded_by=users[row.agency_id],
        )
    return {
        "reports": reports,
        "files": {"draft": PDF_BYTES, "returned": PNG_BYTES},
        "justice": justice.pk,
        "office": office.pk,
        "cycles": {year: cycle.pk for year, cycle in cycles.items()},
    }


def _task_reports(apps) -> dict:
    """Everything a task report holds, but its yearly report and review comment."""
    Report = apps.get_model("assignments", "Report")
    return {
        r.pk: (
            r.cycle_id,
            r.agency_id,
            r.task_id,
            r.status,
            r.progress,
            r.narrative,
            sorted((v.target_id, v.value) for v in r.values.all()),
            sorted(
                (t.from_status, t.to_status, t.by_id, t.at, t.note) for t in r.transitions.all()
            ),
            sorted((e.document_id, e.file.name, e.location) for e in r.evidence.all()),
        )
        for r in Report.objects.prefetch_related("values", "transitions", "evidence")
    }


def _file_bytes(apps) -> dict[int, bytes]:
    Evidence = apps.get_model("assignments", "Evidence")
    contents = {}
    for evidence in Evidence.objects.select_related("document"):
        with evidence.file.open("rb") as stream:
            contents[evidence.report_id] = stream.read()
        with evidence.document.file.open("rb") as stream:
            assert stream.read() == contents[evidence.report_id]
    return contents


def _check_migrated(apps, old: dict, before: dict) -> None:
    Report = apps.get_model("assignments", "Report")
    YearlyReport = apps.get_model("assignments", "YearlyReport")
    reports = old["reports"]
    justice, office = old["justice"], old["office"]
    cycle_2018, cycle_2019, cycle_2020 = (old["cycles"][year] for year in (2018, 2019, 2020))

    yearly = {(y.cycle_id, y.agency_id): y for y in YearlyReport.objects.all()}
    assert {key: (y.status, y.general_status) for key, y in yearly.items()} == {
        # A draft and a submitted report: the agency is still drafting its year.
        (cycle_2020, justice): ("draft", "draft"),
        # Returned wins; only the returned section is reopened.
        (cycle_2020, office): ("returned", "submitted"),
        (cycle_2019, justice): ("accepted", "accepted"),
        (cycle_2019, office): ("submitted", "submitted"),
        # Returned wins over a draft too; the general section is still to be written.
        (cycle_2018, office): ("returned", "draft"),
    }
    assert yearly[(cycle_2020, justice)].submitted_at is None
    assert yearly[(cycle_2020, office)].submitted_at == _at(9)
    assert yearly[(cycle_2019, justice)].submitted_at == _at(2)
    assert yearly[(cycle_2019, office)].submitted_at == _at(11)
    assert yearly[(cycle_2018, office)].submitted_at == _at(12)
    # Every task report is attached to the yearly report of its cycle and agency.
    for report in Report.objects.all():
        assert report.yearly_id == yearly[(report.cycle_id, report.agency_id)].pk
    comments = dict(Report.objects.values_list("pk", "review_comment"))
    assert comments.pop(reports["returned"].pk) == RETURN_REASON
    assert comments.pop(reports["2018 returned"].pk) == "Cần bổ sung."
    assert set(comments.values()) == {""}
    # Nothing lost or changed on the task reports: narratives, values, transitions, files.
    assert _task_reports(apps) == before
    assert _file_bytes(apps) == {
        reports["draft"].pk: old["files"]["draft"],
        reports["returned"].pk: old["files"]["returned"],
    }
    # No step of the yearly reports is invented; their history says where they came from.
    assert not apps.get_model("assignments", "YearlyTransition").objects.exists()
    history = apps.get_model("assignments", "HistoricalYearlyReport").objects.all()
    assert sorted(h.id for h in history) == sorted(y.pk for y in yearly.values())
    assert {h.history_change_reason for h in history} == {"Chuyển từ báo cáo theo nhiệm vụ"}


def test_every_task_report_becomes_a_section_of_its_yearly_report_and_back(media):
    old_apps = _migrate(BEFORE)
    old = _build_old_shape(old_apps)
    before = _task_reports(old_apps)
    assert old_apps.get_model("assignments", "Report").objects.filter(yearly=None).count() == 10

    apps = _migrate(_latest())

    _check_migrated(apps, old, before)

    apps = _migrate(BEFORE)
    assert not apps.get_model("assignments", "YearlyReport").objects.exists()
    assert _task_reports(apps) == before
    assert set(
        apps.get_model("assignments", "Report").objects.values_list("yearly", flat=True)
    ) == {None}
    assert not apps.get_model("assignments", "Report").objects.exclude(review_comment="").exists()

    apps = _migrate(_latest())

    _check_migrated(apps, old, before)


def test_a_yearly_report_opened_before_the_migration_gets_the_task_reports(media):
    old_apps = _migrate(BEFORE)
    old = _build_old_shape(old_apps)
    YearlyReport = old_apps.get_model("assignments", "YearlyReport")
    opened = YearlyReport.objects.create(
        cycle_id=old["cycles"][2020], agency_id=old["justice"], difficulties="Đã viết."
    )

    apps = _migrate(_latest())

    Report = apps.get_model("assignments", "Report")
    opened = apps.get_model("assignments", "YearlyReport").objects.get(pk=opened.pk)
    assert (opened.status, opened.difficulties) == ("draft", "Đã viết.")
    assert set(
        Report.objects.filter(cycle=old["cycles"][2020], agency=old["justice"]).values_list(
            "yearly", flat=True
        )
    ) == {opened.pk}
    assert apps.get_model("assignments", "YearlyReport").objects.count() == 5
