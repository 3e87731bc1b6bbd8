"""Official results files in the appendix's layout, with an official-score column and the
ministry's reasons, built as tests/criteria/sheets.py builds the appendix."""

from collections.abc import Sequence
from typing import Any

from tests.criteria.sheets import HEADER_SUB, HEADER_TOP, ROWS, TOTAL, appendix_xlsx

OFFICIAL_TITLE = "Điểm chính thức năm 2018"
REASON_TITLE = "Lý do trừ điểm"
# code -> (official score, reason): 1.1.2 lost 0,5 and 2.1 lost 1,37 against the 2017 column.
OFFICIAL = {
    "1": (8.5, None),
    "1.1": (1, None),
    "1.1.1": (0.5, None),
    "1.1.2": (0.5, "Kế hoạch chưa hoàn thành đúng hạn"),
    "1.2": (7, None),
    "2": (7, None),
    "2.1": (7, "Chưa ban hành báo cáo theo dõi thi hành pháp luật"),
}


def official_xlsx(
    official: dict[str, tuple[Any, Any]] = OFFICIAL,
    *,
    title: str = OFFICIAL_TITLE,
    with_reason: bool = True,
    rows: Sequence[Sequence[Any]] = ROWS,
) -> bytes:
    """The appendix of tests/criteria/sheets.py with the year's official column (and reason)."""
    extra_top = [title, REASON_TITLE] if with_reason else [title]
    width = len(extra_top)
    body = []
    for row in rows:
        value, reason = official.get(str(row[0]), (None, None))
        body.append([*row, value, reason][: len(row) + width])
    return appendix_xlsx(
        body,
        header_top=[*HEADER_TOP, *extra_top],
        header_sub=[*HEADER_SUB, *[None] * width],
        total=[*TOTAL, 15.5, None][: len(TOTAL) + width],
    )
