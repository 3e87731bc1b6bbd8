"""`manage.py load_demo`: the seed plan, the agencies and, on a development machine, the demo
accounts and their work: the agencies' yearly reports (assignments/demo.py), then the
province's index of its units (assessments/demo.py). It lives in assessments, the highest
room it builds, and calls each room's own loader (DESIGN.md: no lower room imports a
higher one)."""

from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from assessments.demo import create_units_demo
from assignments.demo import DEMO_ACCOUNTS, DEMO_PASSWORD, create_demo_accounts, create_demo_work
from assignments.owners import assign_from_actions
from criteria.importers import AppendixError, read_appendix
from criteria.models import Plan
from criteria.services import import_appendix

FIXTURES = Path(settings.BASE_DIR) / "fixtures"
SEED_PLAN = "252/KH-UBND"


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
            years = create_demo_work(plan)
            if years:
                self.stdout.write(
                    _("Báo cáo năm minh họa của các kỳ: %(years)s.")
                    % {"years": ", ".join(str(year) for year in years)}
                )
            try:
                rounds = create_units_demo()
            except AppendixError as error:  # a unit framework's workbook refused
                raise CommandError("\n".join(error.problems)) from None
            if rounds:
                self.stdout.write(
                    _("Chỉ số CCHC minh họa của các đơn vị, các năm: %(years)s.")
                    % {"years": ", ".join(str(year) for year in rounds)}
                )
            self.stdout.write(
                _("Tài khoản dùng thử: %(names)s; mật khẩu “%(password)s”.")
                % {
                    "names": ", ".join(name for name, *_rest in DEMO_ACCOUNTS),
                    "password": DEMO_PASSWORD,
                }
            )
