"""The province's self-assessment report of a year (báo cáo tự đánh giá, chấm điểm Chỉ số CCHC):
the total, the summary table (area, criterion, sub-criterion, maximum, self-score, evidence),
the explanations of the scores without complete evidence, and the agencies' difficulties
and proposals; as .docx in the decree's layout and its table as .xlsx in the appendix's.

The sub-criteria's figures come from assessments.province.province_entries, the one read of
the self-assessment; the totals of areas, criteria and the index from reports.rollups, the
rule of every page, so that the document's total is the overview's self-assessed total.
"""

import io
from dataclasses import dataclass
from decimal import Decimal

from django.utils import translation
from docx.document import Document as DocxDocument

from assessments.province import SENT, ProvinceEntry, province_entries
from assignments.models import YearlyReport
from criteria.exporters import write_appendix
from criteria.layout import AppendixTable, YearSpan
from criteria.models import Criterion, Plan
from criteria.templatetags.scores import score, score_range
from reports.documents import layout
from reports.figures import Basis
from reports.rollups import GapRow, YearResults, YearTotal

TEMPLATE = "self_assessment"
NOT_SCORED = "—"  # a sub-criterion the ministry scores by its survey: no self-assessment


@dataclass
class SummaryRow:
    """A row of the summary table: an area, a criterion or a sub-criterion."""

    criterion: Criterion
    self_score: Decimal | None
    entry: ProvinceEntry | None  # for a sub-criterion

    @property
    def is_leaf(self) -> bool:
        return self.entry is not None

    @property
    def evidence(self) -> str:
        if self.entry is None:
            return ""
        if self.criterion.is_survey:
            return NOT_SCORED
        return "Có" if self.entry.has_evidence else "Không"


@dataclass
class SelfAssessment:
    """What the report says, read once for its .docx and its .xlsx."""

    plan: Plan
    year: int
    rows: list[SummaryRow]
    total: YearTotal
    reports: list[YearlyReport]  # the agencies' sent yearly reports

    @classmethod
    def build(cls, plan: Plan, year: int) -> "SelfAssessment":
        entries = {entry.criterion.pk: entry for entry in province_entries(plan, year)}
        results = YearResults.build(plan, year, basis=Basis.SELF)
        rows = [_summary_row(row, entries.get(row.criterion.pk)) for row in results.rows]
        reports = list(
            YearlyReport.objects.filter(cycle__plan=plan, cycle__year=year, status__in=SENT)
            .select_related("agency")
            .order_by("agency__name")
        )
        return cls(plan=plan, year=year, rows=rows, total=results.total, reports=reports)

    @property
    def entries(self) -> list[ProvinceEntry]:
        return [row.entry for row in self.rows if row.entry is not None]

    @property
    def leaves_sum(self) -> Decimal | None:
        """The sub-criteria's self-scores added up, where any is entered."""
        scores = [e.self_score for e in self.entries if e.self_score is not None]
        return sum(scores, Decimal(0)) if scores else None

    @property
    def explained(self) -> list[ProvinceEntry]:
        """The scored sub-criteria with an explanation or without complete evidence."""
        return [
            e
            for e in self.entries
            if not e.criterion.is_survey and (e.explanation or not e.evidence_complete)
        ]


def _summary_row(row: GapRow, entry: ProvinceEntry | None) -> SummaryRow:
    if entry is not None:
        return SummaryRow(row.criterion, entry.self_score, entry)
    return SummaryRow(row.criterion, row.actual, None)


def abstract(plan: Plan, year: int) -> str:
    return (
        f"Kết quả tự đánh giá, chấm điểm Chỉ số cải cách hành chính năm {year} "
        f"của tỉnh {plan.province}"
    )


def self_assessment_docx(
    assessment: SelfAssessment, letterhead: layout.Letterhead, *, issuer: layout.Issuer
) -> bytes:
    """The report as .docx; the body is Vietnamese whatever the reader's language."""
    with translation.override("vi"):
        return layout.render(TEMPLATE, letterhead, lambda doc: _body(doc, assessment, issuer))


def _body(document: DocxDocument, a: SelfAssessment, issuer: layout.Issuer) -> None:
    plan = a.plan
    who = "Ủy ban nhân dân tỉnh" if issuer == layout.Issuer.UBND else "Sở Nội vụ"
    layout.paragraph(
        document,
        f"Thực hiện {layout.plan_reference(plan)}, {who} báo cáo kết quả tự đánh giá, chấm "
        f"điểm Chỉ số cải cách hành chính năm {a.year} như sau:",
    )
    layout.heading(document, "I. KẾT QUẢ TỰ ĐÁNH GIÁ, CHẤM ĐIỂM")
    layout.paragraph(document, total_sentence(a))
    if a.total.target is not None:
        target = (a.total.target.min_score, a.total.target.max_score)
        layout.paragraph(
            document, f"Mục tiêu năm {a.year} theo Kế hoạch: {score_range(target)} điểm."
        )
    layout.paragraph(document, "Bảng tổng hợp kết quả tự đánh giá, chấm điểm:")
    header = [
        "Stt",
        "Lĩnh vực/Tiêu chí/Tiêu chí thành phần",
        "Điểm tối đa",
        "Điểm tự đánh giá",
        "Tài liệu kiểm chứng",
    ]
    body = [
        [
            row.criterion.code,
            row.criterion.title,
            score(row.criterion.max_score),
            NOT_SCORED if row.is_leaf and row.criterion.is_survey else score(row.self_score),
            row.evidence,
        ]
        for row in a.rows
    ]
    body.append(["", "TỔNG ĐIỂM", score(plan.framework.max_score), score(a.total.total), ""])
    bold = {i for i, row in enumerate(a.rows) if row.criterion.level == Criterion.Level.AREA}
    layout.table(
        document,
        header,
        body,
        widths=[1.3, 8.2, 2.2, 2.4, 2.4],
        bold_rows=bold | {len(body) - 1},
        centered={0, 2, 3, 4},
    )
    layout.paragraph(
        document,
        f"Ghi chú: “{NOT_SCORED}”: tiêu chí thành phần do Bộ Nội vụ đánh giá qua điều tra xã "
        "hội học, tỉnh không tự chấm điểm.",
    )
    leaves_sum = a.leaves_sum
    if leaves_sum is not None and leaves_sum != a.total.total:
        layout.paragraph(
            document,
            f"Tổng điểm tự đánh giá của các tiêu chí thành phần là {score(leaves_sum)} điểm; "
            f"tổng điểm trên ({score(a.total.total)}) theo điểm đã ghi của các lĩnh vực, tiêu "
            "chí hoặc là điểm dự kiến của năm chưa chốt.",
        )

    layout.heading(document, "II. GIẢI TRÌNH CÁC TIÊU CHÍ CHƯA ĐỦ TÀI LIỆU KIỂM CHỨNG")
    if not a.explained:
        layout.paragraph(document, "Các tiêu chí thành phần đều có đủ tài liệu kiểm chứng.")
    for entry in a.explained:
        c = entry.criterion
        layout.paragraph(
            document,
            " " + (entry.explanation or "Chưa có tài liệu kiểm chứng và chưa có giải trình."),
            bold_prefix=(
                f"{c.code}. {c.title} (tối đa {score(c.max_score)}, tự đánh giá "
                f"{score(entry.self_score) or 'chưa chấm'}):"
            ),
        )

    for title, field in (
        ("III. KHÓ KHĂN, VƯỚNG MẮC", "difficulties"),
        ("IV. KIẾN NGHỊ, ĐỀ XUẤT", "proposals"),
    ):
        layout.heading(document, title)
        written = [(r.agency, getattr(r, field).strip()) for r in a.reports]
        written = [(agency, text) for agency, text in written if text]
        if not written:
            layout.paragraph(document, "Các cơ quan, đơn vị không nêu.")
        for agency, text in written:
            layout.paragraph(document, " " + text, bold_prefix=f"- {agency.name}:")
    layout.paragraph(document, f"Trên đây là báo cáo kết quả tự đánh giá năm {a.year}./.")


def total_sentence(a: SelfAssessment) -> str:
    max_score = score(a.plan.framework.max_score)
    if a.total.total is None:
        return f"Tổng điểm tự đánh giá: chưa có điểm (tối đa {max_score} điểm)."
    sentence = f"Tổng điểm tự đánh giá: {score(a.total.total)}/{max_score} điểm"
    if a.total.is_projection:
        sentence += (
            f" (dự kiến: đã chấm {a.total.entered}/{a.total.leaf_count} tiêu chí thành phần, "
            "các tiêu chí chưa chấm tính theo kết quả năm trước)"
        )
    return sentence + "."


def self_assessment_xlsx(assessment: SelfAssessment) -> bytes:
    """The summary table in the appendix's layout, with the year's self-assessment columns."""
    a = assessment
    with translation.override("vi"):
        scores: dict[str, Decimal | str | None] = {
            row.criterion.code: (
                NOT_SCORED if row.is_leaf and row.criterion.is_survey else row.self_score
            )
            for row in a.rows
        }
        scores[""] = a.total.total
        evidence: dict[str, Decimal | str | None] = {
            row.criterion.code: row.evidence for row in a.rows
        }
        explanations: dict[str, Decimal | str | None] = {
            entry.criterion.code: entry.explanation for entry in a.entries if entry.explanation
        }
        buffer = io.BytesIO()
        write_appendix(
            AppendixTable.from_plan(a.plan),
            province=a.plan.province,
            plan_number=a.plan.number,
            issued_on=a.plan.issued_on,
            out=buffer,
            period=YearSpan(a.plan.first_year, a.plan.last_year),
            extra_columns={
                f"Tự đánh giá năm {a.year}": scores,
                "Tài liệu kiểm chứng": evidence,
                "Giải trình": explanations,
            },
        )
    return buffer.getvalue()
