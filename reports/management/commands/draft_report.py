import datetime
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from criteria.models import Plan
from reports.documents.drafts import FORMATS, DraftError, Kind, draft_report
from reports.documents.layout import Issuer
from reports.figures import Basis


class Command(BaseCommand):
    # argparse cannot format lazy strings: translate when the parser is built.
    @property
    def help(self) -> str:
        return _(
            "Soạn dự thảo báo cáo theo thể thức Nghị định 30/2020/NĐ-CP: báo cáo tự đánh giá "
            "Chỉ số CCHC (self-assessment), báo cáo kết quả thực hiện Kế hoạch (plan-results) "
            "hoặc quyết định công bố kết quả Chỉ số CCHC của các đơn vị (unit-results)."
        )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("kind", metavar="LOẠI", help=", ".join(Kind))
        parser.add_argument("--year", type=int, required=True, help=_("Năm báo cáo."))
        parser.add_argument(
            "--plan",
            metavar="SỐ",
            help=_(
                "Số kế hoạch; với unit-results không bắt buộc (mặc định kế hoạch hiện hành, "
                "chỉ để lấy tên tỉnh)."
            ),
        )
        parser.add_argument("-o", "--out", type=Path, required=True, help=_("Tệp sẽ ghi ra."))
        parser.add_argument(
            "--format",
            choices=FORMATS,
            help=_("docx (mặc định) hoặc xlsx; mặc định theo phần mở rộng của tệp."),
        )
        parser.add_argument(
            "--issuer",
            choices=[issuer.value for issuer in Issuer],
            help=_("Cơ quan ban hành: ubnd (UBND tỉnh) hoặc snv (Sở Nội vụ)."),
        )
        parser.add_argument("--number", default="", help=_("Số của văn bản, ví dụ 125."))
        parser.add_argument("--date", default="", help=_("Ngày ban hành, dạng dd/mm/yyyy."))
        parser.add_argument(
            "--signer-title",
            default="",
            help=_(
                "Quyền hạn, chức vụ người ký; “/” xuống dòng, ví dụ “KT. CHỦ TỊCH/PHÓ CHỦ TỊCH”."
            ),
        )
        parser.add_argument("--signer-name", default="", help=_("Họ và tên người ký."))
        parser.add_argument(
            "--basis",
            choices=Basis.values,
            help=_("Điểm dùng cho báo cáo kết quả: self (tự đánh giá) hoặc official (chính thức)."),
        )

    def handle(self, *args, kind: str, year: int, plan: str | None, out: Path, **options) -> None:
        chosen = None
        if plan is not None:
            chosen = Plan.objects.select_related("framework").filter(number=plan).first()
            if chosen is None:
                raise CommandError(_("Không có kế hoạch số %(number)s.") % {"number": plan})
        elif kind != Kind.UNIT_RESULTS:
            raise CommandError(_("Cần chọn kế hoạch (--plan) cho loại báo cáo này."))
        fmt = options["format"] or ("xlsx" if out.suffix.lower() == ".xlsx" else "docx")
        try:
            draft = draft_report(
                kind=kind,
                plan=chosen,
                year=year,
                fmt=fmt,
                issuer=options["issuer"],
                number=options["number"],
                date=_date(options["date"]),
                signer_title=options["signer_title"],
                signer_name=options["signer_name"],
                basis=options["basis"],
            )
        except DraftError as error:
            raise CommandError(str(error)) from None
        try:
            out.write_bytes(draft.content)
        except OSError as error:
            raise CommandError(
                _("Không ghi được tệp %(out)s: %(error)s") % {"out": out, "error": error.strerror}
            ) from error
        self.stdout.write(_("Đã ghi %(name)s vào %(out)s.") % {"name": draft.filename, "out": out})


def _date(text: str) -> datetime.date | None:
    if not text.strip():
        return None
    try:
        return datetime.datetime.strptime(text.strip(), "%d/%m/%Y").date()
    except ValueError:
        raise CommandError(
            _("Ngày “%(date)s” không đúng dạng dd/mm/yyyy.") % {"date": text}
        ) from None
