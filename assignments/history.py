"""A report's audit trail: the report, its values, its evidence and the reasons of its steps."""

from django.utils.translation import gettext as _

from assignments.models import Evidence, Report, ReportValue
from criteria.history import HistoryEntry, history_entries


def report_history_entries(report: Report) -> list[HistoryEntry]:
    """Every recorded change to a report and what belongs to it, newest first.

    A change of status is one step of ReportTransition, written in the same transaction as
    the report's history record: the step's note (the reason a report was returned, a
    reviewer's remark) is shown with that record.
    """
    records = [
        *Report.history.filter(id=report.pk).select_related("history_user"),
        *ReportValue.history.filter(report_id=report.pk).select_related("history_user", "target"),
        *Evidence.history.filter(report_id=report.pk).select_related("history_user"),
    ]
    steps = list(report.transitions.order_by("at", "pk"))

    def note(record, previous) -> str:
        if not isinstance(record, Report.history.model) or previous is None:
            return ""
        if previous.status == record.status:
            return ""
        for step in steps:
            moves = (step.from_status, step.to_status) == (previous.status, record.status)
            if moves and step.at <= record.history_date:
                steps.remove(step)
                return step.note
        return ""

    return history_entries(records, _subject, also=["version"], note=note)


def _subject(record) -> str:
    if isinstance(record, Report.history.model):
        return _("Báo cáo")
    if isinstance(record, ReportValue.history.model):
        target = record.target
        return _("Kết quả chỉ tiêu “%(target)s”") % {
            "target": target.description if target else record.target_id
        }
    return _("Tài liệu minh chứng “%(name)s”") % {"name": record.original_name}
