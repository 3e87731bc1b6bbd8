"""The README's screenshots are written by `make screenshots`, never by a test run."""

from pathlib import Path

from tests.browser import screenshots


class RecordingPage:
    """Stands in for a Playwright page: records where it was asked to save itself."""

    def __init__(self) -> None:
        self.saved: list[tuple[Path, bool]] = []

    def screenshot(self, *, path: Path, full_page: bool, animations: str) -> bytes:
        Path(path).write_bytes(b"\x89PNG")
        self.saved.append((Path(path), full_page))
        return b"\x89PNG"


def test_a_test_run_writes_no_screenshot(monkeypatch):
    monkeypatch.delenv(screenshots.SCREENSHOTS_DIR, raising=False)
    page = RecordingPage()

    path = screenshots.save(page, "plan")

    assert path is None
    assert page.saved == []


def test_make_screenshots_writes_them_where_it_asks(monkeypatch, tmp_path):
    folder = tmp_path / "docs" / "screenshots"
    monkeypatch.setenv(screenshots.SCREENSHOTS_DIR, str(folder))
    page = RecordingPage()

    path = screenshots.save(page, "score-grid", full_page=False)

    assert path == folder / "score-grid.png"
    assert page.saved == [(folder / "score-grid.png", False)]
    assert path.read_bytes() == b"\x89PNG"
