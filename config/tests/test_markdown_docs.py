"""
The README and docs/ stay true to the repository: links resolve, named files and modules exist,
every environment variable the code reads is documented (and nothing else is), the README stays
a newcomer's page, and CI runs the test command the README gives.

Plain text checks on the Markdown files; no rendering tool is needed.
"""

import re
from pathlib import Path

import pytest

BASE_DIR = Path(__file__).resolve().parents[2]
README = BASE_DIR / "README.md"
DOCS = sorted((BASE_DIR / "docs").glob("*.md"))
PAGES = [README, *DOCS]
README_MAX_LINES = 250

FENCE = re.compile(r"^```.*?^```", re.MULTILINE | re.DOTALL)
HEADING = re.compile(r"^#{1,6}\s+(.+?)\s*#*$", re.MULTILINE)
LINK = re.compile(r"(?<!!)\[[^\]]*\]\(([^)\s]+)\)")
INLINE_CODE = re.compile(r"`([^`\n]+)`")
# A repository path as the docs write one: `common/health.py`, `e2e/`, `.ci/run`.
REPO_PATH = re.compile(r"^\.?[A-Za-z0-9_][\w.-]*/(?:[\w.-]+/?)*$")
TOP_LEVEL_FILE = re.compile(r"^\.?[\w.-]+\.(?:py|md|toml|ini|yml|yaml|txt|sh|conf|example)$|^(?:Dockerfile|Makefile)$")
# A Python reference: `common.rows.row_renderer`, `accounts.tokens.VerifiedOnceBackend`.
DOTTED = re.compile(r"^[a-z_][a-z0-9_]*(?:\.[A-Za-z_]\w*)+$")
# Dotted names that are not modules: the request log's logger.
NOT_MODULES = {"config.request"}
NOT_IN_REPOSITORY = {".git", ".venv", "artifacts", "staticfiles", ".pytest_cache", ".ruff_cache"}

# Where the code reads the environment, and how.
ENV_SOURCES = [
    *sorted((BASE_DIR / "config" / "settings").glob("*.py")),
    BASE_DIR / "gunicorn.conf.py",
    BASE_DIR / "manage.py",
    BASE_DIR / "config" / "wsgi.py",
    BASE_DIR / "config" / "asgi.py",
    BASE_DIR / "config" / "celery.py",
    BASE_DIR / "docker" / "entrypoint.sh",
    BASE_DIR / "docker" / "healthcheck.py",
]
ENV_READ = re.compile(
    r"""env(?:\.\w+)?\(\s*"([A-Z][A-Z0-9_]+)"|os\.environ(?:\.get|\.setdefault)?[(\[]\s*"([A-Z][A-Z0-9_]+)"|\$\{([A-Z][A-Z0-9_]+)"""
)
TABLE_FIRST_CELL = re.compile(r"^\|\s*([^|]+?)\s*\|", re.MULTILINE)


def prose(path: Path) -> str:
    """The page without its fenced code blocks (shell sessions, diagrams, JSON)."""
    return FENCE.sub("", path.read_text())


def slug(heading: str) -> str:
    """The anchor a Markdown forge gives a heading: lower case, punctuation dropped, spaces to hyphens."""
    text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", heading).lower()
    return re.sub(r"[^\w\- ]", "", text).replace(" ", "-")


def anchors(path: Path) -> set[str]:
    seen: dict[str, int] = {}
    found = set()
    for heading in HEADING.findall(prose(path)):
        base = slug(heading)
        count = seen.get(base, 0)
        seen[base] = count + 1
        found.add(base if count == 0 else f"{base}-{count}")
    return found


def name(path: Path) -> str:
    return str(path.relative_to(BASE_DIR))


def test_readme_is_a_short_page_that_links_the_docs():
    lines = README.read_text().splitlines()
    assert len(lines) <= README_MAX_LINES, f"README.md has {len(lines)} lines; move detail to docs/"
    text = README.read_text()
    for page in DOCS:
        assert f"(docs/{page.name}" in text or page.name == "README.md", f"README.md does not link docs/{page.name}"


def test_ci_runs_the_test_command_the_readme_gives():
    readme = README.read_text()
    assert "make run" in readme
    assert "make test" in readme
    makefile = (BASE_DIR / "Makefile").read_text()
    assert re.search(r"^run:", makefile, re.MULTILINE)
    assert re.search(r"^test:", makefile, re.MULTILINE)
    ci_commands = [line.strip() for line in (BASE_DIR / ".ci" / "run").read_text().splitlines()]
    assert "make test" in ci_commands


@pytest.mark.parametrize("page", PAGES, ids=name)
def test_every_relative_link_resolves(page):
    broken = []
    for target in LINK.findall(prose(page)):
        if re.match(r"^[a-z]+:", target):  # http:, https:, mailto:
            continue
        file_part, _, anchor = target.partition("#")
        linked = (page.parent / file_part).resolve() if file_part else page
        if not linked.exists():
            broken.append(f"{target}: no such file")
        elif anchor and linked.suffix == ".md" and anchor not in anchors(linked):
            broken.append(f"{target}: no heading #{anchor} in {name(linked)}")
    assert not broken, f"{name(page)}: {broken}"


def repository_entries() -> set[str]:
    return {entry.name for entry in BASE_DIR.iterdir()} - NOT_IN_REPOSITORY


@pytest.mark.parametrize("page", PAGES, ids=name)
def test_every_repository_path_named_exists(page):
    top_level = repository_entries()
    missing = []
    for code in INLINE_CODE.findall(prose(page)):
        if REPO_PATH.match(code) and code.split("/")[0] in top_level:
            if not (BASE_DIR / code).exists():
                missing.append(code)
        elif TOP_LEVEL_FILE.match(code) and not (BASE_DIR / code).exists():
            missing.append(code)
    assert not missing, f"{name(page)} names files that do not exist: {missing}"


def dotted_reference_exists(reference: str) -> bool:
    """`a.b.c`: a module a/b/c(.py), or a name defined at the top of module a/b (or of a package's models)."""
    parts = reference.split(".")
    for cut in range(len(parts), 0, -1):
        base = BASE_DIR.joinpath(*parts[:cut])
        module = base.with_suffix(".py") if base.with_suffix(".py").exists() else base / "__init__.py"
        if not module.exists():
            continue
        rest = parts[cut:]
        if not rest:
            return True
        if len(rest) > 1:
            return False
        defined = re.compile(rf"^(?:class|def)\s+{rest[0]}\b|^{rest[0]}\s*[:=]", re.MULTILINE)
        candidates = [module, base / "models.py"]
        return any(path.exists() and defined.search(path.read_text()) for path in candidates)
    return False


@pytest.mark.parametrize("page", PAGES, ids=name)
def test_every_python_reference_named_exists(page):
    packages = {entry.name for entry in BASE_DIR.iterdir() if (entry / "__init__.py").exists()}
    missing = [
        code
        for code in INLINE_CODE.findall(prose(page))
        if DOTTED.match(code)
        and code.split(".")[0] in packages
        and code not in NOT_MODULES
        and not dotted_reference_exists(code)
    ]
    assert not missing, f"{name(page)} names modules or objects that do not exist: {missing}"


def variables_read_by_the_code() -> set[str]:
    found = set()
    for source in ENV_SOURCES:
        for groups in ENV_READ.findall(source.read_text()):
            found.update(group for group in groups if group)
    return found


def variables_documented() -> set[str]:
    """Every `NAME` in the first column of configuration.md's tables (`A` / `B` rows name two)."""
    text = (BASE_DIR / "docs" / "configuration.md").read_text()
    found = set()
    for cell in TABLE_FIRST_CELL.findall(text):
        found.update(code for code in INLINE_CODE.findall(cell) if re.fullmatch(r"[A-Z][A-Z0-9_]+", code))
    return found


def test_configuration_lists_exactly_the_variables_the_code_reads():
    read, documented = variables_read_by_the_code(), variables_documented()
    assert read, "no environment reads found: the pattern no longer matches the settings"
    assert not read - documented, (
        f"read by the code but missing from docs/configuration.md: {sorted(read - documented)}"
    )
    assert not documented - read, f"in docs/configuration.md but read nowhere: {sorted(documented - read)}"


def test_slug_follows_the_forge_rules():
    assert slug("What made it fast (kept)") == "what-made-it-fast-kept"
    assert slug("Authentication's user row through `Model.from_db`") == "authentications-user-row-through-modelfrom_db"
    assert slug("Lists: pagination, filtering, search") == "lists-pagination-filtering-search"


# The account-security guarantees' settings and names that README's security section must give.
README_SECURITY_NAMES = [
    "auth/reauthenticate/",
    "REAUTH_SECONDS",
    "reauthentication_required",
    "THROTTLE_PASSWORD_CHECK",
    "LOGIN_FAILURES_PER_ACCOUNT",
    "MFA_FAILURES_PER_ACCOUNT",
    "CACHE_URL",
    "DJANGO_SECRET_KEY",
    "JWT_SIGNING_KEY",
    "DJANGO_ALLOW_LOCAL_CACHE",
    "DJANGO_ALLOW_LOCAL_MAIL",
    "DJANGO_ALLOW_HTTP_FRONTEND",
    "DJANGO_TRUSTED_PROXIES",
    "Cache-Control: no-store",
    "admin",
]


def readme_section(title: str) -> str:
    text = prose(README)
    match = re.search(rf"^## {re.escape(title)}\n(.*?)(?=^## |\Z)", text, re.MULTILINE | re.DOTALL)
    assert match, f"README.md has no '## {title}' section"
    return match.group(1)


def test_the_readme_security_section_names_the_settings_behind_the_guarantees():
    names = set(INLINE_CODE.findall(readme_section("Security")))
    missing = [wanted for wanted in README_SECURITY_NAMES if wanted not in names]
    assert not missing, f"README.md's security section does not name: {missing}"
