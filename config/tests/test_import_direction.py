"""Imports point one way: `common`, the shared library, imports no app; no app imports `config`, the project root."""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
APPS = sorted(path.parent.name for path in ROOT.glob("*/apps.py") if path.parent.name != "common")


def imported_modules(package: str) -> list[tuple[str, str]]:
    """(file, module) of every import in a package's code, its tests left out."""
    found = []
    for path in sorted((ROOT / package).rglob("*.py")):
        if "tests" in path.relative_to(ROOT).parts:
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Import):
                found += [(str(path.relative_to(ROOT)), alias.name) for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                found.append((str(path.relative_to(ROOT)), node.module))
    return found


def test_the_apps_are_found():
    assert {"accounts", "posts", "products", "apikeys", "audit", "mfa"} <= set(APPS)


def test_the_shared_library_imports_no_app():
    offending = [(file, module) for file, module in imported_modules("common") if module.split(".")[0] in APPS]
    assert offending == []


@pytest.mark.parametrize("app", APPS)
def test_an_app_does_not_import_the_project_root(app):
    offending = [(file, module) for file, module in imported_modules(app) if module.split(".")[0] == "config"]
    assert offending == []
