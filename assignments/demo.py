"""The demonstration data of `manage.py load_demo`: one account per role, self-assessed 2018
scores, and the agencies' yearly reports of two cycles, built through the services so that
each status is reached the way an agency and Sở Nội vụ reach it.

- 2019 (due 25/11/2019): every agency with sections has filled, sent and had its report
  accepted: a result for every task it leads, a note on every task it coordinates, a proposed
  score for every sub-criterion it owns (but those scored by survey) with a demonstration
  document or an explanation, and its difficulties.
- 2020, the plan's last year (due 30 days after the first run): Sở Tư pháp is drafting (so the
  report page lists what is missing), Văn phòng UBND tỉnh's report came back with two
  sections commented, UBND huyện Cái Bè's waits for review, Sở Tài chính's is accepted.

Every text says it is demonstration data. Each cycle is built once: a second run changes
nothing.
"""

import datetime
import unicodedata
from dataclasses import dataclass
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from assignments import services, yearly
from assignments.forms import check_evidence
from assignments.models import (
    Agency,
    AgencyGroup,
    EvidenceDocument,
    EvidenceLink,
    Membership,
    Report,
    ReportingCycle,
    ReportTransition,
    Role,
    ScoreProposal,
    Task,
    TaskTarget,
    YearlyReport,
    YearlyTransition,
)
from assignments.yearly import owned_criteria
from criteria.models import Criterion, Plan, Score, Target

DEMO_PASSWORD = "parportal-demo-2026"
DEMO_NOTE = "Dữ liệu minh họa của load_demo, không phải kết quả thật"

# username, full name, role, agency (by name) — one account for each way of using the
# portal. Sở Nội vụ's staff belong to Sở Nội vụ, which reports on its own year like any agency.
DEMO_ACCOUNTS = [
    ("admin", "Quản trị viên hệ thống", Role.ADMINISTRATOR, None),
    ("noivu", "Nguyễn Thị Lan (Sở Nội vụ)", Role.NOIVU_STAFF, "Sở Nội vụ"),
    ("lanhdao", "Trần Văn Hùng (Lãnh đạo UBND tỉnh)", Role.LEADER, None),
    ("sotuphap", "Lê Minh Tâm (Sở Tư pháp)", Role.AGENCY_USER, "Sở Tư pháp"),
    ("vpubnd", "Phạm Thu Hà (Văn phòng UBND tỉnh)", Role.AGENCY_USER, "Văn phòng UBND tỉnh"),
    ("caibe", "Võ Thanh Sơn (UBND huyện Cái Bè)", Role.AGENCY_USER, "UBND huyện Cái Bè"),
    ("hoidong", "Đỗ Quang Minh (Hội đồng thẩm định)", Role.COUNCIL_MEMBER, None),
]

DRAFTING, RETURNED, SUBMITTED, ACCEPTED = (
    "Sở Tư pháp",
    "Văn phòng UBND tỉnh",
    "UBND huyện Cái Bè",
    "Sở Tài chính",
)
RETURN_COMMENTS = (
    "Thiếu số liệu hồ sơ giải quyết đúng hạn của cấp xã.",
    "Điểm đề xuất chưa khớp với tài liệu kiểm chứng: đề nghị xem lại trang đã dẫn.",
)


@transaction.atomic
def create_demo_accounts() -> None:
    """One account per role; running it again resets their passwords and nothing else."""
    users = get_user_model()
    for username, full_name, role, agency_name in DEMO_ACCOUNTS:
        user, _created = users.objects.get_or_create(username=username)
        user.first_name = full_name
        user.email = f"{username}@example.invalid"
        user.is_staff = role in (Role.ADMINISTRATOR, Role.NOIVU_STAFF)
        user.is_superuser = role == Role.ADMINISTRATOR
        user.set_password(DEMO_PASSWORD)
        user.save()
        user.groups.set([role.group()])
        agency = Agency.objects.get(name=agency_name) if agency_name else None
        Membership.objects.update_or_create(user=user, defaults={"agency": agency})


@transaction.atomic
def create_demo_work(plan: Plan) -> list[int]:
    """The 2018 self-assessed scores and the 2019 and 2020 cycles, each once; the years
    of the cycles it created."""
    _create_2018_scores(plan)
    created = []
    if not ReportingCycle.objects.filter(plan=plan, year=2019).exists():
        _create_2019_cycle(plan)
        created.append(2019)
    if not ReportingCycle.objects.filter(plan=plan, year=plan.last_year).exists():
        _create_last_cycle(plan)
        created.append(plan.last_year)
    return created


def _create_2018_scores(plan: Plan) -> None:
    """Self-assessed 2018 scores at the 2018 targets, marked as illustrations in their note:
    the province's real scores are entered by Sở Nội vụ."""
    leaves = Criterion.objects.filter(framework=plan.framework).leaves()
    if Score.objects.filter(criterion__in=leaves, year=2018, kind=Score.Kind.SELF).exists():
        return
    targets = {
        t.criterion_id: t.min_score
        for t in Target.objects.filter(plan=plan, first_year=2018, criterion__isnull=False)
    }
    # With history, as every write: cached pages key on it (criteria/caching.py).
    bulk_create_with_history(
        [
            Score(criterion=c, year=2018, kind=Score.Kind.SELF, value=targets[c.pk], note=DEMO_NOTE)
            for c in leaves
            if c.pk in targets and not c.is_survey
        ],
        Score,
    )


# -- Filling a report ---------------------------------------------------------------------


@dataclass
class Filler:
    """What every report of a cycle is filled from: the year's targets of tasks and scores."""

    year: int
    task_targets: dict[int, list[TaskTarget]]
    score_targets: dict[int, Decimal]

    @classmethod
    def for_cycle(cls, cycle: ReportingCycle) -> "Filler":
        year = cycle.year
        task_targets: dict[int, list[TaskTarget]] = {}
        for target in TaskTarget.objects.filter(
            task__content_area__plan=cycle.plan, first_year__lte=year, last_year__gte=year
        ):
            task_targets.setdefault(target.task_id, []).append(target)
        score_targets = dict(
            Target.objects.filter(
                plan=cycle.plan, criterion__isnull=False, first_year__lte=year, last_year__gte=year
            ).values_list("criterion_id", "min_score")
        )
        return cls(year, task_targets, score_targets)

    def fill(
        self, report: YearlyReport, by: AbstractBaseUser | None, *, lead_only: int = 0
    ) -> None:
        """Write every section (or, with `lead_only`, the first lead tasks only)."""
        lead_ids = set(report.agency.led_tasks.values_list("pk", flat=True))
        sections = list(
            report.task_reports.select_related("task__content_area").order_by(
                "task__content_area__number", "task__number"
            )
        )
        lead = [r for r in sections if r.task_id in lead_ids]
        for task_report in lead[: lead_only or None]:
            self._lead_task(task_report, by)
        if lead_only:
            return
        self._coordinated_tasks([r for r in sections if r.task_id not in lead_ids], by)
        self._proposals(report, by)
        yearly.save_general(
            report=report,
            by=by,
            difficulties=f"{DEMO_NOTE}: biên chế làm công tác cải cách hành chính còn mỏng; "
            "một số phần mềm chuyên ngành chưa kết nối với hệ thống một cửa điện tử.",
            proposals=f"{DEMO_NOTE}: đề nghị Sở Nội vụ tổ chức tập huấn cách chấm điểm và "
            "lập tài liệu kiểm chứng trước kỳ báo cáo năm sau.",
            version=report.version,
        )

    def _lead_task(self, task_report: Report, by: AbstractBaseUser | None) -> None:
        task = task_report.task
        number = f"{task.content_area.number}.{task.number}"
        services.save_report(
            report=task_report,
            by=by,
            progress=Report.Progress.DONE,
            narrative=f"{DEMO_NOTE}: đơn vị đã chủ trì triển khai nhiệm vụ {number} theo "
            f"kế hoạch năm {self.year}, ban hành văn bản hướng dẫn và kiểm tra việc thực hiện.",
            values={t.pk: _meeting(t) for t in self.task_targets.get(task.pk, [])},
            version=task_report.version,
        )

    def _coordinated_tasks(self, rows: list[Report], by: AbstractBaseUser | None) -> None:
        """A short note on each task the agency coordinates; not required, so written in bulk."""
        if not rows:
            return
        note = f"{DEMO_NOTE}: đơn vị đã phối hợp với cơ quan chủ trì trong năm {self.year}."
        Report.objects.filter(pk__in=[r.pk for r in rows]).update(
            narrative=note,
            progress=Report.Progress.DONE,
            version=F("version") + 1,
            updated_at=timezone.now(),
        )
        Report.history.bulk_history_create(
            list(Report.objects.filter(pk__in=[r.pk for r in rows])),
            update=True,
            default_user=by,
        )

    def _proposals(self, report: YearlyReport, by: AbstractBaseUser | None) -> None:
        proposals = [
            p
            for p in report.score_proposals.select_related("criterion").order_by(
                "criterion__sort_key"
            )
            if not p.criterion.is_survey
        ]
        if not proposals:
            return
        document = demo_document(
            report.agency,
            by,
            year=self.year,
            title=f"Báo cáo kết quả cải cách hành chính năm {self.year} (dữ liệu minh họa)",
            sections=[p.criterion.code for p in proposals],
        )
        # Written in bulk, as save_proposal and link_document would (the score within the
        # maximum, the history by the author): some 350 of them in 2019. Sending goes through
        # the services, which check that nothing required is missing.
        links = []
        for index, proposal in enumerate(proposals):
            criterion = proposal.criterion
            score = min(
                self.score_targets.get(criterion.pk, criterion.max_score), criterion.max_score
            )
            if index % 5 == 4:  # a few proposed below the target, as happens
                score = (score / 2).quantize(Decimal("0.01"))
            # Most with the year's report as evidence, at the page of their section; every
            # fourth with an explanation instead.
            has_document = index % 4 != 3
            if has_document:
                links.append(
                    EvidenceLink(
                        proposal=proposal,
                        criterion=criterion,
                        document=document,
                        location=f"trang {index + 2}",
                    )
                )
            proposal.score = score
            proposal.evidence_complete = has_document
            proposal.explanation = (
                ""
                if has_document
                else f"{DEMO_NOTE}: văn bản kiểm chứng đang trình ký, sẽ bổ sung khi ban hành."
            )
            proposal.version += 1
            proposal.updated_at = timezone.now()
        bulk_create_with_history(links, EvidenceLink, default_user=by)
        ScoreProposal.objects.bulk_update(
            proposals, ["score", "evidence_complete", "explanation", "version", "updated_at"]
        )
        ScoreProposal.history.bulk_history_create(proposals, update=True, default_user=by)


def _meeting(target: TaskTarget) -> Decimal:
    """A value that meets the target."""
    if target.comparator == TaskTarget.Comparator.ABOVE:
        return min(target.value + 1, target.value_limit)
    return target.value


# -- Demonstration documents --------------------------------------------------------------


def _ascii(text: str) -> str:
    """The text without Vietnamese marks: the PDF's standard font has none."""
    text = text.replace("đ", "d").replace("Đ", "D")
    plain = "".join(c for c in unicodedata.normalize("NFD", text) if not unicodedata.combining(c))
    return plain.encode("ascii", "replace").decode().replace("\\", "/")


def demo_pdf(title: str, sections: list[str]) -> bytes:
    """A small valid PDF: a cover page with the title, then one page per section, so that
    "trang n" in a link is the page of its section."""
    pages = [[title, "DU LIEU MINH HOA - KHONG PHAI VAN BAN THAT"]] + [
        [title, f"Muc {n}: tai lieu kiem chung tieu chi {code}"]
        for n, code in enumerate(sections, start=1)
    ]
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"",  # the page tree, once the pages have their numbers
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    kids = []
    for lines in pages:
        text = " T* ".join(
            "({})Tj".format(_ascii(line).replace("(", "[").replace(")", "]")) for line in lines
        )
        stream = f"BT /F1 12 Tf 16 TL 56 780 Td {text} ET".encode()
        objects.append(b"<< /Length %d >>\nstream\n%s\nendstream" % (len(stream), stream))
        objects.append(
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents %d 0 R "
            b"/Resources << /Font << /F1 3 0 R >> >> >>" % len(objects)
        )
        kids.append(len(objects))
    objects[1] = b"<< /Type /Pages /Kids [%s] /Count %d >>" % (
        b" ".join(b"%d 0 R" % k for k in kids),
        len(kids),
    )
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return bytes(out)


def demo_document(
    agency: Agency,
    by: AbstractBaseUser | None,
    *,
    year: int,
    title: str,
    sections: list[str],
    file_name: str = "bao-cao-cchc",
    number: str = "BC-MH",
) -> EvidenceDocument:
    """A demonstration document in the agency's library, checked and stored as an upload
    (also the units' index demo's, assessments/demo.py)."""
    content = demo_pdf(f"{agency.name} - {title}", sections)
    upload = SimpleUploadedFile(f"{file_name}-{year}.pdf", content, "application/pdf")
    kind = check_evidence(upload)
    document, _created = services.add_document(
        agency=agency,
        upload=upload,
        content_type=kind.content_type,
        extension=kind.extension,
        by=by,
        number=f"{agency.pk:02d}/{number}",
        issued_on=datetime.date(year, 11, 15),
        issuer=agency.name,
        title=title,
    )
    return document


# -- The cycles ---------------------------------------------------------------------------


def _users_of_agencies() -> dict[int, AbstractBaseUser]:
    """The demo account of each agency that has one: the author of its report."""
    return {
        m.agency_id: m.user
        for m in Membership.objects.filter(agency__isnull=False).select_related("user")
    }


def _agencies_with_sections(plan: Plan) -> list[Agency]:
    """The agencies that lead or coordinate a task of the plan or own one of its scored
    sub-criteria, in name order."""
    with_sections = []
    for agency in Agency.objects.filter(is_active=True).order_by("name"):
        group_ids = AgencyGroup.objects.ids_including(agency)
        tasks = Task.objects.filter(content_area__plan=plan).for_agency(agency, group_ids=group_ids)
        if tasks.exists() or owned_criteria(agency, plan.pk, group_ids).exists():
            with_sections.append(agency)
    return with_sections


def _create_2019_cycle(plan: Plan) -> None:
    """Every agency's 2019 report filled, sent before 25/11/2019 and accepted.

    The services refuse to send after the deadline, so the cycle is opened due today, the
    reports go through them, and then the cycle gets its real deadline and the steps their
    dates of November and December 2019.
    """
    cycle = services.open_cycle(plan=plan, year=2019, deadline=timezone.localdate())
    noivu = get_user_model().objects.get(username="noivu")
    authors = _users_of_agencies()
    filler = Filler.for_cycle(cycle)
    for index, agency in enumerate(_agencies_with_sections(plan)):
        by = authors.get(agency.pk)
        report = yearly.open_yearly_report(cycle=cycle, agency=agency)
        filler.fill(report, by)
        report.refresh_from_db()
        report = yearly.send_yearly_report(report=report, by=by, version=report.version)
        yearly.accept_yearly_report(
            report=report, by=noivu, version=report.version, note=f"{DEMO_NOTE}: đạt yêu cầu."
        )
        sent_at = _at(datetime.datetime(2019, 11, 18 + index % 7, 8 + index % 9))
        accepted_at = _at(datetime.datetime(2019, 12, 2 + index % 5, 14))
        _date_steps(report, sent_at=sent_at, accepted_at=accepted_at)
    ReportingCycle.objects.filter(pk=cycle.pk).update(deadline=datetime.date(2019, 11, 25))
    ReportingCycle.history.filter(id=cycle.pk).update(deadline=datetime.date(2019, 11, 25))


def _at(moment: datetime.datetime) -> datetime.datetime:
    return timezone.make_aware(moment)


def _date_steps(
    report: YearlyReport, *, sent_at: datetime.datetime, accepted_at: datetime.datetime
) -> None:
    YearlyReport.objects.filter(pk=report.pk).update(submitted_at=sent_at)
    for model, key in ((YearlyTransition, "report"), (ReportTransition, "report__yearly")):
        steps = model.objects.filter(**{key: report})
        steps.filter(to_status=YearlyReport.Status.SUBMITTED).update(at=sent_at)
        steps.filter(to_status=YearlyReport.Status.ACCEPTED).update(at=accepted_at)
    EvidenceDocument.objects.filter(agency=report.agency, issued_on__year=2019).update(
        uploaded_at=sent_at - datetime.timedelta(days=3)
    )


def _create_last_cycle(plan: Plan) -> None:
    """The plan's last year, open long enough for whoever tries the demo to send before the
    deadline: one report in each state."""
    cycle = services.open_cycle(
        plan=plan, year=plan.last_year, deadline=timezone.localdate() + datetime.timedelta(days=30)
    )
    noivu = get_user_model().objects.get(username="noivu")
    authors = _users_of_agencies()
    filler = Filler.for_cycle(cycle)
    agencies = {
        a.name: a for a in Agency.objects.filter(name__in=[DRAFTING, RETURNED, SUBMITTED, ACCEPTED])
    }

    # Drafting: one lead task written and one score proposed with its document and page;
    # everything else is still missing.
    drafting = agencies[DRAFTING]
    by = authors.get(drafting.pk)
    report = yearly.open_yearly_report(cycle=cycle, agency=drafting)
    filler.fill(report, by, lead_only=1)
    proposal = report.score_proposals.select_related("criterion").get(criterion__code="2.1.1")
    document = demo_document(
        drafting,
        by,
        year=cycle.year,
        title=f"Kế hoạch xây dựng văn bản quy phạm pháp luật năm {cycle.year} (dữ liệu minh họa)",
        sections=["2.1.1"],
    )
    yearly.link_document(proposal=proposal, document=document, location="trang 2", by=by)
    criterion = proposal.criterion
    yearly.save_proposal(
        proposal=proposal,
        by=by,
        score=min(filler.score_targets.get(criterion.pk, criterion.max_score), criterion.max_score),
        evidence_complete=True,
        explanation="",
        version=proposal.version,
    )

    for name in (RETURNED, SUBMITTED, ACCEPTED):
        agency = agencies[name]
        by = authors.get(agency.pk)
        report = yearly.open_yearly_report(cycle=cycle, agency=agency)
        filler.fill(report, by)
        report.refresh_from_db()
        report = yearly.send_yearly_report(report=report, by=by, version=report.version)
        if name == ACCEPTED:
            yearly.accept_yearly_report(
                report=report, by=noivu, version=report.version, note=f"{DEMO_NOTE}: đạt yêu cầu."
            )
        elif name == RETURNED:
            task_report = (
                report.task_reports.filter(task__lead_agencies=agency)
                .order_by("task__content_area__number", "task__number")
                .first()
            )
            proposal = (
                ScoreProposal.objects.filter(report=report, criterion__is_survey=False)
                .order_by("criterion__sort_key")
                .first()
            )
            yearly.return_yearly_report(
                report=report,
                by=noivu,
                version=report.version,
                comments={
                    f"task-{task_report.pk}": RETURN_COMMENTS[0],
                    f"proposal-{proposal.pk}": RETURN_COMMENTS[1],
                },
            )
