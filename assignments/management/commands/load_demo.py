import datetime
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history

from assignments.models import Agency, Membership, Report, Role
from assignments.owners import assign_from_actions
from criteria.importers import AppendixError, read_appendix
from criteria.models import Plan
from criteria.services import import_appendix

FIXTURES = Path(settings.BASE_DIR) / "fixtures"
SEED_PLAN = "252/KH-UBND"
DEMO_PASSWORD = "parportal-demo-2026"

# username, full name, role, agency (by name) — one account for each way of using the portal.
DEMO_ACCOUNTS = [
    ("admin", "Quản trị viên hệ thống", Role.ADMINISTRATOR, None),
    ("noivu", "Nguyễn Thị Lan (Sở Nội vụ)", Role.NOIVU_STAFF, None),
    ("lanhdao", "Trần Văn Hùng (Lãnh đạo UBND tỉnh)", Role.LEADER, None),
    ("sotuphap", "Lê Minh Tâm (Sở Tư pháp)", Role.AGENCY_USER, "Sở Tư pháp"),
    ("vpubnd", "Phạm Thu Hà (Văn phòng UBND tỉnh)", Role.AGENCY_USER, "Văn phòng UBND tỉnh"),
    ("caibe", "Võ Thanh Sơn (UBND huyện Cái Bè)", Role.AGENCY_USER, "UBND huyện Cái Bè"),
]


class Command(BaseCommand):
    help = _(
        "Nạp kế hoạch mẫu 252/KH-UBND, danh mục đơn vị và các tài khoản dùng thử "
        "(tài khoản chỉ tạo khi DEBUG bật)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--no-accounts", action="store_true", help=_("Chỉ nạp dữ liệu, không tạo tài khoản")
        )

    def handle(self, *args, no_accounts: bool, **options) -> None:
        if not settings.DEBUG and not no_accounts:
            raise CommandError(
                _("Không tạo tài khoản dùng thử khi DEBUG tắt (môi trường vận hành thật).")
            )
        call_command("loaddata", FIXTURES / "seed_plan.json", verbosity=0)
        call_command("loaddata", FIXTURES / "agencies.json", verbosity=0)
        # The 63 provinces, the published national results the portal starts with (each
        # table names its source) and the plan's rank goal.
        call_command("loaddata", FIXTURES / "provinces.json", verbosity=0)
        call_command("loaddata", FIXTURES / "national_results.json", verbosity=0)
        plan = Plan.objects.select_related("framework").get(number=SEED_PLAN)
        try:
            table = read_appendix((FIXTURES / "appendix_252_KH-UBND.xlsx").read_bytes())
            report = import_appendix(table=table, plan=plan)
        except AppendixError as error:
            raise CommandError("\n".join(error.problems)) from None
        self.stdout.write(
            _("Phụ lục %(plan)s: %(summary)s") % {"plan": plan, "summary": report.summary()}
        )
        # Section II's tasks name the criteria, so they come after the appendix; once loaded,
        # they are the province's to edit and a second run leaves them alone.
        if not plan.content_areas.exists():
            call_command("loaddata", FIXTURES / "tasks_252.json", verbosity=0)
            # The tasks propose the owners of the sub-criteria whose text names none (1.2, 8.1).
            assign_from_actions(plan=plan)
        if not no_accounts:
            create_demo_accounts()
            create_demo_work(plan)
            self.stdout.write(
                _("Tài khoản dùng thử: %(names)s; mật khẩu “%(password)s”.")
                % {
                    "names": ", ".join(name for name, *_rest in DEMO_ACCOUNTS),
                    "password": DEMO_PASSWORD,
                }
            )


DEMO_NOTE = "Dữ liệu minh họa của load_demo, không phải kết quả thật"


@transaction.atomic
def create_demo_work(plan: Plan) -> None:
    """Self-assessed 2018 scores and a 2020 cycle with reports in every state, once.

    These are illustrations for trying the portal, marked as such in each score's note:
    the province's real scores are entered by Sở Nội vụ.
    """
    from assignments import services
    from assignments.models import ReportingCycle, Task
    from criteria.models import Criterion, Score, Target

    if ReportingCycle.objects.filter(plan=plan).exists():
        return
    targets = {
        t.criterion_id: t.min_score
        for t in Target.objects.filter(plan=plan, first_year=2018, criterion__isnull=False)
    }
    # With history, as every write: cached pages key on it (criteria/caching.py).
    bulk_create_with_history(
        [
            Score(criterion=c, year=2018, kind=Score.Kind.SELF, value=targets[c.pk], note=DEMO_NOTE)
            for c in Criterion.objects.filter(framework=plan.framework).leaves()
            if c.pk in targets and not c.is_survey
        ],
        Score,
    )
    # Open long enough for whoever tries the demo to submit before the deadline.
    cycle = services.open_cycle(
        plan=plan, year=plan.last_year, deadline=timezone.localdate() + datetime.timedelta(days=30)
    )
    users = {user.username: user for user in get_user_model().objects.all()}
    justice = Agency.objects.get(name="Sở Tư pháp")
    office = Agency.objects.get(name="Văn phòng UBND tỉnh")
    tasks = list(
        Task.objects.filter(content_area__plan=plan).order_by("content_area__number", "number")
    )
    justice_tasks = [t for t in tasks if t.lead_agencies.filter(pk=justice.pk).exists()]
    office_tasks = [t for t in tasks if t.lead_agencies.filter(pk=office.pk).exists()]
    stories = [
        (justice, justice_tasks[0], "sotuphap", "draft", ""),
        (justice, justice_tasks[1], "sotuphap", "submitted", ""),
        (
            office,
            office_tasks[0],
            "vpubnd",
            "returned",
            "Thiếu số liệu hồ sơ giải quyết đúng hạn của cấp xã.",
        ),
        (office, office_tasks[1], "vpubnd", "accepted", ""),
    ]
    for agency, task, username, state, reason in stories:
        report = services.start_report(cycle=cycle, agency=agency, task=task)
        report = services.save_report(
            report=report,
            by=users[username],
            progress=Report.Progress.IN_PROGRESS,
            narrative=f"{DEMO_NOTE}: đơn vị đã triển khai nhiệm vụ theo kế hoạch.",
            values={},
            version=report.version,
        )
        if state != "draft":
            report = services.submit_report(report=report, by=users[username])
        if state == "returned":
            services.return_report(
                report=report, by=users["noivu"], reason=reason, version=report.version
            )
        if state == "accepted":
            services.accept_report(
                report=report, by=users["noivu"], note="Đạt yêu cầu.", version=report.version
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
