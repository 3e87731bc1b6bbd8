"""criteria.exporters.xml_text: what an .xlsx or .docx cell can hold of a pasted text."""

from criteria.exporters import xml_text


def test_word_breaks_become_line_breaks_and_other_control_characters_go():
    assert xml_text("a\x0bb\x0cc\x00d\x07e\x1ff") == "a\nb\ncdef"


def test_tabs_line_breaks_and_vietnamese_are_kept():
    text = "Cột 1\tCột 2\r\nDòng mới: Đạt 95%"
    assert xml_text(text) == text
