"""The one entry to the documents: which kind, for which plan and year, in which format, with
which letterhead; used by `manage.py draft_report` and by the downloads. The decision
publishing the units' results is the year's, not the plan's: the plan, when there is one,
only gives the province's name."""

import datetime
from dataclasses import dataclass
from enum import StrEnum

from django.utils import timezone
from django.utils.translation import gettext as _

from assignments.models import ReportingCycle
from criteria.exporters import XLSX_CONTENT_TYPE
from criteria.models import Plan
from reports.documents import layout, plan_results, self_assessment, unit_results
from reports.rollups import current_plan, plan_years


class Kind(StrEnum):
    SELF_ASSESSMENT = "self-assessment"
    PLAN_RESULTS = "plan-results"
    UNIT_RESULTS = "unit-results"


# Who issues each by default: the self-assessment is the province's, sent to the ministry;
# the plan's yearly report is Sở Nội vụ's, sent to the People's Committee.
# The units' results are published by the People's Committee's decision.
DEFAULT_ISSUER = {
    Kind.SELF_ASSESSMENT: layout.Issuer.UBND,
    Kind.PLAN_RESULTS: layout.Issuer.SNV,
    Kind.UNIT_RESULTS: layout.Issuer.UBND,
}
FORMATS = ("docx", "xlsx")
# The formats of each kind: the units' decision is a .docx only (its tables are the pages').
KIND_FORMATS = {Kind.UNIT_RESULTS: ("docx",)}


class DraftError(ValueError):
    """A document that cannot be drafted, with the reason in the user's words."""


@dataclass(frozen=True)
class Draft:
    content: bytes
    filename: str
    content_type: str


def draft_report(
    *,
    kind: str,
    plan: Plan | None,
    year: int,
    fmt: str = "docx",
    issuer: str | None = None,
    number: str = "",
    date: datetime.date | None = None,
    signer_title: str = "",
    signer_name: str = "",
    basis: str | None = None,
    today: datetime.date | None = None,
) -> Draft:
    """The document `kind` of `plan` for `year` as .docx (or its tables as .xlsx)."""
    if kind not in Kind.__members__.values():
        raise DraftError(
            _("Không có loại báo cáo “%(kind)s”; chọn một trong: %(kinds)s.")
            % {"kind": kind, "kinds": ", ".join(Kind)}
        )
    if kind == Kind.UNIT_RESULTS:
        return _draft_unit_results(
            plan=plan,
            year=year,
            fmt=fmt,
            issuer=issuer,
            number=number,
            date=date,
            signer_title=signer_title,
            signer_name=signer_name,
        )
    if plan is None:
        raise DraftError(_("Chưa có kế hoạch cải cách hành chính nào."))
    if year not in plan_years(plan):
        raise DraftError(
            _("Năm %(year)s không thuộc kế hoạch %(plan)s (%(first)s–%(last)s).")
            % {
                "year": year,
                "plan": plan.number,
                "first": plan.baseline_year,
                "last": plan.last_year,
            }
        )
    if fmt not in FORMATS:
        raise DraftError(_("Định dạng “%(fmt)s” không được hỗ trợ.") % {"fmt": fmt})
    kind = Kind(kind)
    issuer = layout.Issuer(issuer or DEFAULT_ISSUER[kind])
    today = today or timezone.localdate()
    if kind == Kind.SELF_ASSESSMENT:
        document = self_assessment.SelfAssessment.build(plan, year)
        abstract = self_assessment.abstract(plan, year)
    else:
        cycle = ReportingCycle.objects.filter(plan=plan, year=year).select_related("plan").first()
        if cycle is None:
            raise DraftError(
                _("Kế hoạch %(plan)s chưa có kỳ báo cáo năm %(year)s.")
                % {"plan": plan.number, "year": year}
            )
        document = plan_results.PlanResults.build(cycle, today=today, basis=basis)
        abstract = plan_results.abstract(plan, year)
    name = f"{KIND_FILE_NAMES[kind]} năm {year}.{fmt}"
    if fmt == "xlsx":
        writer = (
            self_assessment.self_assessment_xlsx
            if kind == Kind.SELF_ASSESSMENT
            else plan_results.plan_results_xlsx
        )
        return Draft(writer(document), name, XLSX_CONTENT_TYPE)
    letterhead = layout.Letterhead.of(
        issuer=issuer,
        province=plan.province,
        abstract=abstract,
        number=number,
        date=date,
        signer_title=signer_title,
        signer_name=signer_name,
    )
    if kind == Kind.SELF_ASSESSMENT:
        content = self_assessment.self_assessment_docx(document, letterhead, issuer=issuer)
    else:
        content = plan_results.plan_results_docx(document, letterhead)
    return Draft(content, name, layout.DOCX_CONTENT_TYPE)


def _draft_unit_results(
    *,
    plan: Plan | None,
    year: int,
    fmt: str,
    issuer: str | None,
    number: str,
    date: datetime.date | None,
    signer_title: str,
    signer_name: str,
) -> Draft:
    """The People's Committee's decision publishing the units' results of `year`."""
    if fmt not in KIND_FORMATS[Kind.UNIT_RESULTS]:
        raise DraftError(_("Quyết định công bố kết quả của các đơn vị chỉ soạn được dạng .docx."))
    if issuer and layout.Issuer(issuer) != layout.Issuer.UBND:
        raise DraftError(
            _("Quyết định công bố kết quả của các đơn vị do Ủy ban nhân dân tỉnh ban hành.")
        )
    plan = plan or current_plan()
    if plan is None:
        raise DraftError(_("Chưa có kế hoạch cải cách hành chính nào để lấy tên tỉnh cho văn bản."))
    try:
        document = unit_results.UnitResultsDocument.build(year)
    except unit_results.UnitResultsError as error:
        raise DraftError(str(error)) from None
    letterhead = layout.Letterhead.of(
        issuer=layout.Issuer.UBND,
        province=plan.province,
        abstract=unit_results.abstract(document),
        number=number,
        date=date,
        signer_title=signer_title,
        signer_name=signer_name,
        kind_name=unit_results.KIND_NAME,
        kind_symbol=unit_results.KIND_SYMBOL,
    )
    return Draft(
        unit_results.unit_results_docx(document, letterhead),
        f"{KIND_FILE_NAMES[Kind.UNIT_RESULTS]} năm {year}.docx",
        layout.DOCX_CONTENT_TYPE,
    )


# The document's name as the office files it; the body and the name stay Vietnamese.
KIND_FILE_NAMES = {
    Kind.SELF_ASSESSMENT: "Báo cáo tự đánh giá Chỉ số CCHC",
    Kind.PLAN_RESULTS: "Báo cáo kết quả thực hiện Kế hoạch",
    Kind.UNIT_RESULTS: "Quyết định công bố Chỉ số CCHC các đơn vị",
}
