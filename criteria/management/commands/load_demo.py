from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from criteria.importers import AppendixError, read_appendix
from criteria.models import Plan
from criteria.services import import_appendix

FIXTURES = Path(settings.BASE_DIR) / "fixtures"
SEED_PLAN = "252/KH-UBND"


class Command(BaseCommand):
    help = _("Nạp kế hoạch mẫu 252/KH-UBND và các tài khoản dùng thử (chỉ khi DEBUG bật).")

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
        plan = Plan.objects.select_related("framework").get(number=SEED_PLAN)
        try:
            table = read_appendix((FIXTURES / "appendix_252_KH-UBND.xlsx").read_bytes())
            report = import_appendix(table=table, plan=plan)
        except AppendixError as error:
            raise CommandError("\n".join(error.problems)) from None
        self.stdout.write(
            _("Phụ lục %(plan)s: %(summary)s") % {"plan": plan, "summary": report.summary()}
        )
