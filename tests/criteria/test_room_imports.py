"""criteria is a lower room than assignments (DESIGN.md): it must not import it, not even
lazily. A few modules still do; their list may only shrink."""

import ast
from pathlib import Path

from django.conf import settings

CRITERIA = Path(settings.BASE_DIR) / "criteria"
# Known, to be moved into assignments; not to grow.
STILL_IMPORTING = {
    "caching.py",
    "management/commands/check_plan.py",
    "services.py",
    "views.py",
}


def _imports(path: Path, room: str = "assignments") -> bool:
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0:
            names = [node.module or ""]
        else:
            continue
        if any(name == room or name.startswith(f"{room}.") for name in names):
            return True
    return False


def test_criteria_imports_assignments_only_where_it_is_known_to():
    importing = {
        path.relative_to(CRITERIA).as_posix() for path in CRITERIA.rglob("*.py") if _imports(path)
    }

    assert importing <= STILL_IMPORTING
    # The demo, which builds the agencies' work, lives in assignments.
    assert not (CRITERIA / "management/commands/load_demo.py").exists()


def test_assignments_never_imports_assessments():
    """load_demo lives in assessments and calls assignments' loader, not the reverse."""
    assignments = Path(settings.BASE_DIR) / "assignments"

    importing = [p for p in assignments.rglob("*.py") if _imports(p, "assessments")]

    assert importing == []
    assert not (assignments / "management/commands/load_demo.py").exists()
