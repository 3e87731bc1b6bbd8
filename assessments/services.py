"""Writes of the assessment engine: the province's self-assessment of a year, decided
sub-criterion by sub-criterion from the owners' proposals, approved by a leader (which locks
the year's self-assessed scores) and unlocked with a recorded reason.

The province's decision writes two rows: its Entry (the decision with its explanation and
evidence) and the criteria.Score of kind SELF, which the score grid, the dashboards and the
exports read. The Score is written through its model (Score.save claims the row by its
version, ScoreQuerySet.update raises it, simple-history records it), so the cached pages
(criteria.caching) see the change.
"""

from decimal import Decimal

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from assessments.models import Assessment, AssessmentTransition, Entry, EntryEvidence
from assessments.province import (
    PROVINCE_ROUND,
    SENT,
    Evidence,
    is_adoptable,
    province_entries,
)
from assignments.models import EvidenceLink
from criteria.models import Criterion, Plan, Score
from criteria.templatetags.scores import score as format_score

STALE_MESSAGE = gettext_lazy(
    "Điểm này vừa được người khác cập nhật. Trang đã hiện nội dung mới nhất; "
    "xin kiểm tra và thực hiện lại."
)


def locked_message(year: int) -> str:
    return _(
        "Bản tự đánh giá năm %(year)s đã được phê duyệt nên điểm tự đánh giá đã khóa; "
        "cần lãnh đạo mở khóa trước khi sửa."
    ) % {"year": year}


def self_scores_lock(framework_id: int, year: int, kind: str) -> str | None:
    """criteria.locks: a year's self-assessed scores are locked while the province's
    self-assessment of that year is approved (one query)."""
    if kind != Score.Kind.SELF:
        return None
    approved = Assessment.objects.filter(
        framework_id=framework_id,
        year=year,
        plan__isnull=False,
        status=Assessment.Status.APPROVED,
    )
    return locked_message(year) if approved.exists() else None


@transaction.atomic
def province_assessment(*, plan: Plan, year: int) -> Assessment:
    """The province's assessment of the year, created at the first decision."""
    try:
        with transaction.atomic():
            assessment, _created = Assessment.objects.get_or_create(
                plan=plan,
                year=year,
                round=PROVINCE_ROUND,
                defaults={"framework_id": plan.framework_id},
            )
    except IntegrityError:  # created by someone else meanwhile
        assessment = Assessment.objects.get(plan=plan, year=year, round=PROVINCE_ROUND)
    return assessment


def _check_score(criterion: Criterion, score: Decimal | None) -> None:
    if score is None:
        return
    if criterion.is_survey:
        raise ValidationError(
            _("Tiêu chí %(code)s chấm qua điều tra xã hội học: tỉnh không tự đánh giá điểm."),
            params={"code": criterion.code},
            code="survey",
        )
    if not 0 <= score <= criterion.max_score:
        raise ValidationError(
            _("Điểm tự đánh giá của tiêu chí %(code)s phải từ 0 đến %(max)s."),
            params={"code": criterion.code, "max": format_score(criterion.max_score)},
            code="score",
        )


@transaction.atomic
def decide_entry(
    *,
    assessment: Assessment,
    criterion: Criterion,
    by: AbstractBaseUser,
    score: Decimal | None,
    explanation: str,
    evidence_complete: bool,
    version: int,
    evidence: list[Evidence] | None = None,
) -> Entry:
    """Decide the province's self-score of a sub-criterion, with its explanation and
    whether its evidence is complete; the year's SELF Score becomes `score` (None removes it).

    `version` is the entry's version the page showed (0: not decided yet); a decision made
    meanwhile is refused. `evidence` defaults to the owners' documents sent for the
    sub-criterion, which the decision then keeps. Refused while the assessment is approved.
    """
    assessment = Assessment.objects.select_for_update().get(pk=assessment.pk)
    if assessment.is_approved:
        raise ValidationError(locked_message(assessment.year), code="locked")
    if criterion.framework_id != assessment.framework_id or criterion.children.exists():
        raise ValidationError(
            _("Tiêu chí %(code)s không phải tiêu chí được chấm điểm của bộ chỉ số."),
            params={"code": criterion.code},
            code="criterion",
        )
    _check_score(criterion, score)
    explanation = explanation.strip()
    Entry._meta.get_field("explanation").run_validators(explanation)
    entry = _write_entry(
        assessment, criterion, by, score=score, explanation=explanation,
        evidence_complete=evidence_complete, version=version,
    )  # fmt: skip
    if evidence is None and assessment.plan_id is not None:
        evidence = _owners_evidence(assessment.plan, assessment.year, criterion)
    if evidence is not None:
        _replace_evidence(entry, evidence, by)
    if assessment.plan_id is not None:
        _write_self_score(criterion, assessment.year, score, by)
    return entry


@transaction.atomic
def decide_province_entry(
    *,
    plan: Plan,
    year: int,
    criterion: Criterion,
    by: AbstractBaseUser,
    score: Decimal | None,
    explanation: str,
    evidence_complete: bool,
    version: int,
) -> Entry:
    """decide_entry on the province's assessment of the year, created by its first decision
    (and not kept when the decision is refused)."""
    return decide_entry(
        assessment=province_assessment(plan=plan, year=year),
        criterion=criterion,
        by=by,
        score=score,
        explanation=explanation,
        evidence_complete=evidence_complete,
        version=version,
    )


def _write_entry(
    assessment: Assessment,
    criterion: Criterion,
    by: AbstractBaseUser,
    *,
    score: Decimal | None,
    explanation: str,
    evidence_complete: bool,
    version: int,
) -> Entry:
    fields = {
        "proposed_score": score,
        "explanation": explanation,
        "evidence_complete": evidence_complete,
        "decided_by": by,
        "decided_at": timezone.now(),
    }
    if version == 0:
        try:
            with transaction.atomic():
                entry = Entry(assessment=assessment, criterion=criterion, **fields)
                entry._history_user = by
                entry.save()
        except IntegrityError:
            raise ValidationError(STALE_MESSAGE, code="stale") from None
        return entry
    updated = Entry.objects.filter(
        assessment=assessment, criterion=criterion, version=version
    ).update(version=F("version") + 1, **fields)
    if not updated:
        raise ValidationError(STALE_MESSAGE, code="stale")
    entry = Entry.objects.get(assessment=assessment, criterion=criterion)
    Entry.history.bulk_history_create([entry], update=True, default_user=by)
    return entry


def _owners_evidence(plan: Plan, year: int, criterion: Criterion) -> list[Evidence]:
    links = (
        EvidenceLink.objects.filter(
            proposal__criterion=criterion,
            proposal__report__cycle__plan=plan,
            proposal__report__cycle__year=year,
            proposal__report__status__in=SENT,
        )
        .select_related("document")
        .order_by("proposal__report__agency__name", "pk")
    )
    seen, evidence = set(), []
    for link in links:
        if (link.document_id, link.location) not in seen:
            seen.add((link.document_id, link.location))
            evidence.append(Evidence(link.document, link.location))
    return evidence


def _replace_evidence(entry: Entry, evidence: list[Evidence], by: AbstractBaseUser) -> None:
    wanted = {(e.document.pk, e.location) for e in evidence}
    current = {(e.document_id, e.location): e for e in entry.evidence.all()}
    for key, row in current.items():
        if key not in wanted:
            row._history_user = by
            row.delete()
    for item in evidence:
        if (item.document.pk, item.location) not in current:
            row = EntryEvidence(entry=entry, document=item.document, location=item.location)
            row._history_user = by
            row.save()


def _write_self_score(
    criterion: Criterion, year: int, value: Decimal | None, by: AbstractBaseUser
) -> None:
    """The year's SELF Score of the criterion becomes `value`, through the model's own
    version rule (Score.save) and history, as every other writer of scores."""
    score = (
        Score.objects.select_for_update()
        .filter(criterion=criterion, year=year, kind=Score.Kind.SELF)
        .first()
    )
    if score is None:
        if value is not None:
            score = Score(
                criterion=criterion, year=year, kind=Score.Kind.SELF, value=value, entered_by=by
            )
            score._history_user = by
            score.save()
        return
    score._history_user = by
    if value is None:
        score.delete()
    elif value != score.value:
        score.value, score.entered_by = value, by
        score.save()


@transaction.atomic
def adopt_proposals(*, plan: Plan, year: int, by: AbstractBaseUser) -> list[Entry]:
    """Decide every sub-criterion not decided yet that has a sent proposed score: the
    suggested score (assessments.province: the one owner's, or the mean of several), the
    owners' explanations and evidence-complete mark and their documents.

    A sub-criterion whose self-assessed score was already typed in the score grid is left
    alone: adopting never overwrites a score someone stated.
    """
    adoptable = [item for item in province_entries(plan, year) if is_adoptable(item)]
    if not adoptable:
        return []
    assessment = province_assessment(plan=plan, year=year)
    decided = []
    for item in adoptable:
        decided.append(
            decide_entry(
                assessment=assessment,
                criterion=item.criterion,
                by=by,
                score=item.suggested_score,
                explanation=item.owners_explanation,
                evidence_complete=item.owners_evidence_complete,
                version=0,
                evidence=item.owners_evidence,
            )
        )
    return decided


def _move(assessment: Assessment, *, to: str, by: AbstractBaseUser, note: str = "") -> Assessment:
    now = timezone.now()
    approval = {"approved_by": by, "approved_at": now}
    if to != Assessment.Status.APPROVED:
        approval = {"approved_by": None, "approved_at": None}
    updated = Assessment.objects.filter(
        pk=assessment.pk, status=assessment.status, version=assessment.version
    ).update(status=to, version=F("version") + 1, updated_at=now, **approval)
    if not updated:
        raise ValidationError(
            _("Bản đánh giá vừa được người khác cập nhật. Xin mở lại trang và thực hiện lại."),
            code="stale",
        )
    AssessmentTransition.objects.create(
        assessment=assessment, from_status=assessment.status, to_status=to, by=by, note=note
    )
    assessment.refresh_from_db()
    Assessment.history.bulk_history_create([assessment], update=True, default_user=by)
    return assessment


@transaction.atomic
def approve(*, assessment: Assessment, by: AbstractBaseUser) -> Assessment:
    """A leader approves the assessment, which locks it and (for the province) the year's
    self-assessed scores in every page that writes them."""
    assessment = Assessment.objects.select_for_update().get(pk=assessment.pk)
    if not assessment.can_move_to(Assessment.Status.APPROVED):
        raise ValidationError(
            _("Bản đánh giá đang ở trạng thái “%(status)s”, chưa phê duyệt được."),
            params={"status": assessment.get_status_display()},
            code="status",
        )
    return _move(assessment, to=Assessment.Status.APPROVED, by=by)


@transaction.atomic
def unlock(*, assessment: Assessment, by: AbstractBaseUser, reason: str) -> Assessment:
    """A leader unlocks an approved assessment, with a reason that is recorded; it goes back
    to the status it was approved from."""
    assessment = Assessment.objects.select_for_update().get(pk=assessment.pk)
    if not assessment.is_approved:
        raise ValidationError(_("Bản đánh giá chưa được phê duyệt, không cần mở khóa."))
    reason = reason.strip()
    if not reason:
        raise ValidationError(_("Cần ghi lý do mở khóa."), code="reason")
    AssessmentTransition._meta.get_field("note").run_validators(reason)
    approval = (
        assessment.transitions.filter(to_status=Assessment.Status.APPROVED)
        .order_by("-at", "-pk")
        .first()
    )
    back = approval.from_status if approval else Assessment.Status.PROPOSED
    return _move(assessment, to=back, by=by, note=reason)
