"""The People's Committee's decision publishing the results of the province's index of its
units for a year (Quyết định công bố kết quả Chỉ số CCHC năm … của các sở, ban, ngành tỉnh,
cơ quan ngành dọc, UBND cấp huyện): one table per unit type and, for a type whose units are
in clusters, one per cluster, each line with the unit's rank (ties share it), its total with
two decimals, its band and its change from last year.

Every figure is read from assessments.ranking.round_results, the same read as the pages
/reports/units/<year>/, so the document and the pages agree to the cent; only approved
assessments count there.
"""

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.utils import translation
from django.utils.translation import gettext as _
from docx.document import Document as DocxDocument
from docx.enum.text import WD_ALIGN_PARAGRAPH

from assessments.models import AssessmentRound
from assessments.ranking import RoundResults, UnitResult, round_results
from criteria.models import Framework
from reports.documents import layout

TEMPLATE = "unit_results"
KIND_NAME, KIND_SYMBOL = "QUYẾT ĐỊNH", "QĐ"
UnitType = Framework.UnitType

# The order of the tables, as Tiền Giang published them, and each type's name in the text.
ORDER = [UnitType.DEPARTMENT, UnitType.BRANCH, UnitType.DISTRICT, UnitType.COMMUNE]
GROUP_NAMES = {
    UnitType.DEPARTMENT: "các sở, ban, ngành tỉnh",
    UnitType.BRANCH: "các cơ quan ngành dọc Trung ương trên địa bàn tỉnh",
    UnitType.DISTRICT: "UBND các huyện, thị xã, thành phố",
    UnitType.COMMUNE: "UBND các xã, phường, thị trấn",
}
SCALED_MARK = " (*)"
CENT = Decimal("0.01")


class UnitResultsError(ValueError):
    """The year's results cannot be published yet, with the reason in the user's words."""


@dataclass(frozen=True)
class UnitResultsDocument:
    year: int
    rounds: list[RoundResults]

    @classmethod
    def build(cls, year: int) -> "UnitResultsDocument":
        """Every round of `year` with its ranked results; an error when there is no round,
        or a round none of whose units has an approved result."""
        rounds = list(
            AssessmentRound.objects.filter(year=year).select_related("framework").order_by()
        )
        if not rounds:
            raise UnitResultsError(
                _("Năm %(year)s chưa có đợt đánh giá Chỉ số CCHC của các đơn vị.") % {"year": year}
            )
        rounds.sort(key=lambda r: (ORDER.index(r.unit_type), r.unit_type))
        results = [round_results(unit_round) for unit_round in rounds]
        reason = not_ready(results)
        if reason:
            raise UnitResultsError(reason)
        return cls(year=year, rounds=results)


def not_ready(rounds: list[RoundResults]) -> str | None:
    """Why the year's decision cannot be drafted from these rounds' results (a round none of
    whose units has an approved result), or None."""
    for results in rounds:
        if not results.results:
            return _(
                "Đợt đánh giá %(round)s chưa có đơn vị nào được phê duyệt kết quả; "
                "chưa thể soạn quyết định công bố."
            ) % {"round": results.unit_round}
    return None


def total_text(value: Decimal) -> str:
    """A total as the decision writes it: two decimals, a decimal comma ("102,50")."""
    return f"{value.quantize(CENT, rounding=ROUND_HALF_UP):.2f}".replace(".", ",")


def change_text(value: Decimal | None) -> str:
    """The change from last year with its sign ("+1,25", "-0,50", "0,00"); "" for a unit
    without last year's result."""
    if value is None:
        return ""
    sign = "+" if value > 0 else "-" if value < 0 else ""
    return sign + total_text(abs(value))


def group_name(unit_type: str) -> str:
    return GROUP_NAMES.get(unit_type, str(UnitType(unit_type).label))


def abstract(document: UnitResultsDocument) -> str:
    groups = "; ".join(group_name(r.unit_round.unit_type) for r in document.rounds)
    return f"Công bố kết quả Chỉ số cải cách hành chính năm {document.year} của {groups}"


def unit_results_docx(document: UnitResultsDocument, letterhead: layout.Letterhead) -> bytes:
    """The decision as .docx; the body is Vietnamese whatever the reader's language."""
    with translation.override("vi"):
        return layout.render(TEMPLATE, letterhead, lambda doc: _body(doc, document, letterhead))


HEADER = ["Xếp hạng", "Đơn vị", "Tổng điểm", "Xếp loại"]
WIDTHS = [2.0, 7.0, 2.5, 2.5, 2.5]


def _header(year: int) -> list[str]:
    return [*HEADER, f"So với năm {year - 1}"]


def _rows(results: list[UnitResult], *, in_cluster: bool) -> list[list[str]]:
    return [
        [
            str(r.cluster_rank if in_cluster else r.rank),
            r.agency.name + (SCALED_MARK if r.is_scaled else ""),
            total_text(r.total),
            r.band.name if r.band else "",
            change_text(r.change),
        ]
        for r in results
    ]


def _centered(document: DocxDocument, text: str, *, bold: bool = True) -> None:
    para = document.add_paragraph(style="Khung")
    para.alignment = WD_ALIGN_PARAGRAPH.CENTER
    para.add_run(text).bold = bold


def _body(document: DocxDocument, d: UnitResultsDocument, letterhead: layout.Letterhead) -> None:
    _centered(document, letterhead.issuing_body.replace("\n", " "))
    document.add_paragraph()
    for basis in (
        "Căn cứ Luật Tổ chức chính quyền địa phương ngày 19 tháng 6 năm 2015;",
        *(
            f"Căn cứ {r.unit_round.framework.name} áp dụng đối với "
            f"{group_name(r.unit_round.unit_type)};"
            for r in d.rounds
        ),
        f"Căn cứ kết quả thẩm định Chỉ số cải cách hành chính năm {d.year} của các cơ quan, "
        "đơn vị;",
        "Theo đề nghị của Giám đốc Sở Nội vụ.",
    ):
        layout.paragraph(document, basis).runs[0].italic = True
    _centered(document, "QUYẾT ĐỊNH:")
    document.add_paragraph()
    layout.paragraph(
        document,
        f" Công bố kết quả Chỉ số cải cách hành chính năm {d.year} của "
        f"{'; '.join(group_name(r.unit_round.unit_type) for r in d.rounds)} như sau:",
        bold_prefix="Điều 1.",
    )
    scaled = False
    for number, results in enumerate(d.rounds, start=1):
        unit_type = results.unit_round.unit_type
        name = group_name(unit_type)
        layout.heading(document, f"{number}. Kết quả Chỉ số CCHC của {name}", level=2)
        layout.table(
            document,
            _header(d.year),
            _rows(results.results, in_cluster=False),
            widths=WIDTHS,
            centered={0, 2, 3, 4},
        )
        if results.clusters:
            layout.paragraph(document, f"Xếp hạng {name} theo cụm:")
        for letter, cluster in zip("abcdefghiklmnopqrstuvxy", results.clusters, strict=False):
            layout.heading(document, f"{letter}) {cluster.cluster.name}", level=3)
            layout.table(
                document,
                _header(d.year),
                _rows(cluster.results, in_cluster=True),
                widths=WIDTHS,
                centered={0, 2, 3, 4},
            )
        scaled = scaled or any(r.is_scaled for r in results.results)
    if scaled:
        layout.paragraph(
            document,
            " Đơn vị không được đánh giá một số tiêu chí, lĩnh vực không áp dụng đối với đơn "
            "vị; tổng điểm được quy đổi theo tỷ lệ về thang điểm của bộ chỉ số.",
            bold_prefix="(*)",
        ).runs[-1].italic = True
    layout.paragraph(
        document,
        " Quyết định này có hiệu lực kể từ ngày ký.",
        bold_prefix="Điều 2.",
    )
    layout.paragraph(
        document,
        " Chánh Văn phòng Ủy ban nhân dân tỉnh, Giám đốc Sở Nội vụ, Thủ trưởng các sở, ban, "
        "ngành tỉnh, các cơ quan ngành dọc Trung ương trên địa bàn tỉnh, Chủ tịch Ủy ban nhân "
        "dân các huyện, thị xã, thành phố và các cơ quan, đơn vị có liên quan chịu trách nhiệm "
        "thi hành Quyết định này./.",
        bold_prefix="Điều 3.",
    )
