"""Write the editable templates of the documents Sở Nội vụ issues, once:

    .venv/bin/python -m reports.documents.build_templates

The files it writes (templates/*.docx) are the province's to edit in Word afterwards: the
layout of Decree 30/2020/NĐ-CP (A4, Times New Roman, the decree's margins, the header with
the issuing body and the national motto, the title, "Nơi nhận:" and the signature), the
styles of the body, and the fixed texts such as the list of recipients. The portal only
fills the placeholders {{name}} (reports/documents/layout.py) and puts the body where
{{noi_dung}} stands. Running this script again overwrites a province's edits.
"""

from pathlib import Path

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Mm, Pt
from docx.text.paragraph import Paragraph

TEMPLATES = Path(__file__).resolve().parent / "templates"
FONT = "Times New Roman"

# Nơi nhận of each document, as a province usually sends it; edited in the template.
RECIPIENTS = {
    "self_assessment": [
        "- Bộ Nội vụ (b/c);",
        "- TT. Tỉnh ủy, TT. HĐND tỉnh (b/c);",
        "- CT, các PCT UBND tỉnh;",
        "- Các sở, ban, ngành tỉnh;",
        "- UBND các huyện, thị xã, thành phố;",
        "- Lưu: VT, NC.",
    ],
    "plan_results": [
        "- UBND tỉnh (b/c);",
        "- Bộ Nội vụ (b/c);",
        "- Các sở, ban, ngành tỉnh;",
        "- UBND các huyện, thị xã, thành phố;",
        "- Lưu: VT, CCHC.",
    ],
    "unit_results": [
        "- Như Điều 3;",
        "- Bộ Nội vụ (b/c);",
        "- TT. Tỉnh ủy, TT. HĐND tỉnh (b/c);",
        "- CT, các PCT UBND tỉnh;",
        "- Ban Thi đua - Khen thưởng tỉnh;",
        "- Cổng Thông tin điện tử tỉnh;",
        "- Lưu: VT, NC.",
    ],
}


def _set_font(style_or_run, size: float, *, bold: bool = False, italic: bool = False) -> None:
    font = style_or_run.font
    font.name = FONT
    font.size = Pt(size)
    font.bold = bold
    font.italic = italic
    # Vietnamese letters are drawn from the East Asian and complex-script slots too.
    r_pr = style_or_run.element.get_or_add_rPr()
    fonts = r_pr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        r_pr.insert(0, fonts)
    for slot in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        fonts.set(qn(slot), FONT)
    # A theme font (the headings' own) would win over the named one.
    for slot in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
        fonts.attrib.pop(qn(slot), None)


def _styles(document) -> None:
    styles = document.styles
    normal = styles["Normal"]
    _set_font(normal, 14)
    normal.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
    normal.paragraph_format.space_before = Pt(0)
    normal.paragraph_format.space_after = Pt(6)
    normal.paragraph_format.line_spacing = 1.0
    normal.paragraph_format.first_line_indent = Cm(1)
    for name, size, bold, italic in (
        ("Heading 1", 14, True, False),
        ("Heading 2", 14, True, False),
        ("Heading 3", 14, False, True),
    ):
        style = styles[name]
        _set_font(style, size, bold=bold, italic=italic)
        style.font.color.rgb = None
        style.paragraph_format.space_before = Pt(6)
        style.paragraph_format.space_after = Pt(6)
        style.paragraph_format.first_line_indent = Cm(1)
        style.paragraph_format.keep_with_next = True
        style.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
    # The texts of the layout (header, title, signature) and of the tables: no indent.
    for name, size in (("Khung", 14), ("Bảng", 12)):
        style = styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
        style.base_style = normal
        _set_font(style, size)
        style.paragraph_format.first_line_indent = Cm(0)
        style.paragraph_format.space_after = Pt(0)
        style.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.CENTER
    styles["Bảng"].paragraph_format.alignment = WD_ALIGN_PARAGRAPH.LEFT


def _page(document) -> None:
    section = document.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin, section.bottom_margin = Mm(20), Mm(20)
    section.left_margin, section.right_margin = Mm(30), Mm(15)


def _line(cell_or_doc, *, indent: float, size: float = 2) -> None:
    """The short rule under a name, the motto or the abstract (a bordered empty line)."""
    paragraph = cell_or_doc.add_paragraph(style="Khung")
    paragraph.paragraph_format.left_indent = Cm(indent)
    paragraph.paragraph_format.right_indent = Cm(indent)
    run = paragraph.add_run()
    run.font.size = Pt(size)
    borders = OxmlElement("w:pBdr")
    top = OxmlElement("w:top")
    for key, value in (("w:val", "single"), ("w:sz", "6"), ("w:space", "1"), ("w:color", "000000")):
        top.set(qn(key), value)
    borders.append(top)
    paragraph._p.get_or_add_pPr().append(borders)


def _text(container, text: str, size: float, *, bold=False, italic=False, style="Khung"):
    paragraph: Paragraph = container.add_paragraph(style=style)
    _set_font(paragraph.add_run(text), size, bold=bold, italic=italic)
    return paragraph


def _no_borders(table) -> None:
    borders = OxmlElement("w:tblBorders")
    for edge in ("top", "left", "bottom", "right", "insideH", "insideV"):
        element = OxmlElement(f"w:{edge}")
        element.set(qn("w:val"), "nil")
        borders.append(element)
    table._tbl.tblPr.append(borders)


def _two_columns(document, left: float, right: float):
    table = document.add_table(rows=1, cols=2)
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False
    _no_borders(table)
    for column, cell, width in zip(table.columns, table.rows[0].cells, (left, right), strict=True):
        column.width = cell.width = Cm(width)  # the grid for LibreOffice, the cell for Word
        # The new cell's own empty paragraph would leave a blank line at the top.
        cell._tc.remove(cell.paragraphs[0]._p)
    return table.rows[0].cells


def build(kind: str) -> Path:
    document = Document()
    _styles(document)
    _page(document)

    left, right = _two_columns(document, 6.5, 10)
    _text(left, "{{co_quan_chu_quan}}", 13)
    _text(left, "{{co_quan_ban_hanh}}", 13, bold=True)
    _line(left, indent=2)
    _text(left, "Số: {{so_ky_hieu}}", 13)
    _text(right, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", 12, bold=True)
    _text(right, "Độc lập - Tự do - Hạnh phúc", 13, bold=True)
    _line(right, indent=2.6)
    _text(right, "{{dia_danh_ngay_thang}}", 14, italic=True)

    _text(document, "", 14)
    _text(document, "{{ten_loai}}", 14, bold=True)
    _text(document, "{{trich_yeu}}", 14, bold=True)
    _line(document, indent=6.5)
    document.add_paragraph("{{noi_dung}}")

    left, right = _two_columns(document, 8, 8.5)
    _text(left, "Nơi nhận:", 12, bold=True, italic=True).alignment = WD_ALIGN_PARAGRAPH.LEFT
    for line in RECIPIENTS[kind]:
        _text(left, line, 11).alignment = WD_ALIGN_PARAGRAPH.LEFT
    _text(right, "{{quyen_han_ky}}", 14, bold=True)
    for _blank in range(4):
        _text(right, "", 14)
    _text(right, "{{nguoi_ky}}", 14, bold=True)

    TEMPLATES.mkdir(exist_ok=True)
    path = TEMPLATES / f"{kind}.docx"
    document.save(path)
    return path


if __name__ == "__main__":
    import sys

    # Name the templates to write (e.g. unit_results) to leave the others' edits alone.
    for kind in sys.argv[1:] or RECIPIENTS:
        print(build(kind))
