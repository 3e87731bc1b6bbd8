"""The province's own index of its units on the one engine (assessments.models): a unit
self-assesses every criterion of its framework that applies to it in a round's window, sends;
Sở Nội vụ or the council member assigned to an area appraises each entry (accept, or another
score with a reason); the unit may respond once per entry within the round's response window
(giải trình sau thẩm định); Sở Nội vụ sets the final scores; a leader approves (locked, by
assessments.services.approve) and publishes the round.

Every step writes the entry's or assessment's history (simple-history) and each change of
status an AssessmentTransition.
"""

import datetime
from decimal import Decimal

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history

from assessments.models import (
    Assessment,
    AssessmentRound,
    CouncilAssignment,
    Entry,
)
from assessments.province import Evidence
from assessments.services import STALE_MESSAGE, _move, _replace_evidence
from assignments.models import Agency, Exemption, Role, user_role
from criteria.models import Criterion
from criteria.templatetags.scores import score as format_score

Status = Assessment.Status
APPRAISERS = (Role.ADMINISTRATOR, Role.NOIVU_STAFF)


def deadline_for(unit_round: AssessmentRound, agency: Agency) -> datetime.date:
    """The unit's deadline: its extension's, else the round's (one query)."""
    extension = unit_round.extensions.filter(agency=agency).values_list("deadline", flat=True)
    return max([unit_round.deadline, *extension])


def exempt_codes(framework_id: int, agency: Agency) -> set[str]:
    return set(
        Exemption.objects.filter(agency=agency, criterion__framework=framework_id).values_list(
            "criterion__code", flat=True
        )
    )


def is_exempt(code: str, exempt: set[str]) -> bool:
    return any(code == other or code.startswith(f"{other}.") for other in exempt)


def scored_criteria(framework_id: int) -> list[Criterion]:
    """The framework's scored criteria (its leaves) in the tree's order (one query)."""
    return list(Criterion.objects.filter(framework=framework_id).leaves().for_tree())


@transaction.atomic
def unit_assessment(
    *, unit_round: AssessmentRound, agency: Agency, by: AbstractBaseUser | None = None
) -> Assessment:
    """The unit's assessment of the round, created with one entry per criterion that
    applies to it (the exempt ones have none)."""
    if agency.kind != unit_round.unit_type:
        raise ValidationError(
            _("%(agency)s không thuộc loại đơn vị “%(type)s” của đợt đánh giá.")
            % {"agency": agency, "type": unit_round.get_unit_type_display()}
        )
    found = Assessment.objects.filter(unit_round=unit_round, agency=agency).first()
    if found is not None:
        return found
    try:
        with transaction.atomic():
            assessment = Assessment.objects.create(
                unit_round=unit_round,
                agency=agency,
                framework_id=unit_round.framework_id,
                year=unit_round.year,
            )
    except IntegrityError:  # created by someone else meanwhile
        return Assessment.objects.get(unit_round=unit_round, agency=agency)
    _apply_exemptions(assessment, by)
    return assessment


def _apply_exemptions(assessment: Assessment, by: AbstractBaseUser | None) -> None:
    """One entry for each criterion that applies to the unit now: the entries of criteria
    it has since been exempted from go (with their drafts), those it no longer is exempt
    from are added. Done when the assessment is made and again when it is sent, so that
    an exemption granted while the unit drafts is the one its total is scaled by."""
    exempt = exempt_codes(assessment.framework_id, assessment.agency)
    entries = {e.criterion_id: e for e in assessment.entries.select_related("criterion")}
    for entry in entries.values():
        if is_exempt(entry.criterion.code, exempt):
            entry._history_user = by
            entry.delete()
    bulk_create_with_history(
        [
            Entry(assessment=assessment, criterion=criterion)
            for criterion in scored_criteria(assessment.framework_id)
            if criterion.pk not in entries and not is_exempt(criterion.code, exempt)
        ],
        Entry,
        default_user=by,
    )


def _locked(assessment: Assessment) -> Assessment:
    return (
        Assessment.objects.select_for_update(of=("self",))
        .select_related("unit_round")
        .get(pk=assessment.pk)
    )


def _require_status(assessment: Assessment, *statuses: str) -> None:
    if assessment.status not in statuses:
        raise ValidationError(
            _("Bản đánh giá đang ở trạng thái “%(status)s”, không thực hiện được bước này.")
            % {"status": assessment.get_status_display()},
            code="status",
        )


def check_window(assessment: Assessment, today: datetime.date) -> None:
    """A unit writes and sends its self-assessment from opens_on to its deadline."""
    unit_round = assessment.unit_round
    if today < unit_round.opens_on:
        raise ValidationError(
            _("Đợt tự đánh giá chưa bắt đầu: đơn vị tự đánh giá từ ngày %(day)s.")
            % {"day": unit_round.opens_on.strftime("%d/%m/%Y")},
            code="early",
        )
    deadline = deadline_for(unit_round, assessment.agency)
    if today > deadline:
        raise ValidationError(
            _("Đã hết hạn tự đánh giá (ngày %(day)s); cần Sở Nội vụ gia hạn.")
            % {"day": deadline.strftime("%d/%m/%Y")},
            code="late",
        )


def check_score(criterion: Criterion, score: Decimal | None) -> None:
    if score is not None and not 0 <= score <= criterion.max_score:
        raise ValidationError(
            _("Điểm của tiêu chí %(code)s phải từ 0 đến %(max)s."),
            params={"code": criterion.code, "max": format_score(criterion.max_score)},
            code="score",
        )


def _entry(assessment: Assessment, entry: Entry, version: int) -> Entry:
    entry = Entry.objects.select_for_update().select_related("criterion").get(pk=entry.pk)
    if entry.assessment_id != assessment.pk:
        raise ValidationError(_("Tiêu chí không thuộc bản đánh giá này."))
    if entry.version != version:
        raise ValidationError(STALE_MESSAGE, code="stale")
    return entry


def _save(entry: Entry, by: AbstractBaseUser, **fields: object) -> Entry:
    Entry.objects.filter(pk=entry.pk, version=entry.version).update(
        version=F("version") + 1, **fields
    )
    entry.refresh_from_db()
    Entry.history.bulk_history_create([entry], update=True, default_user=by)
    return entry


@transaction.atomic
def save_entry(
    *,
    entry: Entry,
    by: AbstractBaseUser,
    score: Decimal | None,
    explanation: str,
    evidence_complete: bool,
    evidence: list[Evidence],
    version: int,
    today: datetime.date,
) -> Entry:
    """The unit's draft of one criterion: its proposed score (a penalty as the points
    deducted), explanation and evidence from its own library."""
    assessment = _locked(entry.assessment)
    _require_status(assessment, Status.PROPOSED)
    check_window(assessment, today)
    entry = _entry(assessment, entry, version)
    if entry.criterion.is_survey and score is not None:
        raise ValidationError(
            _("Tiêu chí %(code)s chấm qua điều tra xã hội học: đơn vị không tự chấm.")
            % {"code": entry.criterion.code}
        )
    check_score(entry.criterion, score)
    explanation = explanation.strip()
    Entry._meta.get_field("explanation").run_validators(explanation)
    if any(item.document.agency_id != assessment.agency_id for item in evidence):
        raise ValidationError(_("Chỉ gắn được tài liệu trong thư viện của đơn vị."))
    entry = _save(
        entry,
        by,
        proposed_score=score,
        explanation=explanation,
        evidence_complete=evidence_complete,
        decided_by=by,
        decided_at=timezone.now(),
    )
    _replace_evidence(entry, evidence, by)
    return entry


@transaction.atomic
def send(*, assessment: Assessment, by: AbstractBaseUser, today: datetime.date) -> Assessment:
    """The unit sends its self-assessment for appraisal, once every criterion it scores
    itself (not the survey's, not bonus or penalty, which may stay empty) has a score; its
    entries follow its exemptions as they are now."""
    assessment = _locked(assessment)
    _require_status(assessment, Status.PROPOSED)
    check_window(assessment, today)
    _apply_exemptions(assessment, by)
    missing = list(
        assessment.entries.filter(
            proposed_score__isnull=True,
            criterion__kind=Criterion.Kind.REGULAR,
            criterion__is_survey=False,
        ).values_list("criterion__code", flat=True)
    )
    if missing:
        raise ValidationError(
            _("Chưa tự chấm điểm các tiêu chí: %(codes)s.") % {"codes": ", ".join(missing)}
        )
    Assessment.objects.filter(pk=assessment.pk).update(sent_at=timezone.now())
    assessment.refresh_from_db()
    return _move(assessment, to=Status.SENT, by=by)


def appraised_areas(user: AbstractBaseUser, unit_round: AssessmentRound) -> set[str] | None:
    """The area codes a user appraises in a round: None for all (Sở Nội vụ, administrators),
    the assigned ones for a council member, none for the others (one query at most)."""
    role = user_role(user)
    if role in APPRAISERS:
        return None
    if role != Role.COUNCIL_MEMBER:
        return set()
    return set(
        CouncilAssignment.objects.filter(unit_round=unit_round, member=user).values_list(
            "area__code", flat=True
        )
    )


def may_appraise(areas: set[str] | None, criterion: Criterion) -> bool:
    return areas is None or criterion.area_code in areas


@transaction.atomic
def appraise_entry(
    *,
    entry: Entry,
    by: AbstractBaseUser,
    score: Decimal | None,
    reason: str,
    version: int,
) -> Entry:
    """Sở Nội vụ or the council member of the entry's area appraises it: no score accepts
    the proposed one; another score needs its reason."""
    assessment = _locked(entry.assessment)
    _require_status(assessment, Status.SENT)
    entry = _entry(assessment, entry, version)
    if not may_appraise(appraised_areas(by, assessment.unit_round), entry.criterion):
        raise ValidationError(_("Bạn không được phân công thẩm định lĩnh vực này."))
    if score is None:
        score = entry.proposed_score
    if score is None:
        raise ValidationError(
            _("Tiêu chí %(code)s chưa có điểm tự đánh giá: cần nhập điểm thẩm định.")
            % {"code": entry.criterion.code}
        )
    check_score(entry.criterion, score)
    reason = reason.strip()
    Entry._meta.get_field("appraisal_reason").run_validators(reason)
    if score != entry.proposed_score and entry.proposed_score is not None and not reason:
        raise ValidationError(
            _("Điểm thẩm định tiêu chí %(code)s khác điểm tự đánh giá: cần ghi lý do.")
            % {"code": entry.criterion.code},
            code="reason",
        )
    return _save(
        entry, by, appraised_score=score, appraisal_reason=reason,
        appraised_by=by, appraised_at=timezone.now(),
    )  # fmt: skip


@transaction.atomic
def complete_appraisal(
    *, assessment: Assessment, by: AbstractBaseUser, today: datetime.date
) -> Assessment:
    """Sở Nội vụ closes the appraisal once every entry is appraised; the unit's response
    window opens until today + the round's response days."""
    assessment = _locked(assessment)
    _require_status(assessment, Status.SENT)
    missing = list(
        assessment.entries.filter(appraised_score__isnull=True)
        .exclude(criterion__kind__in=[Criterion.Kind.BONUS, Criterion.Kind.PENALTY])
        .values_list("criterion__code", flat=True)
    )
    if missing:
        raise ValidationError(
            _("Chưa thẩm định các tiêu chí: %(codes)s.") % {"codes": ", ".join(missing)}
        )
    until = today + datetime.timedelta(days=assessment.unit_round.response_days)
    Assessment.objects.filter(pk=assessment.pk).update(response_until=until)
    assessment.refresh_from_db()
    return _move(assessment, to=Status.APPRAISED, by=by)


@transaction.atomic
def respond_entry(
    *, entry: Entry, by: AbstractBaseUser, text: str, version: int, today: datetime.date
) -> Entry:
    """The unit responds once to the appraisal of an entry, within the window."""
    assessment = _locked(entry.assessment)
    _require_status(assessment, Status.APPRAISED, Status.RESPONSE)
    if assessment.response_until is None or today > assessment.response_until:
        raise ValidationError(_("Đã hết hạn giải trình sau thẩm định."), code="late")
    entry = _entry(assessment, entry, version)
    if entry.responded_at is not None:
        raise ValidationError(
            _("Đơn vị đã giải trình tiêu chí %(code)s; chỉ giải trình một lần.")
            % {"code": entry.criterion.code}
        )
    text = text.strip()
    if not text:
        raise ValidationError(_("Cần ghi nội dung giải trình."))
    Entry._meta.get_field("response").run_validators(text)
    entry = _save(entry, by, response=text, responded_at=timezone.now())
    if assessment.status == Status.APPRAISED:
        _move(assessment, to=Status.RESPONSE, by=by)
    return entry


@transaction.atomic
def decide_final(*, entry: Entry, by: AbstractBaseUser, score: Decimal, version: int) -> Entry:
    """Sở Nội vụ sets an entry's final score (after a response: accept it or keep the
    appraised score)."""
    assessment = _locked(entry.assessment)
    _require_status(assessment, Status.APPRAISED, Status.RESPONSE)
    entry = _entry(assessment, entry, version)
    check_score(entry.criterion, score)
    return _save(entry, by, final_score=score)


@transaction.atomic
def finalize(*, assessment: Assessment, by: AbstractBaseUser, today: datetime.date) -> Assessment:
    """The final scores: each entry's decided one, else its appraised one (a bonus or
    penalty left empty is 0). Refused while the unit may still respond and has not."""
    assessment = _locked(assessment)
    _require_status(assessment, Status.APPRAISED, Status.RESPONSE)
    if assessment.status == Status.APPRAISED and today <= assessment.response_until:
        raise ValidationError(
            _("Đơn vị còn được giải trình đến ngày %(day)s.")
            % {"day": assessment.response_until.strftime("%d/%m/%Y")}
        )
    pending = assessment.entries.filter(final_score__isnull=True)
    now = timezone.now()
    for entry in pending.select_related("criterion"):
        final = entry.appraised_score if entry.appraised_score is not None else Decimal(0)
        _save(entry, by, final_score=final, decided_at=now)
    return _move(assessment, to=Status.FINAL, by=by)


@transaction.atomic
def publish(*, unit_round: AssessmentRound, by: AbstractBaseUser, public: bool) -> AssessmentRound:
    """A leader publishes the round's results to the units (and, if `public`, on the public
    page); refused while no unit's result is approved."""
    unit_round = AssessmentRound.objects.select_for_update().get(pk=unit_round.pk)
    if not unit_round.assessments.filter(status=Status.APPROVED).exists():
        raise ValidationError(_("Chưa có đơn vị nào được phê duyệt kết quả."), code="empty")
    unit_round.is_published = True
    unit_round.is_public = public
    unit_round.published_at = timezone.now()
    unit_round.published_by = by
    unit_round._history_user = by
    unit_round.save()
    return unit_round
