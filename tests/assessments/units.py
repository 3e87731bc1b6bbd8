"""The province's index of its units as the tests build it: the example frameworks loaded
from fixtures/unit_frameworks/*.xlsx, rounds, units and their walk through a round."""

import datetime
from decimal import Decimal
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractUser, Group

from assessments import services, units
from assessments.models import Assessment, AssessmentRound, Entry
from assignments.models import Agency, Membership, Role
from criteria.models import Criterion, Framework
from criteria.unit_frameworks import import_unit_framework, read_unit_framework

FIXTURES = Path(settings.BASE_DIR) / "fixtures" / "unit_frameworks"
FILES = {
    "department": "so_ban_nganh_2020.xlsx",
    "district": "ubnd_cap_huyen_2020.xlsx",
    "branch": "co_quan_nganh_doc_2020.xlsx",
}
OPENS = datetime.date(2021, 1, 5)
DEADLINE = datetime.date(2021, 1, 31)
IN_WINDOW = datetime.date(2021, 1, 20)
AFTER_RESPONSES = datetime.date(2021, 3, 1)


def load_framework(unit_type: str, year: int = 2020) -> Framework:
    sheet = read_unit_framework((FIXTURES / FILES[unit_type]).read_bytes())
    import_unit_framework(
        sheet=sheet, code=f"{unit_type}-{year}", name=f"Bộ chỉ số {unit_type}",
        unit_type=unit_type, first_year=year, last_year=year,
    )  # fmt: skip
    return Framework.objects.get(code=f"{unit_type}-{year}")


def make_round(framework: Framework, year: int = 2020, **fields) -> AssessmentRound:
    return AssessmentRound.objects.create(
        **{
            "year": year,
            "unit_type": framework.unit_type,
            "framework": framework,
            "opens_on": OPENS.replace(year=year + 1),
            "deadline": DEADLINE.replace(year=year + 1),
            "response_days": 5,
        }
        | fields
    )


def user(username: str, role: Role, agency: Agency | None = None) -> AbstractUser:
    person = get_user_model().objects.create_user(username=username, password="x")
    person.groups.add(Group.objects.get(name=role.value))
    if agency is not None:
        Membership.objects.create(user=person, agency=agency)
    return person


def criterion(framework: Framework, code: str) -> Criterion:
    return framework.criteria.get(code=code)


def self_assess(
    assessment: Assessment, by: AbstractUser, scores: dict[str, str], today: datetime.date
) -> None:
    """Every regular criterion the unit scores itself at its maximum, bonus and penalty as
    `scores` says (codes there override)."""
    for entry in assessment.entries.select_related("criterion"):
        criterion = entry.criterion
        if criterion.is_survey:
            continue
        if criterion.code in scores:
            value = Decimal(scores[criterion.code])
        elif criterion.kind == Criterion.Kind.REGULAR:
            value = criterion.max_score
        else:
            continue
        units.save_entry(
            entry=entry, by=by, score=value, explanation=f"Giải trình {criterion.code}",
            evidence_complete=True, evidence=[], version=entry.version, today=today,
        )  # fmt: skip


def appraise_all(
    assessment: Assessment, by: AbstractUser, cuts: dict[str, str], today: datetime.date
) -> None:
    """Accept every proposal but `cuts` (appraised with a reason); survey criteria are
    appraised at their maximum; then close the appraisal."""
    for entry in assessment.entries.select_related("criterion"):
        code = entry.criterion.code
        if code in cuts:
            score, reason = Decimal(cuts[code]), f"Thiếu tài liệu cho {code}"
        elif entry.criterion.is_survey:
            score, reason = entry.criterion.max_score, ""
        elif entry.proposed_score is None:
            continue
        else:
            score, reason = None, ""
        units.appraise_entry(entry=entry, by=by, score=score, reason=reason, version=entry.version)
    units.complete_appraisal(assessment=assessment, by=by, today=today)


def walk(
    unit_round: AssessmentRound,
    agency: Agency,
    *,
    unit_user: AbstractUser,
    staff: AbstractUser,
    leader: AbstractUser,
    scores: dict[str, str] | None = None,
    cuts: dict[str, str] | None = None,
) -> Assessment:
    """A unit's whole round: self-assess, send, appraisal, final scores, approval."""
    year = unit_round.year + 1
    assessment = units.unit_assessment(unit_round=unit_round, agency=agency)
    self_assess(assessment, unit_user, scores or {}, IN_WINDOW.replace(year=year))
    units.send(assessment=assessment, by=unit_user, today=IN_WINDOW.replace(year=year))
    appraise_all(assessment, staff, cuts or {}, today=datetime.date(year, 2, 1))
    units.finalize(assessment=assessment, by=staff, today=AFTER_RESPONSES.replace(year=year))
    return services.approve(assessment=assessment, by=leader)


def entry(assessment: Assessment, code: str) -> Entry:
    return assessment.entries.select_related("criterion").get(criterion__code=code)
