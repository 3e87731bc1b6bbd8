"""Writes of the agencies' yearly reports: cycles and extensions, reports from draft to
accepted, and their evidence.

Every change of a report's status is one conditional UPDATE (… WHERE version = n) that
also raises the version: of two people acting on the same page, the second is refused
with a message instead of silently undoing the first.
"""

import datetime
import hashlib
from collections.abc import Mapping
from decimal import Decimal
from pathlib import PurePath

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import F
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from assignments.mail import mail_agency_on_commit, mail_report_review
from assignments.models import (
    Agency,
    Evidence,
    EvidenceDocument,
    Extension,
    Report,
    ReportingCycle,
    ReportTransition,
    ReportValue,
    Task,
    TaskTarget,
)
from assignments.progress import deadline_of
from criteria.models import Plan

STALE_MESSAGE = gettext_lazy(
    "Báo cáo vừa được người khác cập nhật. Trang đã hiện nội dung mới nhất; "
    "xin kiểm tra và thực hiện lại."
)


# -- Cycles and extensions ----------------------------------------------------------------


@transaction.atomic
def open_cycle(*, plan: Plan, year: int, deadline: datetime.date | None = None) -> ReportingCycle:
    """Open a year's reporting cycle, due 25/11 of that year unless another date is given."""
    if not plan.first_year <= year <= plan.last_year:
        raise ValidationError(
            _("Năm %(year)s nằm ngoài thời gian của kế hoạch (%(first)s–%(last)s)."),
            params={"year": year, "first": plan.first_year, "last": plan.last_year},
        )
    if ReportingCycle.objects.filter(plan=plan, year=year).exists():
        raise ValidationError(_("Kỳ báo cáo năm %(year)s đã có."), params={"year": year})
    return ReportingCycle.objects.create(
        plan=plan, year=year, deadline=deadline or ReportingCycle.default_deadline(year)
    )


@transaction.atomic
def grant_extension(
    *,
    cycle: ReportingCycle,
    agency: Agency,
    until: datetime.date,
    reason: str,
    by: AbstractBaseUser,
) -> Extension:
    """Let an agency submit until a later date; a second grant replaces the first."""
    if until <= cycle.deadline:
        raise ValidationError(
            _("Ngày gia hạn phải sau hạn báo cáo %(deadline)s."),
            params={"deadline": date_format(cycle.deadline, "SHORT_DATE_FORMAT")},
        )
    Extension._meta.get_field("reason").run_validators(reason.strip())
    extension, _created = Extension.objects.update_or_create(
        cycle=cycle,
        agency=agency,
        defaults={"until": until, "reason": reason.strip(), "granted_by": by},
    )
    # Letters go out in the portal's language, whichever language the sender's screen shows.
    with translation.override(settings.LANGUAGE_CODE):
        subject = _("Gia hạn báo cáo năm %(year)s") % {"year": cycle.year}
        body = render_to_string(
            "assignments/email/extension_granted.txt", {"extension": extension, "cycle": cycle}
        )
    mail_agency_on_commit(agency, subject, body)
    return extension


# -- Reports ------------------------------------------------------------------------------


@transaction.atomic
def start_report(*, cycle: ReportingCycle, agency: Agency, task: Task) -> Report:
    """The agency's report on a task for the year, created as a draft the first time."""
    report, _created = Report.objects.get_or_create(cycle=cycle, agency=agency, task=task)
    return report


@transaction.atomic
def save_report(
    *,
    report: Report,
    by: AbstractBaseUser,
    progress: str,
    narrative: str,
    values: Mapping[int, Decimal | None],
    version: int,
) -> Report:
    """Save an agency's edits; a returned report goes back to draft.

    `version` is the one the editor's page was built from; `values` maps each of the
    task's target ids to the value achieved, None to clear it.
    """
    if not report.is_editable:
        raise ValidationError(_("Báo cáo đã gửi, không sửa được nữa."))
    Report._meta.get_field("narrative").run_validators(narrative)
    updated = Report.objects.filter(pk=report.pk, version=version, status=report.status).update(
        progress=progress,
        narrative=narrative,
        status=Report.Status.DRAFT,
        version=F("version") + 1,
        updated_at=timezone.now(),
    )
    if not updated:
        raise ValidationError(STALE_MESSAGE, code="stale")
    targets = set(
        TaskTarget.objects.filter(task=report.task_id, pk__in=list(values)).values_list(
            "pk", flat=True
        )
    )
    for target_id, value in values.items():
        if target_id not in targets:
            raise ValidationError(_("Chỉ tiêu không thuộc nhiệm vụ của báo cáo."))
        if value is None:
            ReportValue.objects.filter(report=report, target_id=target_id).delete()
        else:
            ReportValue.objects.update_or_create(
                report=report, target_id=target_id, defaults={"value": value}
            )
    previous = report.status
    report.refresh_from_db()
    if previous != report.status:
        ReportTransition.objects.create(
            report=report, from_status=previous, to_status=report.status, by=by
        )
    Report.history.bulk_history_create([report], update=True, default_user=by)
    return report


@transaction.atomic
def submit_report(*, report: Report, by: AbstractBaseUser) -> Report:
    """Send a draft to Sở Nội vụ, through the end of the deadline day or the extension."""
    if report.status != Report.Status.DRAFT:
        raise ValidationError(_("Chỉ gửi được báo cáo đang soạn."))
    deadline = deadline_of(report.cycle, report.agency, today=timezone.localdate())
    if deadline.is_passed:
        raise ValidationError(
            _(
                "Đã quá hạn báo cáo ngày %(date)s. Đơn vị cần Sở Nội vụ gia hạn "
                "mới gửi được báo cáo."
            ),
            params={"date": date_format(deadline.date, "SHORT_DATE_FORMAT")},
        )
    if not report.narrative.strip():
        raise ValidationError(_("Cần ghi kết quả thực hiện trước khi gửi báo cáo."))
    return _move(report, to=Report.Status.SUBMITTED, by=by)


@transaction.atomic
def accept_report(*, report: Report, by: AbstractBaseUser, version: int, note: str = "") -> Report:
    """Sở Nội vụ accepts a submitted report, as it was at `version` (the one the page showed)."""
    if report.status != Report.Status.SUBMITTED:
        raise ValidationError(_("Chỉ chấp nhận được báo cáo đã gửi."))
    report = _move(report, to=Report.Status.ACCEPTED, by=by, note=note.strip(), version=version)
    mail_report_review(report, note=note.strip())
    return report


@transaction.atomic
def return_report(*, report: Report, by: AbstractBaseUser, reason: str, version: int) -> Report:
    """Sở Nội vụ returns a submitted report to its agency, saying why, as it was at `version`."""
    if report.status != Report.Status.SUBMITTED:
        raise ValidationError(_("Chỉ trả lại được báo cáo đã gửi."))
    if not reason.strip():
        raise ValidationError(_("Cần ghi lý do trả lại báo cáo."))
    report = _move(report, to=Report.Status.RETURNED, by=by, note=reason.strip(), version=version)
    mail_report_review(report, note=reason.strip())
    return report


def _move(
    report: Report,
    *,
    to: Report.Status,
    by: AbstractBaseUser,
    note: str = "",
    version: int | None = None,
) -> Report:
    """Change the status if nobody changed the report since it was read, and record who did.

    `version`: the one the actor's page showed; by default the one `report` was loaded with.
    """
    ReportTransition._meta.get_field("note").run_validators(note)
    updated = Report.objects.filter(
        pk=report.pk,
        version=report.version if version is None else version,
        status=report.status,
    ).update(status=to, version=F("version") + 1, updated_at=timezone.now())
    if not updated:
        raise ValidationError(STALE_MESSAGE, code="stale")
    ReportTransition.objects.create(
        report=report, from_status=report.status, to_status=to, by=by, note=note
    )
    report.refresh_from_db()
    Report.history.bulk_history_create([report], update=True, default_user=by)
    return report


# -- Evidence -----------------------------------------------------------------------------


def _lock_editable(report: Report, refusal: str) -> None:
    """Lock the report's row and read its status again: the page may have read it before
    the report was sent. Sending waits for the lock, so a file is either added (or removed)
    before the report goes, or refused."""
    status = Report.objects.select_for_update().values_list("status", flat=True).get(pk=report.pk)
    if status not in Report.EDITABLE_STATUSES:
        raise ValidationError(refusal)


@transaction.atomic
def add_evidence(
    *,
    report: Report,
    upload: UploadedFile,
    content_type: str,
    extension: str,
    by: AbstractBaseUser,
) -> Evidence:
    """Put a checked file (see forms.check_evidence) in the agency's library, or find the
    document holding the same content, and attach it to the report."""
    _lock_editable(report, _("Báo cáo đã gửi, không thêm tài liệu được nữa."))
    document, _created = add_document(
        agency=report.agency,
        upload=upload,
        content_type=content_type,
        extension=extension,
        by=by,
        title=PurePath(upload.name).stem[:500],
    )
    return _link(report=report, document=document, location="", by=by)


@transaction.atomic
def attach_document(
    *, report: Report, document: EvidenceDocument, location: str, by: AbstractBaseUser
) -> Evidence:
    """Attach a document of the agency's library to its report, with where inside it."""
    _lock_editable(report, _("Báo cáo đã gửi, không thêm tài liệu được nữa."))
    if document.agency_id != report.agency_id:
        raise ValidationError(_("Tài liệu không thuộc thư viện của đơn vị."))
    return _link(report=report, document=document, location=location, by=by)


def _link(
    *, report: Report, document: EvidenceDocument, location: str, by: AbstractBaseUser
) -> Evidence:
    existing = report.evidence.filter(document=document).first()
    if existing is not None:
        return existing
    evidence = Evidence(
        report=report,
        document=document,
        location=location,
        # The link shares the document's stored file: nothing is copied.
        file=document.file.name,
        original_name=document.original_name,
        content_type=document.content_type,
        size=document.size,
        uploaded_by=by,
    )
    evidence._history_user = by
    evidence.save()
    return evidence


@transaction.atomic
def delete_evidence(*, evidence: Evidence, by: AbstractBaseUser) -> None:
    """Take a document off the report; it stays in the agency's library. A file attached
    before the library (no document) is deleted with its link."""
    _lock_editable(evidence.report, _("Báo cáo đã gửi, không xóa tài liệu được nữa."))
    storage, name = evidence.file.storage, evidence.file.name
    evidence._history_user = by
    has_document = evidence.document_id is not None
    evidence.delete()
    if not has_document:
        transaction.on_commit(lambda: storage.delete(name))


# -- The agency's library of evidence documents -------------------------------------------


def file_sha256(upload: UploadedFile) -> str:
    digest = hashlib.sha256()
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    return digest.hexdigest()


@transaction.atomic
def add_document(
    *,
    agency: Agency,
    upload: UploadedFile,
    content_type: str,
    extension: str,
    by: AbstractBaseUser,
    number: str = "",
    issued_on: datetime.date | None = None,
    issuer: str = "",
    title: str = "",
) -> tuple[EvidenceDocument, bool]:
    """Store a checked file (see forms.check_evidence) in the agency's library, or find the
    document already holding the same content: (document, created)."""
    sha256 = file_sha256(upload)
    # The lock on the agency makes two uploads of the same file wait for each other.
    Agency.objects.select_for_update().filter(pk=agency.pk).first()
    existing = EvidenceDocument.objects.filter(agency=agency, sha256=sha256).first()
    if existing is not None:
        return existing, False
    document = EvidenceDocument(
        agency=agency,
        number=number,
        issued_on=issued_on,
        issuer=issuer,
        title=title,
        original_name=upload.name,
        content_type=content_type,
        size=upload.size,
        sha256=sha256,
        uploaded_by=by,
    )
    document._history_user = by
    # The stored name takes its suffix from the checked content, never from the user.
    document.file.save(f"evidence{extension}", upload, save=False)
    storage, name = document.file.storage, document.file.name
    try:
        document.save()
    except Exception:
        storage.delete(name)
        raise
    return document, True
