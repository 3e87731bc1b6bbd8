"""Data for the benchmarks: the seed (×1) and a generated province ten and a hundred times larger.

×1 is the real seed: fixtures/seed_plan.json and agencies.json, the appendix imported
through the import service, the tasks fixture when the repository has it, and made-up
scores for the plan's years. ×10 and ×100 are generated with bulk_create, without
history rows (the pages read none). Every generated value is deterministic.

Each report's narrative carries the marker "BENCH-AGENCY-<pk>-MARK" of its agency, so the
load test can see whether an agency user was ever shown another agency's data.
"""

import datetime
import random
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.db import connection, transaction

from assignments.models import (
    Agency,
    AgencyGroup,
    ContentArea,
    Evidence,
    EvidenceDocument,
    EvidenceLink,
    Membership,
    Report,
    ReportingCycle,
    ReportTransition,
    ReportValue,
    Responsibility,
    Role,
    ScoreProposal,
    Task,
    TaskTarget,
    YearlyReport,
)
from criteria.importers import read_appendix
from criteria.models import (
    Action,
    Criterion,
    Framework,
    IndexResult,
    NationalGroup,
    NationalResult,
    NationalTable,
    Plan,
    Province,
    Score,
    Target,
)
from criteria.ranking import competition_ranks
from criteria.services import import_appendix

FIXTURES = Path(settings.BASE_DIR) / "fixtures"
SEED_APPENDIX = FIXTURES / "appendix_252_KH-UBND.xlsx"
TASKS_FIXTURE = FIXTURES / "tasks_252.json"
PASSWORD = "bench-password-2026"
BATCH = 2000


def agency_marker(agency_id: int) -> str:
    return f"BENCH-AGENCY-{agency_id}-MARK"


@dataclass(frozen=True)
class Shape:
    """How big a generated province is."""

    agencies: int
    tree: tuple[int, int, int]  # areas, criteria per area, sub-criteria per criterion
    old_frameworks: int  # earlier frameworks, each with a seed-sized tree and two plans
    first_year: int  # the first year with scores; the current plan ends in LAST_YEAR
    tasks: int  # tasks of section II of the current plan
    leads_per_task: int = 2


LAST_YEAR = 2025
SHAPES = {
    10: Shape(agencies=310, tree=(10, 6, 5), old_frameworks=1, first_year=2012, tasks=390),
    100: Shape(agencies=800, tree=(10, 10, 10), old_frameworks=3, first_year=2001, tasks=3900),
}


@dataclass
class Dataset:
    """What a scale built, and the objects the pages are requested with."""

    scale: int
    plan: Plan
    year: int
    agency: Agency  # an agency with reports in the year, for its workspace
    leaf: Criterion | None = None  # a leaf of the current tree, for the score row save
    users: dict[str, object] = field(default_factory=dict)  # persona -> user
    agency_users: list[tuple[str, int]] = field(default_factory=list)  # (username, agency pk)
    counts: dict[str, int] = field(default_factory=dict)
    unit_year: int = 0  # the latest year of the units' index
    unit_agency: Agency | None = None  # a department ranked in it


def build(scale: int) -> Dataset:
    """Fill the (empty, migrated) database for a scale and say what is in it."""
    with transaction.atomic():
        plan, year = _seed() if scale == 1 else _generated(SHAPES[scale])
        _cycles_and_reports(plan, scale)
        dataset = _users(plan, year, scale)
        dataset.unit_year, dataset.unit_agency = _unit_index(scale)
    # A database in service has its tables' statistics kept up to date (autovacuum); one
    # filled a moment ago has none, and the query planner would choose from guesses.
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    dataset.counts = counts()
    return dataset


def counts() -> dict[str, int]:
    from assessments.models import Assessment, Entry
    from assignments.models import Exemption

    models = {
        "agencies": Agency,
        "frameworks": Framework,
        "plans": Plan,
        "criteria": Criterion,
        "scores": Score,
        "targets": Target,
        "index results": IndexResult,
        "national results": NationalResult,
        "responsibilities": Responsibility,
        "tasks": Task,
        "cycles": ReportingCycle,
        "yearly reports": YearlyReport,
        "reports": Report,
        "score proposals": ScoreProposal,
        "evidence": Evidence,
        "evidence documents": EvidenceDocument,
        "evidence links": EvidenceLink,
        "users": get_user_model(),
        "assessments (province and units)": Assessment,
        "assessment entries": Entry,
        "units' exemptions": Exemption,
    }
    return {name: model.objects.count() for name, model in models.items()}


# -- ×1: the seed ------------------------------------------------------------------------


def _seed() -> tuple[Plan, int]:
    call_command("loaddata", FIXTURES / "seed_plan.json", verbosity=0)
    call_command("loaddata", FIXTURES / "agencies.json", verbosity=0)
    plan = Plan.objects.select_related("framework").get(number="252/KH-UBND")
    import_appendix(table=read_appendix(SEED_APPENDIX.read_bytes()), plan=plan)
    if TASKS_FIXTURE.exists():
        call_command("loaddata", TASKS_FIXTURE, verbosity=0)
    call_command("loaddata", FIXTURES / "provinces.json", verbosity=0)
    call_command("loaddata", FIXTURES / "national_results.json", verbosity=0)
    criteria = list(Criterion.objects.filter(framework=plan.framework).for_tree())
    rng = random.Random(1)
    _scores(criteria, range(plan.first_year, plan.last_year + 1), rng)
    if not Responsibility.objects.exists():
        _responsibilities(plan, criteria, list(Agency.objects.all()), rng)
    if not Task.objects.exists():
        _tasks(plan, 39, list(Agency.objects.all()), criteria, 1, rng)
    return plan, plan.last_year


# -- ×10, ×100: generated -----------------------------------------------------------------


def _generated(shape: Shape) -> tuple[Plan, int]:
    rng = random.Random(shape.agencies)
    call_command("loaddata", FIXTURES / "agencies.json", verbosity=0)
    agencies = _more_agencies(shape.agencies)
    years_per_old = 5
    first_current = shape.first_year + years_per_old * shape.old_frameworks
    for number in range(shape.old_frameworks):
        first = shape.first_year + years_per_old * number
        framework = Framework.objects.create(
            code=f"QĐ {number + 1}/BENCH",
            name=f"Bộ chỉ số thử nghiệm {number + 1}",
            first_year=first,
            last_year=first + years_per_old - 1,
        )
        criteria = _tree(framework, (8, 5, 2), rng)
        _plans(framework, criteria, first, first + years_per_old - 1, rng)
        _scores(criteria, range(first, first + years_per_old), rng)
    framework = Framework.objects.create(
        code="QĐ BENCH/hiện hành", name="Bộ chỉ số hiện hành", first_year=first_current
    )
    criteria = _tree(framework, shape.tree, rng)
    plan = _plans(framework, criteria, first_current, LAST_YEAR, rng)
    _scores(criteria, range(first_current, LAST_YEAR + 1), rng)
    _index_results(shape.first_year, LAST_YEAR, rng)
    _national_tables(shape.first_year, LAST_YEAR, rng)
    _responsibilities(plan, criteria, agencies, rng)
    _tasks(plan, shape.tasks, agencies, criteria, shape.leads_per_task, rng)
    return plan, LAST_YEAR


def _more_agencies(total: int) -> list[Agency]:
    """The real agencies, then made-up communes under the real districts up to `total`."""
    districts = list(Agency.objects.filter(kind=Agency.Kind.DISTRICT))
    missing = total - Agency.objects.count()
    communes = [
        Agency(
            name=f"UBND xã Thử Nghiệm {number}",
            short_name=f"X. TN{number}",
            kind=Agency.Kind.COMMUNE,
            parent=districts[number % len(districts)],
        )
        for number in range(1, missing + 1)
    ]
    Agency.objects.bulk_create(communes, batch_size=BATCH)
    return list(Agency.objects.all())


def _tree(framework: Framework, shape: tuple[int, int, int], rng: random.Random) -> list:
    """Areas, criteria and sub-criteria; leaves are worth 0.5 to 2 points, parents the sum."""
    areas, per_area, per_criterion = shape
    leaf_max = [Decimal("0.5"), Decimal(1), Decimal("1.5"), Decimal(2)]
    levels: list[list[Criterion]] = [[], [], []]
    for a in range(1, areas + 1):
        levels[0].append(_criterion(framework, f"{a}", Decimal(0), rng))
        for c in range(1, per_area + 1):
            levels[1].append(_criterion(framework, f"{a}.{c}", Decimal(0), rng))
            for s in range(1, per_criterion + 1):
                maximum = leaf_max[(a + c + s) % len(leaf_max)]
                levels[2].append(_criterion(framework, f"{a}.{c}.{s}", maximum, rng))
    for child_level, parent_level in ((levels[2], levels[1]), (levels[1], levels[0])):
        by_code = {parent.code: parent for parent in parent_level}
        for child in child_level:
            by_code[child.code.rpartition(".")[0]].max_score += child.max_score
    created: dict[str, Criterion] = {}
    for level in levels:
        for criterion in level:
            parent_code = criterion.parent_code
            criterion.parent = created[parent_code] if parent_code else None
        Criterion.objects.bulk_create(level, batch_size=BATCH)
        created.update({criterion.code: criterion for criterion in level})
    return [criterion for level in levels for criterion in level]


def _criterion(framework: Framework, code: str, maximum: Decimal, rng: random.Random) -> Criterion:
    depth = code.count(".")
    kind = ["Lĩnh vực", "Tiêu chí", "Tiêu chí thành phần"][depth]
    criterion = Criterion(
        framework=framework,
        code=code,
        title=f"{kind} {code}: tỷ lệ hồ sơ thủ tục hành chính giải quyết đúng hạn và công khai",
        max_score=maximum,
        is_survey=depth == 2 and rng.random() < 0.15,
    )
    criterion.fill_derived()
    return criterion


def _plans(framework: Framework, criteria: list, first: int, last: int, rng: random.Random) -> Plan:
    """Two plans on a framework, the later one from its middle to `last`; returns the later."""
    middle = (first + last) // 2
    plans = []
    for number, (baseline, start, end) in enumerate(
        [(first, first + 1, middle), (middle, middle + 1, last)], start=1
    ):
        plan = Plan.objects.create(
            number=f"{number}/KH-{framework.code}",
            title=f"Kế hoạch nâng cao Chỉ số CCHC giai đoạn {start}-{end}",
            issued_on=datetime.date(baseline, 9, 19),
            province="Tỉnh Thử Nghiệm",
            framework=framework,
            baseline_year=baseline,
            first_year=start,
            last_year=end,
        )
        spans = [(start, start), (start + 1, end)] if end > start else [(start, end)]
        targets = [
            Target(
                plan=plan,
                criterion=criterion,
                first_year=span_first,
                last_year=span_last,
                min_score=(criterion.max_score * Decimal("0.8")).quantize(Decimal("0.01"))
                if criterion
                else Decimal(85),
                max_score=criterion.max_score if criterion else Decimal(90),
            )
            for criterion in [None, *criteria]
            for span_first, span_last in spans
        ]
        Target.objects.bulk_create(targets, batch_size=BATCH)
        actions = [
            Action(
                plan=plan,
                criterion=criterion,
                text=f"- Sở Nội vụ chủ trì, phối hợp các sở, ban, ngành tỉnh: {criterion.code}\n"
                "- UBND cấp huyện triển khai, báo cáo kết quả",
            )
            for criterion in criteria
        ]
        Action.objects.bulk_create(actions, batch_size=BATCH)
        plans.append(plan)
    return Plan.objects.select_related("framework").get(pk=plans[-1].pk)


def _scores(criteria: list, years: range, rng: random.Random) -> None:
    """A self-assessed and an official score for every leaf and year (none self for survey)."""
    parent_ids = {criterion.parent_id for criterion in criteria}
    existing = set(
        Score.objects.filter(criterion__in=criteria, year__in=years).values_list(
            "criterion_id", "year", "kind"
        )
    )
    scores = []
    for criterion in criteria:
        if criterion.id in parent_ids:
            continue
        for year in years:
            official = (criterion.max_score * Decimal(rng.randint(40, 100)) / 100).quantize(
                Decimal("0.25")
            )
            kinds = {Score.Kind.OFFICIAL: min(official, criterion.max_score)}
            if not criterion.is_survey:
                kinds[Score.Kind.SELF] = criterion.max_score
            for kind, value in kinds.items():
                if (criterion.id, year, kind) not in existing:
                    scores.append(Score(criterion=criterion, year=year, kind=kind, value=value))
    Score.objects.bulk_create(scores, batch_size=BATCH)


def _index_results(first: int, last: int, rng: random.Random) -> None:
    """The published index of 63 provinces for every year, ours among them."""
    provinces = ["Tỉnh Thử Nghiệm"] + [f"Tỉnh khác {number}" for number in range(1, 63)]
    results = [
        IndexResult(
            province=province,
            year=year,
            total=Decimal(rng.randint(6000, 9000)) / 100,
            rank=rank,
        )
        for year in range(first, last + 1)
        for rank, province in enumerate(rng.sample(provinces, len(provinces)), start=1)
    ]
    IndexResult.objects.bulk_create(results, batch_size=BATCH)


def _national_tables(first: int, last: int, rng: random.Random) -> None:
    """Full national tables of 63 provinces for every year (×100: 25 years), groups stated;
    the generated plan's "Tỉnh Thử Nghiệm" stands in for Tiền Giang."""
    call_command("loaddata", FIXTURES / "provinces.json", verbosity=0)
    Province.objects.filter(name="Tiền Giang").update(name="Thử Nghiệm")
    provinces = list(Province.objects.all())
    for year in range(first, last + 1):
        table = NationalTable.objects.create(year=year, citation="Số liệu sinh cho bench")
        totals = {p.pk: Decimal(rng.randint(6000, 9300)) / 100 for p in provinces}
        ranks = competition_ranks(totals)
        NationalResult.objects.bulk_create(
            [
                NationalResult(
                    table=table,
                    province_id=pk,
                    total=total,
                    rank=ranks[pk],
                    group="A" if total >= 90 else "B" if total >= 80 else "C",
                    sipas_percent=Decimal(rng.randint(7000, 9500)) / 100,
                    sipas_rank=rng.randint(1, 63),
                )
                for pk, total in totals.items()
            ],
            batch_size=BATCH,
        )
        NationalGroup.objects.bulk_create(
            [
                NationalGroup(table=table, code=code, min_index=Decimal(bound))
                for code, bound in (("A", 90), ("B", 80), ("C", 0))
            ]
        )


def _responsibilities(
    plan: Plan, criteria: list, agencies: list[Agency], rng: random.Random
) -> None:
    rows = [
        Responsibility(plan=plan, criterion=criterion, is_recognised=True) for criterion in criteria
    ]
    Responsibility.objects.bulk_create(rows, batch_size=BATCH)
    lead_of = {row.pk: rng.choice(agencies) for row in rows}
    Responsibility.leads.through.objects.bulk_create(
        [
            Responsibility.leads.through(responsibility_id=pk, agency_id=agency.pk)
            for pk, agency in lead_of.items()
        ],
        batch_size=BATCH,
    )
    through = Responsibility.supporting.through
    links = {
        (row.pk, agency.pk)
        for row in rows
        for agency in rng.sample(agencies, 2)
        if agency != lead_of[row.pk]
    }
    through.objects.bulk_create(
        [through(responsibility_id=row, agency_id=agency) for row, agency in links],
        batch_size=BATCH,
    )


def _tasks(
    plan: Plan,
    total: int,
    agencies: list[Agency],
    criteria: list,
    leads_per_task: int,
    rng: random.Random,
) -> None:
    """Section II: nine content areas, `total` tasks with leads, coordinators, criteria, targets."""
    areas = ContentArea.objects.bulk_create(
        [
            ContentArea(plan=plan, number=number, title=f"Nội dung {number}")
            for number in range(1, 10)
        ]
    )
    tasks = [
        Task(
            content_area=areas[index % len(areas)],
            number=index // len(areas) + 1,
            text=f"Nhiệm vụ {index + 1}: rà soát, đơn giản hóa thủ tục hành chính thuộc thẩm quyền",
        )
        for index in range(total)
    ]
    Task.objects.bulk_create(tasks, batch_size=BATCH)
    groups = list(AgencyGroup.objects.all())
    leads, coordinators, named_groups, served = set(), set(), set(), set()
    for index, task in enumerate(tasks):
        for offset in range(leads_per_task):
            leads.add((task.pk, agencies[(index * leads_per_task + offset) % len(agencies)].pk))
        coordinators.update((task.pk, agency.pk) for agency in rng.sample(agencies, 2))
        named_groups.update((task.pk, group.pk) for group in rng.sample(groups, 2))
        served.update((task.pk, criterion.pk) for criterion in rng.sample(criteria, 2))
    for relation, pairs, column in (
        (Task.lead_agencies.through, leads, "agency_id"),
        (Task.coordinating_agencies.through, coordinators, "agency_id"),
        (Task.coordinating_groups.through, named_groups, "agencygroup_id"),
        (Task.criteria.through, served, "criterion_id"),
    ):
        relation.objects.bulk_create(
            [relation(task_id=task, **{column: other}) for task, other in pairs],
            batch_size=BATCH,
        )
    TaskTarget.objects.bulk_create(
        [
            TaskTarget(
                task=task,
                description="Tỷ lệ hồ sơ giải quyết đúng hạn",
                comparator=TaskTarget.Comparator.AT_LEAST,
                value=Decimal(95),
                first_year=plan.first_year,
                last_year=plan.last_year,
            )
            for task in tasks[::2]
        ],
        batch_size=BATCH,
    )


def _cycles_and_reports(plan: Plan, scale: int) -> None:
    """A cycle for each year of the plan and, in every cycle, one yearly report per agency
    that leads a task or owns a sub-criterion: a task section per task it leads, and a
    proposed score per sub-criterion it leads, with evidence links (models/yearly.py).

    Past cycles are accepted. The last one is the current cycle and today is its deadline
    day; its reports go draft, draft, submitted, accepted by agency. Sent task sections have
    one piece of evidence; sent proposals link one document of the agency's library, or
    (one in three) none and an explanation.
    """
    today = datetime.date.today()
    cycles = ReportingCycle.objects.bulk_create(
        [
            ReportingCycle(plan=plan, year=year, deadline=datetime.date(year, 11, 25))
            for year in range(plan.first_year, plan.last_year + 1)
        ]
    )
    cycles[-1].deadline = max(cycles[-1].deadline, today)
    cycles[-1].save(update_fields=["deadline"])
    leads = list(
        Task.lead_agencies.through.objects.filter(task__content_area__plan=plan)
        .order_by("pk")
        .values_list("task_id", "agency_id")
    )
    owners = list(
        Responsibility.leads.through.objects.filter(
            responsibility__plan=plan, responsibility__criterion__children__isnull=True
        )
        .order_by("responsibility__criterion__sort_key", "agency_id")
        .values_list(
            "responsibility__criterion_id",
            "responsibility__criterion__max_score",
            "responsibility__criterion__is_survey",
            "agency_id",
        )
    )
    agency_ids = sorted({agency for _task, agency in leads} | {row[3] for row in owners})
    statuses = [
        Report.Status.DRAFT,
        Report.Status.DRAFT,
        Report.Status.SUBMITTED,
        Report.Status.ACCEPTED,
    ]
    yearly_reports = YearlyReport.objects.bulk_create(
        [
            YearlyReport(
                cycle=cycle,
                agency_id=agency_id,
                status=status,
                general_status=status,
                difficulties=f"{agency_marker(agency_id)} Thiếu công chức làm công tác CCHC "
                f"năm {cycle.year}; phần mềm một cửa chưa liên thông.",
                proposals="Bổ sung kinh phí số hóa hồ sơ; tập huấn nghiệp vụ cho công chức.",
                submitted_at=None
                if status == Report.Status.DRAFT
                else datetime.datetime.combine(
                    cycle.deadline, datetime.time(9), tzinfo=datetime.UTC
                ),
            )
            for cycle in cycles
            for index, agency_id in enumerate(agency_ids)
            for status in [statuses[index % len(statuses)] if cycle is cycles[-1] else "accepted"]
        ],
        batch_size=BATCH,
    )
    yearly_of = {(y.cycle_id, y.agency_id): y for y in yearly_reports}
    reports = []
    for cycle in cycles:
        for task_id, agency_id in leads:
            yearly = yearly_of[(cycle.pk, agency_id)]
            reports.append(
                Report(
                    cycle=cycle,
                    agency_id=agency_id,
                    task_id=task_id,
                    yearly=yearly,
                    status=yearly.status,
                    progress=Report.Progress.IN_PROGRESS,
                    narrative=f"{agency_marker(agency_id)} Đã triển khai nhiệm vụ {task_id} "
                    f"năm {cycle.year}: ban hành kế hoạch, kiểm tra, báo cáo kết quả.",
                )
            )
    Report.objects.bulk_create(reports, batch_size=BATCH)
    targets = dict(
        TaskTarget.objects.filter(task__content_area__plan=plan).values_list("task", "pk")
    )
    ReportValue.objects.bulk_create(
        [
            ReportValue(report=report, target_id=targets[report.task_id], value=Decimal(97))
            for report in reports
            if report.task_id in targets
        ],
        batch_size=BATCH,
    )
    sent = [report for report in reports if report.status != Report.Status.DRAFT]
    ReportTransition.objects.bulk_create(
        [
            ReportTransition(
                report=report, from_status=Report.Status.DRAFT, to_status=Report.Status.SUBMITTED
            )
            for report in sent
        ],
        batch_size=BATCH,
    )
    Evidence.objects.bulk_create(
        [
            Evidence(
                report=report,
                file=f"evidence/{report.cycle.year}/bench-{report.pk}.pdf",
                original_name=f"minh-chung-{report.pk}.pdf",
                content_type="application/pdf",
                size=1024,
            )
            for report in sent
        ],
        batch_size=BATCH,
    )
    _proposals(cycles, owners, yearly_of)


def _proposals(cycles: list, owners: list[tuple], yearly_of: dict) -> None:
    """The proposed scores of every yearly report, and the agencies' libraries: two
    documents per owning agency, the sent proposals linked to one of them."""
    documents = EvidenceDocument.objects.bulk_create(
        [
            EvidenceDocument(
                agency_id=agency_id,
                number=f"{number}/KH-BENCH{agency_id}",
                issued_on=datetime.date(cycles[-1].year, number, 15),
                issuer="UBND tỉnh Thử Nghiệm",
                title="Kế hoạch cải cách hành chính và báo cáo kết quả thực hiện",
                file=f"evidence/library/{agency_id}/bench-{number}.pdf",
                original_name=f"ke-hoach-{number}.pdf",
                content_type="application/pdf",
                size=1024,
            )
            for agency_id in sorted({row[3] for row in owners})
            for number in (1, 2)
        ],
        batch_size=BATCH,
    )
    library = defaultdict(list)
    for document in documents:
        library[document.agency_id].append(document)
    proposals = []
    for cycle in cycles:
        for index, (criterion_id, maximum, is_survey, agency_id) in enumerate(owners):
            yearly = yearly_of[(cycle.pk, agency_id)]
            has_evidence = index % 3 != 0
            proposals.append(
                ScoreProposal(
                    report=yearly,
                    criterion_id=criterion_id,
                    score=None if is_survey else maximum,
                    evidence_complete=has_evidence,
                    explanation=""
                    if has_evidence
                    else f"{agency_marker(agency_id)} Văn bản đang trình ký, sẽ bổ sung.",
                    status=yearly.status,
                )
            )
    ScoreProposal.objects.bulk_create(proposals, batch_size=BATCH)
    EvidenceLink.objects.bulk_create(
        [
            EvidenceLink(
                document=library[proposal.report.agency_id][index % 2],
                criterion_id=proposal.criterion_id,
                proposal=proposal,
                location=f"Mục II.{index % 7 + 1}, trang {index % 20 + 1}",
            )
            for index, proposal in enumerate(proposals)
            if proposal.status != Report.Status.DRAFT and proposal.evidence_complete
        ],
        batch_size=BATCH,
    )


def _users(plan: Plan, year: int, scale: int) -> Dataset:
    """The three staff personas and one user per agency, all with the same password."""
    users = get_user_model()
    password = make_password(PASSWORD)  # hashed once: the hasher is slow on purpose
    personas = {
        "admin": (Role.ADMINISTRATOR, True),
        "noivu": (Role.NOIVU_STAFF, True),
        "lanhdao": (Role.LEADER, False),
    }
    created = {}
    for username, (role, is_staff) in personas.items():
        user = users.objects.create(
            username=username,
            password=password,
            is_staff=is_staff,
            is_superuser=role == Role.ADMINISTRATOR,
        )
        user.groups.add(Group.objects.get(name=role.value))
        Membership.objects.create(user=user)
        created[username] = user
    agencies = list(Agency.objects.order_by("pk"))
    agency_users = users.objects.bulk_create(
        [users(username=f"donvi{agency.pk}", password=password) for agency in agencies],
        batch_size=BATCH,
    )
    Membership.objects.bulk_create(
        [
            Membership(user=user, agency=agency)
            for user, agency in zip(agency_users, agencies, strict=True)
        ],
        batch_size=BATCH,
    )
    group = Group.objects.get(name=Role.AGENCY_USER.value)
    through = users.groups.through
    through.objects.bulk_create(
        [through(user_id=user.pk, group_id=group.pk) for user in agency_users], batch_size=BATCH
    )
    busiest = (
        Report.objects.filter(cycle__plan=plan, cycle__year=year)
        .values_list("agency", flat=True)
        .order_by("agency")
        .first()
    )
    agency = Agency.objects.get(pk=busiest)
    created["agency"] = next(u for u, a in zip(agency_users, agencies, strict=True) if a == agency)
    return Dataset(
        scale=scale,
        plan=plan,
        year=year,
        agency=agency,
        users=created,
        agency_users=[(u.username, a.pk) for u, a in zip(agency_users, agencies, strict=True)],
    )


# -- The province's index of its units -------------------------------------------------

# Departments ranked and years of rounds: ×1 3 over a year, ×10 30 over 10, ×100 300 over 10.
UNIT_INDEX = {1: (3, 1), 10: (30, 10), 100: (300, 10)}
# One unit in ten (the second, the twelfth …) has no administrative procedures: it is exempt
# from area 3 and its total is scaled; one in twenty-five from criterion 6.1 as well.
EXEMPT_AREA, EXEMPT_CRITERION = "3", "6.1"


def _unit_exemptions(agencies: list[Agency], framework: Framework) -> dict[int, set[str]]:
    from assignments.models import Exemption

    codes = {}
    for number, agency in enumerate(agencies):
        exempt = set()
        if number % 10 == 1:
            exempt.add(EXEMPT_AREA)
        if number % 25 == 1:
            exempt.add(EXEMPT_CRITERION)
        if exempt:
            codes[agency.pk] = exempt
    criteria = dict(
        Criterion.objects.filter(
            framework=framework, code__in=[EXEMPT_AREA, EXEMPT_CRITERION]
        ).values_list("code", "pk")
    )
    Exemption.objects.bulk_create(
        [
            Exemption(
                agency_id=agency_id,
                criterion_id=criteria[code],
                reason="Đơn vị không có thủ tục hành chính thuộc thẩm quyền giải quyết.",
            )
            for agency_id, exempt in codes.items()
            for code in sorted(exempt)
        ],
        batch_size=BATCH,
    )
    return codes


def _unit_entry(assessment, leaf: Criterion, rng: random.Random):
    """A final entry as a round leaves it: regular criteria self-scored (survey ones scored by
    the survey), a third cut at appraisal with a reason; bonus points for a unit in three,
    a penalty for one in seven, nothing otherwise."""
    from assessments.models import Entry

    maximum = leaf.max_score
    proposed, final, reason = maximum, maximum, ""
    if leaf.kind == Criterion.Kind.REGULAR:
        if leaf.is_survey:
            proposed = None
            final = (maximum * Decimal(rng.randint(70, 95)) / 100).quantize(Decimal("0.01"))
        elif rng.random() < 0.35:
            final = (maximum * Decimal(rng.randint(40, 90)) / 100).quantize(Decimal("0.25"))
            reason = "Thiếu tài liệu kiểm chứng; kế hoạch ban hành chậm so với quy định."
    elif leaf.kind == Criterion.Kind.BONUS:
        proposed = maximum if rng.random() < 0.4 else Decimal(0)
        final = proposed if rng.random() < 0.8 else Decimal(0)
        reason = "Sáng kiến chưa được cấp có thẩm quyền công nhận." if final != proposed else ""
    else:  # a penalty: the points deducted, as a positive number
        proposed = final = maximum / 2 if rng.random() < 0.15 else Decimal(0)
    return Entry(
        assessment=assessment,
        criterion=leaf,
        proposed_score=proposed,
        appraised_score=final,
        appraisal_reason=reason,
        final_score=final,
    )


def _unit_index(scale: int) -> tuple[int, Agency]:
    """The departments' framework (fixtures/unit_frameworks) and a round per year, published
    and public, with the bands of the year and two clusters of half the units each; every
    unit approved with an entry for every criterion that applies to it (assessments.units:
    none for its exemptions), final scores made up by _unit_entry."""
    from assessments.models import Assessment, AssessmentRound, Entry
    from assessments.units import is_exempt
    from assignments.models import UnitCluster
    from criteria.models import UnitBand
    from criteria.unit_frameworks import import_unit_framework, read_unit_framework

    units, years = UNIT_INDEX[scale]
    rng = random.Random(scale)
    path = Path(settings.BASE_DIR) / "fixtures" / "unit_frameworks" / "so_ban_nganh_2020.xlsx"
    last = LAST_YEAR - 1
    first = last - years + 1
    import_unit_framework(
        sheet=read_unit_framework(path.read_bytes()), code="BENCH-SBN", name="Sở, ban, ngành",
        unit_type="department", first_year=first,
    )  # fmt: skip
    framework = Framework.objects.get(code="BENCH-SBN")
    leaves = list(Criterion.objects.filter(framework=framework).leaves().for_tree())
    agencies = Agency.objects.bulk_create(
        [
            Agency(name=f"Sở thử nghiệm {n}", short_name=f"STN{n}", kind="department")
            for n in range(units)
        ],
        batch_size=BATCH,
    )
    exemptions = _unit_exemptions(agencies, framework)
    for year in range(first, last + 1):
        unit_round = AssessmentRound.objects.create(
            year=year, unit_type="department", framework=framework, is_published=True,
            is_public=True, opens_on=datetime.date(year + 1, 1, 5),
            deadline=datetime.date(year + 1, 1, 31),
        )  # fmt: skip
        for name, low in [("Tốt", 90), ("Khá", 80), ("Trung bình", 70), ("Yếu", 0)]:
            UnitBand.objects.create(year=year, unit_type="department", name=name, min_score=low)
        half = (units + 1) // 2
        for position, members in enumerate([agencies[:half], agencies[half:]], start=1):
            cluster = UnitCluster.objects.create(
                year=year, unit_type="department", name=f"Cụm {position}", position=position
            )
            cluster.members.add(*members)
        assessments = Assessment.objects.bulk_create(
            [
                Assessment(
                    framework=framework,
                    year=year,
                    agency=agency,
                    unit_round=unit_round,
                    status=Assessment.Status.APPROVED,
                )  # fmt: skip
                for agency in agencies
            ],
            batch_size=BATCH,
        )
        Entry.objects.bulk_create(
            [
                _unit_entry(assessment, leaf, rng)
                for assessment in assessments
                for leaf in leaves
                if not is_exempt(leaf.code, exemptions.get(assessment.agency_id, set()))
            ],
            batch_size=BATCH,
        )
    return last, agencies[0]
