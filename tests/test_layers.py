"""The code's shape: one direction of dependency between the apps, and imports at the top of each module.

The layer contract itself is in pyproject.toml ([tool.importlinter]) and `make lint` runs it; it is run here too
so that `make test` alone catches an import against the layers.
"""

import ast
import pathlib
import shutil
import subprocess
import sys

ROOT = pathlib.Path(__file__).resolve().parent.parent
APPS = ("cells", "members", "meetings", "criteria", "evaluations", "reports", "config", "demo")
REASON = "# import here:"


def application_modules():
    for app in APPS:
        for path in sorted((ROOT / app).rglob("*.py")):
            if "migrations" not in path.parts:
                yield path


def function_level_imports(path: pathlib.Path) -> list[tuple[int, bool]]:
    """(line, has a reason) for every import inside a function or class body of the module."""
    source = path.read_text(encoding="utf-8")
    tree = ast.parse(source)
    lines = source.splitlines()
    # Imports under a module-level `if` or `try` (e.g. `if TYPE_CHECKING:`) are module-level imports.
    in_functions = {
        id(inner)
        for outer in ast.walk(tree)
        if isinstance(outer, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef)
        for inner in ast.walk(outer)
    }
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import | ast.ImportFrom) and id(node) in in_functions:
            # The reason stands on the line itself or on the comment lines just above the import block.
            line = node.lineno - 1
            has_reason = REASON in lines[line]
            above = line - 1
            while not has_reason and above >= 0 and lines[above].strip().startswith(("#", "from ", "import ")):
                has_reason = REASON in lines[above]
                above -= 1
            found.append((node.lineno, has_reason))
    return found


def test_imports_stand_at_the_top_of_the_module_unless_django_requires_otherwise():
    """A function-level import needs a reason on a comment: Django's app loading (AppConfig.ready, where the
    hooks of cells are filled) or an optional system library (WeasyPrint needs Pango, which a machine without
    the optional packages lacks: the application must still start there)."""
    unexplained, explained = [], []
    for path in application_modules():
        for line, has_reason in function_level_imports(path):
            place = f"{path.relative_to(ROOT)}:{line}"
            (explained if has_reason else unexplained).append(place)
    assert unexplained == [], "imports inside functions without '# import here: <reason>': " + ", ".join(unexplained)
    print(f"function-level imports, each with its reason: {len(explained)}: {', '.join(explained)}")
    assert len(explained) <= 8, "a new function-level import is a design decision: see README, How the code is laid out"


def test_the_reason_marker_is_found_by_the_counter(tmp_path):
    """The counter above would pass vacuously if it never saw a nested import: show it sees both kinds."""
    module = tmp_path / "sample.py"
    module.write_text(
        "import os\n\nif os.name:\n    import sys\n\n\ndef f():\n    import json\n\n\ndef g():\n"
        "    # import here: app loading\n    import csv\n"
    )
    assert function_level_imports(module) == [(8, False), (13, True)]


def test_no_application_module_imports_the_demo_builders():
    """demo/ fills every app; the running application never imports it (it is off its import path)."""
    offenders = []
    for path in application_modules():
        if path.parts[len(ROOT.parts)] == "demo":
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = []
            if isinstance(node, ast.ImportFrom) and node.module and not node.level:
                names = [node.module]
            elif isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            offenders += [f"{path.relative_to(ROOT)}:{node.lineno}" for name in names if name.split(".")[0] == "demo"]
    assert offenders == []


def test_the_layer_contract_holds():
    lint_imports = shutil.which("lint-imports", path=str(pathlib.Path(sys.executable).parent))
    assert lint_imports, "import-linter is a dev dependency: make venv installs it"
    result = subprocess.run([lint_imports], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "1 kept, 0 broken" in result.stdout


def test_the_production_image_copies_every_application_package():
    """The Dockerfile lists what it copies (no `COPY . .`): a new app without its line would fail at start-up."""
    copied = {line.split()[1] for line in (ROOT / "Dockerfile").read_text().splitlines() if line.startswith("COPY ")}
    missing = [app for app in APPS if app not in copied]
    assert missing == []
