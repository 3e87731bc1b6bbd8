"""The demonstration data of the province's index of its units, for `manage.py load_demo`
(after assignments/demo.py, whose accounts it uses): the example frameworks of
fixtures/unit_frameworks/ imported by the importer for 2019–2020, a few central branch
agencies, the bands and the districts' clusters, and a round per unit type and year walked
through the services (assessments/units.py) the way units, Sở Nội vụ, the council member
and the leader walk it.

- 2019 (self-assessment 1–20/11/2019): every unit approved and published; one district
  (UBND huyện Châu Thành) responded to its appraisal and Sở Nội vụ accepted the response.
- 2020 (open from 25 days before the first run to 30 days after it, as the yearly reports):
  most units approved and published, with the totals Tiền Giang published on 08/12/2020
  for the units it named (Sở Tài chính 99,95, Cục Thuế tỉnh 102,50 with its bonus, huyện
  Chợ Gạo 100,14 …); Sở Tư pháp drafting, UBND huyện Cái Bè appraised and able to respond,
  Sở Y tế and UBND huyện Gò Công Đông sent and waiting for the council member `hoidong`
  on areas 1 and 2 (Sở Nội vụ has appraised the others); Thanh tra tỉnh exempt from area 3
  (administrative procedures), its total scaled.

The other totals are drawn from a fixed seed, every text says it is demonstration data, and
the dates of the steps are set to when they would have happened. Each year's rounds are
built once: a second run changes nothing.
"""

import datetime
import random
from dataclasses import dataclass, field
from decimal import ROUND_DOWN, Decimal
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.core.management import call_command
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from assessments import services, units
from assessments.models import (
    Assessment,
    AssessmentRound,
    AssessmentTransition,
    CouncilAssignment,
    Entry,
    EntryEvidence,
)
from assessments.province import Evidence
from assignments.demo import DEMO_NOTE, demo_document
from assignments.models import Agency, EvidenceDocument, Exemption, Membership
from criteria.models import Criterion, Framework, UnitBand
from criteria.unit_frameworks import import_unit_framework, read_unit_framework

FIXTURES = Path(settings.BASE_DIR) / "fixtures" / "unit_frameworks"
Kind = Criterion.Kind
Status = Assessment.Status
UnitType = Framework.UnitType
D = Decimal

YEARS = (2019, 2020)
# unit type: the workbook, the framework's code and name; each applies to 2019 and 2020.
FRAMEWORKS = {
    UnitType.DEPARTMENT: (
        "so_ban_nganh_2020.xlsx",
        "SBN 2019-2020",
        "Bộ chỉ số CCHC các sở, ban, ngành tỉnh (minh họa)",
    ),
    UnitType.DISTRICT: (
        "ubnd_cap_huyen_2020.xlsx",
        "UBND huyện 2019-2020",
        "Bộ chỉ số CCHC UBND các huyện, thị xã, thành phố (minh họa)",
    ),
    UnitType.BRANCH: (
        "co_quan_nganh_doc_2020.xlsx",
        "Ngành dọc 2019-2020",
        "Bộ chỉ số CCHC các cơ quan ngành dọc Trung ương trên địa bàn tỉnh (minh họa)",
    ),
}

DRAFTING = "Sở Tư pháp"
RESPONDING = "UBND huyện Cái Bè"
AWAITING_COUNCIL = ("Sở Y tế", "UBND huyện Gò Công Đông")
RESPONDED_2019 = "UBND huyện Châu Thành"
EXEMPT = ("Thanh tra tỉnh", "3")
COUNCIL_AREAS = ("1", "2")  # what `hoidong` appraises in every round
PENALTY_2019 = ("Sở Xây dựng", "10.1", D(1))
# The 2020 totals Tiền Giang's People's Committee published on 08/12/2020 (issue #16).
PUBLISHED_2020 = {
    "Sở Tài chính": D("99.95"),
    "Sở Giáo dục và Đào tạo": D("89.09"),
    "Cục Thuế tỉnh": D("102.50"),
    "Kho bạc Nhà nước tỉnh": D("102.22"),
    "UBND huyện Chợ Gạo": D("100.14"),
    "UBND huyện Cai Lậy": D("100.09"),
}
CUT_REASONS = (
    "Tài liệu kiểm chứng chưa thể hiện kết quả thực hiện trong năm.",
    "Báo cáo gửi sau thời hạn quy định.",
    "Số liệu tự đánh giá chưa khớp với số liệu trên Hệ thống thông tin giải quyết TTHC.",
)
QUARTER = D("0.25")
CENT = D("0.01")


def _quarters(value: Decimal) -> Decimal:
    return (value / QUARTER).to_integral_value(rounding=ROUND_DOWN) * QUARTER


@dataclass
class Cast:
    """Who acts in the demo: the units' own accounts where they have one."""

    noivu: AbstractBaseUser
    council: AbstractBaseUser
    leader: AbstractBaseUser
    units: dict[int, AbstractBaseUser] = field(default_factory=dict)

    @classmethod
    def load(cls) -> "Cast":
        users = get_user_model().objects.in_bulk(
            ["noivu", "hoidong", "lanhdao"], field_name="username"
        )
        return cls(
            noivu=users["noivu"],
            council=users["hoidong"],
            leader=users["lanhdao"],
            units={
                m.agency_id: m.user
                for m in Membership.objects.filter(agency__isnull=False).select_related("user")
            },
        )


@transaction.atomic
def create_units_demo() -> list[int]:
    """The units' rounds of 2019 and 2020, each year once; the years it built."""
    missing = [y for y in YEARS if not AssessmentRound.objects.filter(year=y).exists()]
    if not missing:
        return []
    frameworks = _setup()
    cast = Cast.load()
    for year in missing:
        _build_year(year, frameworks, cast)
    return missing


def _setup() -> dict[str, Framework]:
    """The frameworks (through the importer, which refuses a file with any problem and
    changes nothing the second time), the branch agencies, bands, clusters, the exemption."""
    frameworks = {}
    for unit_type, (file_name, code, name) in FRAMEWORKS.items():
        if not Framework.objects.filter(code=code).exists():
            import_unit_framework(
                sheet=read_unit_framework((FIXTURES / file_name).read_bytes()),
                code=code, name=name, unit_type=unit_type, first_year=YEARS[0],
                last_year=YEARS[-1],
            )  # fmt: skip
        frameworks[unit_type] = Framework.objects.get(code=code)
    for fixture in ("branch_agencies.json", "unit_bands_2020.json", "district_clusters_2020.json"):
        call_command("loaddata", FIXTURES / fixture, verbosity=0)
    # The same bands in 2019: they are data per year, which the province may change.
    for band in UnitBand.objects.filter(year=2020):
        UnitBand.objects.get_or_create(
            year=2019, unit_type=band.unit_type, name=band.name,
            defaults={"min_score": band.min_score},
        )  # fmt: skip
    name, area = EXEMPT
    Exemption.objects.get_or_create(
        agency=Agency.objects.get(name=name),
        criterion=frameworks[UnitType.DEPARTMENT].criteria.get(code=area),
        defaults={
            "reason": f"{DEMO_NOTE}: cơ quan không có thủ tục hành chính thuộc thẩm quyền "
            "giải quyết nên không chấm lĩnh vực cải cách thủ tục hành chính."
        },
    )
    return frameworks


# -- A year -------------------------------------------------------------------------------


@dataclass
class Calendar:
    """The days of a round's steps: `today` passed to the services, and when the steps are
    dated afterwards."""

    opens_on: datetime.date
    deadline: datetime.date
    sent: datetime.date
    appraised: datetime.date
    final: datetime.date
    approved: datetime.date
    published: datetime.date
    response_days: int

    @classmethod
    def of(cls, year: int) -> "Calendar":
        if year < YEARS[-1]:
            return cls(
                opens_on=datetime.date(year, 11, 1),
                deadline=datetime.date(year, 11, 20),
                sent=datetime.date(year, 11, 15),
                appraised=datetime.date(year, 11, 27),
                final=datetime.date(year, 12, 4),
                approved=datetime.date(year, 12, 6),
                published=datetime.date(year, 12, 9),
                response_days=5,
            )
        today = timezone.localdate()
        day = datetime.timedelta(days=1)
        return cls(
            opens_on=today - 25 * day,
            deadline=today + 30 * day,
            sent=today - 20 * day,
            appraised=today - 15 * day,
            final=today - 4 * day,
            approved=today - 3 * day,
            published=today - 2 * day,
            response_days=10,
        )


def _build_year(year: int, frameworks: dict[str, Framework], cast: Cast) -> None:
    calendar = Calendar.of(year)
    for unit_type, framework in frameworks.items():
        unit_round = AssessmentRound(
            year=year, unit_type=unit_type, framework=framework, opens_on=calendar.opens_on,
            deadline=calendar.deadline, response_days=calendar.response_days,
        )  # fmt: skip
        unit_round._history_user = cast.noivu
        unit_round.save()
        for area in framework.criteria.filter(code__in=COUNCIL_AREAS):
            assignment = CouncilAssignment(unit_round=unit_round, member=cast.council, area=area)
            assignment._history_user = cast.noivu
            assignment.save()
        leaves = units.scored_criteria(framework.pk)
        for agency in Agency.objects.filter(kind=unit_type, is_active=True).order_by("name"):
            _assess(unit_round, agency, leaves, calendar, cast)
        units.publish(unit_round=unit_round, by=cast.leader, public=True)
        _date(AssessmentRound.objects.filter(pk=unit_round.pk), "published_at", calendar.published)


def _stage(year: int, name: str) -> str:
    """How far the unit's assessment goes in the demo."""
    if year < YEARS[-1]:
        return Status.APPROVED
    if name == DRAFTING:
        return Status.PROPOSED
    if name == RESPONDING:
        return Status.APPRAISED
    if name in AWAITING_COUNCIL:
        return Status.SENT
    return Status.APPROVED


def _assess(
    unit_round: AssessmentRound,
    agency: Agency,
    leaves: list[Criterion],
    calendar: Calendar,
    cast: Cast,
) -> None:
    year = unit_round.year
    stage = _stage(year, agency.name)
    by = cast.units.get(agency.pk)
    assessment = units.unit_assessment(unit_round=unit_round, agency=agency, by=by)
    exempt = units.exempt_codes(unit_round.framework_id, agency)
    applying = [c for c in leaves if not units.is_exempt(c.code, exempt)]
    card = ScoreCard.draw(unit_round.framework, agency, year, applying)
    sections = [c for c in applying if not c.is_survey]
    document = demo_document(
        agency, by, year=year, file_name="tu-danh-gia-chi-so-cchc", number="BC-TĐG",
        title=f"Báo cáo tự đánh giá Chỉ số CCHC năm {year} (dữ liệu minh họa)",
        sections=[c.code for c in sections],
    )  # fmt: skip
    pages = {c.pk: f"trang {n}" for n, c in enumerate(sections, start=2)}
    entries = _entries(assessment)
    if stage == Status.PROPOSED:  # drafting: the first two areas written, the rest to do
        entries = [e for e in entries if e.criterion.area_code in COUNCIL_AREAS]
    today = calendar.sent if stage != Status.PROPOSED else timezone.localdate()
    # One document may serve both: the draft cites the plan its yearly report links.
    shared = (
        EvidenceDocument.objects.filter(agency=agency, issued_on__year=year)
        .exclude(pk=document.pk)
        .order_by("pk")
        .first()
        if stage == Status.PROPOSED
        else None
    )
    if stage == Status.APPROVED and agency.name != RESPONDED_2019:
        # Approved without a response: the same writes in bulk (load_demo's speed).
        _bulk_walk(assessment, card, document, pages, calendar, cast, by)
        _date_steps(assessment, calendar)
        return
    for entry in entries:
        criterion = entry.criterion
        if criterion.pk not in card.proposed:
            continue
        evidence = [Evidence(document, pages[criterion.pk])]
        if shared is not None and criterion.area_code == "2":
            evidence.append(Evidence(shared, "trang 2"))
        units.save_entry(
            entry=entry, by=by, score=card.proposed[criterion.pk],
            explanation=f"{DEMO_NOTE}: đơn vị tự chấm theo kết quả thực hiện năm {year}.",
            evidence_complete=True, evidence=evidence, version=entry.version, today=today,
        )  # fmt: skip
    if stage == Status.PROPOSED:
        return
    assessment = units.send(assessment=assessment, by=by, today=today)
    _appraise(assessment, card, cast, council_too=stage != Status.SENT)
    if stage == Status.SENT:
        _date_steps(assessment, calendar)
        return
    assessment = units.complete_appraisal(
        assessment=assessment,
        by=cast.noivu,
        today=calendar.appraised if stage == Status.APPROVED else timezone.localdate(),
    )
    if stage == Status.APPRAISED:
        _date_steps(assessment, calendar, appraised_today=True)
        return
    if agency.name == RESPONDED_2019:
        _respond_and_accept(assessment, card, calendar, by, cast.noivu)
    assessment = units.finalize(assessment=assessment, by=cast.noivu, today=calendar.final)
    services.approve(assessment=assessment, by=cast.leader)
    _date_steps(assessment, calendar)


def _bulk_walk(
    assessment: Assessment,
    card: "ScoreCard",
    document: EvidenceDocument,
    pages: dict[int, str],
    calendar: Calendar,
    cast: Cast,
    by: AbstractBaseUser | None,
) -> None:
    """A unit's whole round, its entries holding what save_entry, appraise_entry and
    finalize write (checked as they check), written at once with one history row, for
    load_demo's speed; the steps of the assessment go through the services, which check
    that nothing is missing."""
    entries = _entries(assessment)
    now = timezone.now()
    for entry in entries:
        criterion = entry.criterion
        proposed, appraised = card.proposed.get(criterion.pk), card.appraised.get(criterion.pk)
        appraised = proposed if appraised is None else appraised
        units.check_score(criterion, proposed)
        units.check_score(criterion, appraised)
        if proposed is not None:
            entry.proposed_score, entry.evidence_complete, entry.decided_by = proposed, True, by
            entry.explanation = (
                f"{DEMO_NOTE}: đơn vị tự chấm theo kết quả thực hiện năm {assessment.year}."
            )
        if appraised is not None:
            entry.appraised_score, entry.appraised_at = appraised, now
            entry.appraised_by = (
                cast.council if criterion.area_code in COUNCIL_AREAS else cast.noivu
            )
        if criterion.pk in card.cuts:
            entry.appraisal_reason = f"{DEMO_NOTE}: {card.cuts[criterion.pk]}"
        entry.final_score, entry.decided_at = appraised or D(0), now
        entry.version += 1
    _bulk_save(entries, cast.noivu, [
        "proposed_score", "explanation", "evidence_complete", "decided_by", "decided_at",
        "appraised_score", "appraisal_reason", "appraised_by", "appraised_at", "final_score",
    ])  # fmt: skip
    bulk_create_with_history(
        [
            EntryEvidence(entry=e, document=document, location=pages[e.criterion_id])
            for e in entries
            if e.proposed_score is not None and e.criterion_id in pages
        ],
        EntryEvidence,
        default_user=by,
    )
    assessment = units.send(assessment=assessment, by=by, today=calendar.sent)
    assessment = units.complete_appraisal(
        assessment=assessment, by=cast.noivu, today=calendar.appraised
    )
    assessment = units.finalize(assessment=assessment, by=cast.noivu, today=calendar.final)
    services.approve(assessment=assessment, by=cast.leader)


def _bulk_save(entries: list[Entry], by: AbstractBaseUser | None, fields: list[str]) -> None:
    """Write `fields` of the entries as they are in memory (their version already raised):
    one UPDATE per distinct set of values (a few: most criteria get the same), not
    bulk_update's CASE over every row, which is slow."""
    groups: dict[tuple, list[int]] = {}
    for entry in entries:
        key = tuple(getattr(entry, f"{f}_id" if f.endswith("_by") else f) for f in fields)
        groups.setdefault(key, []).append(entry.pk)
    for values, pks in groups.items():
        Entry.objects.filter(pk__in=pks).update(
            version=F("version") + 1,
            **{
                f"{f}_id" if f.endswith("_by") else f: v
                for f, v in zip(fields, values, strict=True)
            },
        )
    Entry.history.bulk_history_create(entries, update=True, default_user=by)


def _entries(assessment: Assessment) -> list[Entry]:
    return list(
        Entry.objects.filter(assessment=assessment)
        .select_related("criterion", "assessment")
        .order_by("criterion__sort_key")
    )


def _appraise(assessment: Assessment, card: "ScoreCard", cast: Cast, *, council_too: bool) -> None:
    """Sở Nội vụ appraises every area but the council member's, who appraises his (unless
    the assessment waits for him): proposals accepted, the cuts with their reasons, the
    survey's criteria scored."""
    for entry in _entries(assessment):
        criterion = entry.criterion
        is_council = criterion.area_code in COUNCIL_AREAS
        if is_council and not council_too:
            continue
        score, reason = card.appraised.get(criterion.pk), ""
        if criterion.pk in card.cuts:
            reason = f"{DEMO_NOTE}: {card.cuts[criterion.pk]}"
        if score is None and entry.proposed_score is None:
            continue  # a bonus or penalty the unit did not claim
        units.appraise_entry(
            entry=entry, by=cast.council if is_council else cast.noivu,
            score=score, reason=reason, version=entry.version,
        )  # fmt: skip


def _respond_and_accept(
    assessment: Assessment,
    card: "ScoreCard",
    calendar: Calendar,
    by: AbstractBaseUser | None,
    noivu: AbstractBaseUser,
) -> None:
    """The unit explains its first cut criterion; Sở Nội vụ accepts the proposed score."""
    entry = next(e for e in _entries(assessment) if e.criterion_id in card.cuts)
    entry = units.respond_entry(
        entry=entry, by=by, version=entry.version, today=calendar.appraised,
        text=f"{DEMO_NOTE}: đơn vị bổ sung văn bản đã ban hành trong năm, đề nghị giữ điểm "
        "tự đánh giá.",
    )  # fmt: skip
    units.decide_final(entry=entry, by=noivu, score=entry.proposed_score, version=entry.version)


def _date(queryset, field_name: str, day: datetime.date, hour: int = 9) -> None:
    moment = timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))
    queryset.update(**{field_name: moment})


def _date_steps(
    assessment: Assessment, calendar: Calendar, *, appraised_today: bool = False
) -> None:
    """Each step dated when it would have happened, not when load_demo ran (an appraisal
    completed today keeps its time: the unit's response window starts there)."""
    steps = AssessmentTransition.objects.filter(assessment=assessment)
    if appraised_today:
        steps = steps.exclude(to_status=Status.APPRAISED)
    for status, day, hour in (
        (Status.SENT, calendar.sent, 10),
        (Status.APPRAISED, calendar.appraised, 15),
        (Status.RESPONSE, calendar.appraised + datetime.timedelta(days=2), 9),
        (Status.FINAL, calendar.final, 14),
        (Status.APPROVED, calendar.approved, 16),
    ):
        _date(steps.filter(to_status=status), "at", day, hour)
    done = Assessment.objects.filter(pk=assessment.pk)
    _date(done, "sent_at", calendar.sent, 10)
    _date(done.exclude(approved_at=None), "approved_at", calendar.approved, 16)
    entries = Entry.objects.filter(assessment=assessment)
    _date(entries, "decided_at", calendar.sent, 8)
    if not appraised_today:
        _date(entries.exclude(appraised_at=None), "appraised_at", calendar.appraised, 11)


# -- The scores ---------------------------------------------------------------------------


@dataclass
class ScoreCard:
    """A unit's scores of a year: what it proposes, what the appraisal sets (None: the
    proposal accepted) with the reasons of the cuts, drawn to reach its total."""

    proposed: dict[int, Decimal]
    appraised: dict[int, Decimal | None]
    cuts: dict[int, str]

    @classmethod
    def draw(
        cls, framework: Framework, agency: Agency, year: int, applying: list[Criterion]
    ) -> "ScoreCard":
        rng = random.Random(f"{agency.name}/{year}")
        regular = [c for c in applying if c.kind == Kind.REGULAR and not c.is_survey]
        survey = [c for c in applying if c.kind == Kind.REGULAR and c.is_survey]
        extras = [c for c in applying if c.kind != Kind.REGULAR]
        bonus, penalty, proposed = D(0), D(0), {}
        for criterion in extras:
            points = _extra_points(criterion, agency, year, rng)
            if points:
                proposed[criterion.pk] = points
                bonus += points if criterion.kind == Kind.BONUS else 0
                penalty += points if criterion.kind == Kind.PENALTY else 0
        maximum = framework.max_score
        applicable = sum((c.max_score for c in regular + survey), D(0))
        total = _target(agency, year, rng)
        goal = (total - bonus + penalty) * applicable / maximum  # the regular points, unscaled
        survey_max = sum((c.max_score for c in survey), D(0))
        ratio = min(D(1), goal / applicable + D(rng.randint(-4, 4)) / 100)
        wanted = goal - ratio * survey_max  # the regular points outside the survey
        deficit = max(D(0), sum((c.max_score for c in regular), D(0)) - wanted)
        final = {c.pk: c.max_score for c in regular}
        for criterion in rng.sample(regular, len(regular)):
            if deficit < QUARTER:
                break
            cut = min(_quarters(deficit), _quarters(criterion.max_score / 2))
            final[criterion.pk] -= cut
            deficit -= cut
        # The appraisal cuts one or two of the lowered criteria from the unit's maximum.
        lowered = [c for c in regular if final[c.pk] < c.max_score]
        cut = rng.sample(lowered, min(len(lowered), rng.choice((1, 2))))
        proposed |= {c.pk: (c.max_score if c in cut else final[c.pk]) for c in regular}
        appraised: dict[int, Decimal | None] = {
            c.pk: final[c.pk] if c in cut else None for c in regular
        }
        rest = min(survey_max, max(D(0), goal - sum(final.values(), D(0))))
        for n, criterion in enumerate(survey):
            share = rest if n == len(survey) - 1 else (rest * criterion.max_score / survey_max)
            appraised[criterion.pk] = min(criterion.max_score, share.quantize(CENT))
            rest -= appraised[criterion.pk]
        return cls(
            proposed=proposed,
            appraised=appraised,
            cuts={c.pk: CUT_REASONS[n % len(CUT_REASONS)] for n, c in enumerate(cut)},
        )


def _target(agency: Agency, year: int, rng: random.Random) -> Decimal:
    """The unit's total: the published one where known, else drawn (2020 above 2019)."""
    if year == YEARS[-1] and agency.name in PUBLISHED_2020:
        return PUBLISHED_2020[agency.name]
    before = D(random.Random(agency.name).randint(7000, 9500)) / 100
    if year < YEARS[-1]:
        return before
    if agency.kind == Agency.Kind.DEPARTMENT:
        # Between the lowest and the highest department Tiền Giang published, in the order
        # of 2019 but for a few places.
        low, high = D("89.50"), D("99.50")
        place = (before - 70) / 25 + D(rng.randint(-10, 10)) / 100
        return (low + (high - low) * min(D(1), max(D(0), place))).quantize(CENT)
    return min(D("99.50"), before + D(rng.randint(100, 600)) / 100)


def _extra_points(criterion: Criterion, agency: Agency, year: int, rng: random.Random) -> Decimal:
    """Bonus points: all of them for the units published above 100, now and then for the
    others; the penalty of one department in 2019."""
    if criterion.kind == Kind.PENALTY:
        name, code, points = PENALTY_2019
        return points if (agency.name, criterion.code, year) == (name, code, 2019) else D(0)
    if year == YEARS[-1] and PUBLISHED_2020.get(agency.name, D(0)) > 100:
        return criterion.max_score
    return _quarters(criterion.max_score / 2) if rng.random() < 0.25 else D(0)
