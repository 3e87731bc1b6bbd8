"""The templates are the province's to edit in Word: what it changes shows in every draft,
and a placeholder Word has split over several runs is still filled."""

import datetime
import io
import shutil

from docx import Document

from reports.documents import layout


def _letterhead() -> layout.Letterhead:
    return layout.Letterhead.of(
        issuer=layout.Issuer.SNV,
        province="Tiền Giang",
        abstract="Kết quả thực hiện Kế hoạch",
        number="7",
        date=datetime.date(2019, 2, 3),
    )


def test_an_edited_template_with_split_placeholders_is_filled(tmp_path, monkeypatch):
    shutil.copy(layout.TEMPLATES / "plan_results.docx", tmp_path / "plan_results.docx")
    edited = Document(tmp_path / "plan_results.docx")
    left = edited.tables[0].rows[0].cells[0]
    number = next(p for p in left.paragraphs if "{{so_ky_hieu}}" in p.text)
    # As Word saves a placeholder typed in two goes: "Số: {{so_" and "ky_hieu}}".
    number.runs[0].text = "Số: {{so_"
    number.add_run("ky_hieu}}")
    recipients = edited.tables[-1].rows[0].cells[0]
    recipients.add_paragraph("- Ban Tổ chức Tỉnh ủy;")
    edited.save(tmp_path / "plan_results.docx")
    monkeypatch.setattr(layout, "TEMPLATES", tmp_path)

    content = layout.render(
        "plan_results", _letterhead(), lambda doc: layout.paragraph(doc, "Nội dung.")
    )

    document = Document(io.BytesIO(content))
    left, right = document.tables[0].rows[0].cells
    assert "Số: 7/BC-SNV" in [p.text for p in left.paragraphs]
    assert "Tiền Giang, ngày 03 tháng 02 năm 2019" in [p.text for p in right.paragraphs]
    assert "- Ban Tổ chức Tỉnh ủy;" in [
        p.text for p in document.tables[-1].rows[0].cells[0].paragraphs
    ]
    texts = [p.text for p in document.paragraphs]
    assert "Nội dung." in texts and "{{noi_dung}}" not in texts
    # The body stands between the abstract and the signature, in the template's order.
    body = document.element.body
    assert body.index(document.paragraphs[texts.index("Nội dung.")]._p) < body.index(
        document.tables[-1]._tbl
    )


def test_a_date_after_february_has_no_leading_zero_in_its_month():
    letterhead = layout.Letterhead.of(
        issuer=layout.Issuer.UBND,
        province="Tiền Giang",
        abstract="",
        date=datetime.date(2019, 12, 5),
    )

    assert letterhead.place_and_date == "Tiền Giang, ngày 05 tháng 12 năm 2019"
    assert letterhead.number == "…/BC-UBND"
