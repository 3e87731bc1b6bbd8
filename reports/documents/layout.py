"""The frame of an official document (Decree 30/2020/NĐ-CP) filled from an editable template.

A template (templates/<kind>.docx, written once by build_templates.py and then the
province's to edit in Word) holds the page, the styles, the header with the national
motto, the title, "Nơi nhận:" and the signature, with placeholders {{name}}. `render`
fills them from a `Letterhead` and puts the body, built with python-docx by each document,
where the paragraph {{noi_dung}} stands.
"""

import datetime
import io
import re
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

from docx import Document
from docx.document import Document as DocxDocument
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Pt
from docx.table import Table
from docx.text.paragraph import Paragraph

from criteria.exporters import xml_text

TEMPLATES = Path(__file__).resolve().parent / "templates"
DOCX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
BODY_MARKER = "{{noi_dung}}"
PLACEHOLDER = re.compile(r"\{\{\s*(\w+)\s*\}\}")
# The number left open in a draft, filled in by the office that registers the document.
BLANK_NUMBER = "…"


class Issuer(StrEnum):
    """Who issues the document: the People's Committee, or Sở Nội vụ in its own name."""

    UBND = "ubnd"
    SNV = "snv"


@dataclass(frozen=True)
class Letterhead:
    """What the frame of the document says (Decree 30's components)."""

    parent_body: str  # cơ quan chủ quản, "" for the People's Committee itself
    issuing_body: str  # tên cơ quan ban hành, one line per line
    number: str  # "Số: 12/BC-UBND"
    place: str
    date: datetime.date | None
    kind_name: str  # tên loại văn bản: "BÁO CÁO"
    abstract: str  # trích yếu
    authority: str  # quyền hạn, chức vụ người ký, one line per line
    signer: str  # họ và tên người ký

    @classmethod
    def of(
        cls,
        *,
        issuer: Issuer,
        province: str,
        abstract: str,
        number: str = "",
        date: datetime.date | None = None,
        signer_title: str = "",
        signer_name: str = "",
        kind_name: str = "BÁO CÁO",
        kind_symbol: str = "BC",
    ) -> "Letterhead":
        """The letterhead of `issuer` in `province`, with the decree's defaults for what is
        not given: an open number, an open date, the usual signature of the issuer. The
        document is a report ("BÁO CÁO", number "…/BC-UBND") unless `kind_name` and
        `kind_symbol` say otherwise (a decision: "QUYẾT ĐỊNH", "QĐ")."""
        if issuer == Issuer.UBND:
            parent, body = "", f"ỦY BAN NHÂN DÂN\nTỈNH {province.upper()}"
            symbol = f"{kind_symbol}-UBND"
            authority = "TM. ỦY BAN NHÂN DÂN\nKT. CHỦ TỊCH\nPHÓ CHỦ TỊCH"
        else:
            parent, body = f"UBND TỈNH {province.upper()}", "SỞ NỘI VỤ"
            symbol = f"{kind_symbol}-SNV"
            authority = "GIÁM ĐỐC"
        return cls(
            parent_body=parent,
            issuing_body=body,
            number=f"{number.strip() or BLANK_NUMBER}/{symbol}",
            place=province,
            date=date,
            kind_name=kind_name,
            abstract=abstract,
            authority=signer_title.strip().replace("/", "\n") or authority,
            signer=signer_name.strip(),
        )

    @property
    def place_and_date(self) -> str:
        if self.date is None:
            return f"{self.place}, ngày …… tháng …… năm ……"
        # Decree 30: days below 10 and the months 1 and 2 take a leading zero.
        day = f"{self.date.day:02d}"
        month = f"{self.date.month:02d}" if self.date.month < 3 else str(self.date.month)
        return f"{self.place}, ngày {day} tháng {month} năm {self.date.year}"

    def values(self) -> dict[str, str]:
        return {
            "co_quan_chu_quan": self.parent_body,
            "co_quan_ban_hanh": self.issuing_body,
            "so_ky_hieu": self.number,
            "dia_danh_ngay_thang": self.place_and_date,
            "ten_loai": self.kind_name,
            "trich_yeu": self.abstract,
            "quyen_han_ky": self.authority,
            "nguoi_ky": self.signer,
        }


def render(template: str, letterhead: Letterhead, body: Callable[[DocxDocument], None]) -> bytes:
    """The document: the template `template` (a name in templates/) with its placeholders
    filled and the body written by `body` in place of {{noi_dung}}."""
    document = Document(str(TEMPLATES / f"{template}.docx"))
    values = letterhead.values()
    for paragraph in _all_paragraphs(document):
        _fill(paragraph, values)
    marker = next((p for p in document.paragraphs if p.text.strip() == BODY_MARKER), None)
    if marker is None:
        raise ValueError(f"{template}.docx has no paragraph {BODY_MARKER}")
    end = document.element.body[-1]  # the section's properties stay last
    before = len(document.element.body)
    body(document)
    added = list(document.element.body)[before - 1 : -1]
    for element in added:
        marker._p.addprevious(element)
    marker._p.getparent().remove(marker._p)
    assert document.element.body[-1] is end
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def _all_paragraphs(document: DocxDocument):
    yield from document.paragraphs
    for table in document.tables:
        for row in table.rows:
            for cell in row.cells:
                yield from cell.paragraphs


def _fill(paragraph: Paragraph, values: dict[str, str]) -> None:
    """Replace the placeholders of a paragraph, keeping the formatting of the run that holds
    each; a placeholder Word has split over several runs is joined into the first. A
    paragraph that held only placeholders and is left empty is removed."""
    if "{{" not in paragraph.text:
        return

    def replace(text: str) -> str:
        return PLACEHOLDER.sub(lambda m: values.get(m.group(1), m.group(0)), text)

    runs = paragraph.runs
    if all(not PLACEHOLDER.search(run.text) for run in runs) or any(
        run.text.count("{{") != run.text.count("}}") for run in runs
    ):
        # Split over runs: the whole text in the first run.
        text = paragraph.text
        for run in runs[1:]:
            run._r.getparent().remove(run._r)
        runs[0].text = text
        runs = runs[:1]
    for run in runs:
        if "{{" in run.text:
            run.text = replace(run.text)
    if not paragraph.text.strip() and paragraph._p.getparent() is not None:
        cell_paragraphs = paragraph._p.getparent().findall(qn("w:p"))
        if len(cell_paragraphs) > 1:  # a table cell keeps at least one paragraph
            paragraph._p.getparent().remove(paragraph._p)


def date_text(day: datetime.date) -> str:
    return f"{day.day:02d}/{day.month:02d}/{day.year}"


def plan_reference(plan) -> str:
    """ "Kế hoạch số 252/KH-UBND ngày 19/09/2018 của Ủy ban nhân dân tỉnh Tiền Giang về …"."""
    subject = re.sub(r"^\s*Kế hoạch\s+", "", plan.title)
    subject = subject[:1].lower() + subject[1:]
    return (
        f"Kế hoạch số {plan.number} ngày {date_text(plan.issued_on)} của Ủy ban nhân dân "
        f"tỉnh {plan.province} về {subject}"
    )


# -- What the bodies are made of --------------------------------------------------------------


def heading(document: DocxDocument, text: str, level: int = 1) -> Paragraph:
    return document.add_paragraph(text, style=f"Heading {level}")


def paragraph(document: DocxDocument, text: str, *, bold_prefix: str = "") -> Paragraph:
    """A body paragraph; line breaks of the text are kept (control characters pasted from
    Word, which a .docx cannot hold, are not)."""
    para = document.add_paragraph()
    if bold_prefix:
        para.add_run(bold_prefix).bold = True
    para.add_run(xml_text(text))
    return para


def table(
    document: DocxDocument,
    header: list[str],
    rows: list[list[str]],
    *,
    widths: list[float],
    bold_rows: set[int] = frozenset(),
    centered: set[int] = frozenset(),
) -> Table:
    """A bordered table in the style "Bảng": a bold header row repeated on every page,
    `bold_rows` (indices into `rows`) in bold, the columns `centered` centred."""
    from docx.shared import Cm

    grid = document.add_table(rows=1 + len(rows), cols=len(header))
    grid.style = document.styles["Table Grid"]
    grid.autofit = False
    header_row = grid.rows[0]
    _repeat_header(header_row)
    for column, width in zip(grid.columns, widths, strict=True):
        column.width = Cm(width)  # the grid, which LibreOffice reads; Word reads the cells'
    for index, (cell, title) in enumerate(zip(header_row.cells, header, strict=True)):
        _cell_text(cell, title, bold=True, align=WD_ALIGN_PARAGRAPH.CENTER)
        cell.width = Cm(widths[index])
    for row_index, values in enumerate(rows):
        cells = grid.rows[row_index + 1].cells
        for column, (cell, value) in enumerate(zip(cells, values, strict=True)):
            align = WD_ALIGN_PARAGRAPH.CENTER if column in centered else WD_ALIGN_PARAGRAPH.LEFT
            _cell_text(cell, value, bold=row_index in bold_rows, align=align)
            cell.width = Cm(widths[column])
    return grid


def _cell_text(cell, text: str, *, bold: bool, align) -> None:
    para = cell.paragraphs[0]
    para.style = "Bảng"
    para.alignment = align
    run = para.add_run(xml_text(text))
    run.bold = bold
    run.font.size = Pt(12)


def _repeat_header(row) -> None:
    tr_pr = row._tr.get_or_add_trPr()
    header = OxmlElement("w:tblHeader")
    header.set(qn("w:val"), "true")
    tr_pr.append(header)
