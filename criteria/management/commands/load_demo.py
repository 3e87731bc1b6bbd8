from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction
from django.utils.translation import gettext as _

from assignments.models import Agency, Membership, Role
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
        if not no_accounts:
            create_demo_accounts()
            self.stdout.write(
                _("Tài khoản dùng thử: %(names)s; mật khẩu “%(password)s”.")
                % {
                    "names": ", ".join(name for name, *_rest in DEMO_ACCOUNTS),
                    "password": DEMO_PASSWORD,
                }
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
