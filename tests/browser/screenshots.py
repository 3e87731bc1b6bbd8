"""The README's screenshots, written only when asked for (`make screenshots`).

They show the day's date, so a test run that wrote them would change tracked files every
time: the journeys call `save` always, and it writes only when PAR_SCREENSHOTS_DIR is set.
"""

import os
from pathlib import Path

from playwright.sync_api import Page

SCREENSHOTS_DIR = "PAR_SCREENSHOTS_DIR"


def save(page: Page, name: str, *, full_page: bool = True) -> Path | None:
    """Save the page as <PAR_SCREENSHOTS_DIR>/<name>.png; nothing when the variable is unset."""
    folder = os.environ.get(SCREENSHOTS_DIR)
    if not folder:
        return None
    path = Path(folder) / f"{name}.png"
    path.parent.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=path, full_page=full_page, animations="disabled")
    return path
