"""Every task report written before the yearly report becomes a section of its agency's
yearly report for its cycle: one yearly report per (cycle, agency), whose status follows its
sections (any returned → returned, else any draft → draft, else any submitted → submitted,
else accepted). Nothing moves: the narratives, values, evidence and transitions stay on the
task reports, now attached. A returned section gets, as its review comment, the reason of the
step that returned it.

No YearlyTransition is written: the yearly report was never sent, returned or accepted as a
whole, and its sections' own trail says who did what when. Its history starts with one
record saying where it came from.
"""

from django.db import migrations

FROM_TASK_REPORTS = "Chuyển từ báo cáo theo nhiệm vụ"

DRAFT, SUBMITTED, ACCEPTED, RETURNED = "draft", "submitted", "accepted", "returned"


def yearly_status(statuses: set[str]) -> str:
    """The yearly report's status from its sections' statuses."""
    for status in (RETURNED, DRAFT, SUBMITTED):
        if status in statuses:
            return status
    return ACCEPTED


def general_status(statuses: set[str]) -> str:
    """The general section (difficulties, proposals) did not exist: it is open while any
    section is still being drafted, and otherwise stands where the report was last sent
    (a return reopens only what it named)."""
    if DRAFT in statuses:
        return DRAFT
    status = yearly_status(statuses)
    return SUBMITTED if status == RETURNED else status


def reports_into_yearly_reports(apps, schema_editor) -> None:
    Report = apps.get_model("assignments", "Report")
    ReportTransition = apps.get_model("assignments", "ReportTransition")
    YearlyReport = apps.get_model("assignments", "YearlyReport")
    HistoricalYearlyReport = apps.get_model("assignments", "HistoricalYearlyReport")

    sections: dict[tuple[int, int], dict[int, str]] = {}
    rows = Report.objects.filter(yearly__isnull=True).order_by("pk")
    for pk, cycle_id, agency_id, status in rows.values_list(
        "pk", "cycle_id", "agency_id", "status"
    ):
        sections.setdefault((cycle_id, agency_id), {})[pk] = status
    if not sections:
        return
    report_ids = [pk for group in sections.values() for pk in group]
    # The latest step of each kind per task report; the transitions keep their order by time.
    last_submitted: dict[int, object] = {}
    last_return_note: dict[int, str] = {}
    steps = ReportTransition.objects.filter(
        report_id__in=report_ids, to_status__in=[SUBMITTED, RETURNED]
    ).order_by("at", "pk")
    for report_id, to_status, at, note in steps.values_list(
        "report_id", "to_status", "at", "note"
    ).iterator(chunk_size=2000):
        if to_status == SUBMITTED:
            last_submitted[report_id] = at
        else:
            last_return_note[report_id] = note

    existing = {
        (y.cycle_id, y.agency_id): y
        for y in YearlyReport.objects.filter(
            cycle_id__in={c for c, _a in sections}, agency_id__in={a for _c, a in sections}
        )
    }
    for (cycle_id, agency_id), group in sections.items():
        yearly = existing.get((cycle_id, agency_id))
        if yearly is None:
            statuses = set(group.values())
            status = yearly_status(statuses)
            times = [last_submitted[pk] for pk in group if pk in last_submitted]
            yearly = YearlyReport.objects.create(
                cycle_id=cycle_id,
                agency_id=agency_id,
                status=status,
                general_status=general_status(statuses),
                # Never sent as a whole while still drafted.
                submitted_at=max(times) if times and status != DRAFT else None,
            )
            HistoricalYearlyReport.objects.create(
                id=yearly.pk,
                cycle_id=cycle_id,
                agency_id=agency_id,
                status=yearly.status,
                difficulties="",
                proposals="",
                general_status=yearly.general_status,
                general_comment="",
                submitted_at=yearly.submitted_at,
                version=yearly.version,
                updated_at=yearly.updated_at,
                history_date=yearly.updated_at,
                history_type="+",
                history_change_reason=FROM_TASK_REPORTS,
            )
        Report.objects.filter(pk__in=list(group)).update(yearly=yearly)
        for pk, status in group.items():
            if status == RETURNED and last_return_note.get(pk):
                Report.objects.filter(pk=pk).update(review_comment=last_return_note[pk])


def detach_reports(apps, schema_editor) -> None:
    """The task reports stand alone again; the yearly reports, and what only they held
    (proposed scores, their evidence links, the general section), are deleted."""
    Report = apps.get_model("assignments", "Report")
    Report.objects.exclude(yearly=None).update(yearly=None)
    Report.objects.exclude(review_comment="").update(review_comment="")
    apps.get_model("assignments", "EvidenceLink").objects.exclude(proposal=None).delete()
    # Detached first: a task report is deleted with its yearly report (CASCADE).
    apps.get_model("assignments", "YearlyReport").objects.all().delete()
    for name in ("HistoricalYearlyReport", "HistoricalScoreProposal"):
        apps.get_model("assignments", name).objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("assignments", "0013_yearly_report")]

    operations = [migrations.RunPython(reports_into_yearly_reports, detach_reports)]
