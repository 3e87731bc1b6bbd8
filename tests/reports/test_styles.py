"""The report pages' rules in portal.css reach the screen, not only the printer."""

import re
from pathlib import Path

from django.conf import settings

STYLESHEET = Path(settings.BASE_DIR) / "static" / "css" / "portal.css"


def _rules_by_depth(css: str) -> dict[str, int]:
    """Each rule's selector (or at-rule) and how many blocks enclose it."""
    css = re.sub(r"/\*.*?\*/", "", css, flags=re.DOTALL)
    rules: dict[str, int] = {}
    depth, start = 0, 0
    for position, char in enumerate(css):
        if char == "{":
            selector = css[start:position].strip().rpartition(";")[2].strip()
            rules.setdefault(selector, depth)
            depth += 1
            start = position + 1
        elif char == "}":
            depth -= 1
            start = position + 1
    rules[""] = depth  # what is still open at the end of the file
    return rules


def test_every_block_of_the_stylesheet_is_closed():
    rules = _rules_by_depth(STYLESHEET.read_text(encoding="utf-8"))

    assert rules[""] == 0


def test_report_rules_are_not_inside_the_plan_pages_print_block():
    rules = _rules_by_depth(STYLESHEET.read_text(encoding="utf-8"))

    for selector in [".year-nav", ".score-grid td.row-save", ".filters", "dl.summary"]:
        assert rules[selector] == 0, f"{selector} sits inside another block"


def test_depths_are_counted_through_nested_blocks():
    css = "a { x: 1; }\n@media print {\n  /* b { */ b { y: 2; }\nc { z: 3; }"

    rules = _rules_by_depth(css)

    assert rules == {"a": 0, "@media print": 0, "b": 1, "c": 1, "": 1}


def _declarations(css: str, selector: str) -> str:
    css = re.sub(r"/\*.*?\*/", "", css, flags=re.DOTALL)
    match = re.search(r"(?:^|})\s*" + re.escape(selector) + r"\s*\{([^}]*)\}", css)
    assert match, f"no rule for {selector}"
    return match.group(1)


def test_reaching_the_target_is_drawn_in_the_success_colour():
    css = STYLESHEET.read_text(encoding="utf-8")

    # "Đạt mục tiêu" (within the range) and "Vượt mục tiêu" both succeed; only "Chưa đạt" warns.
    assert "color: var(--above)" in _declarations(css, ".status-within")
    assert "color: var(--above)" in _declarations(css, ".status-above")
    assert "color: var(--below)" in _declarations(css, ".status-below")
