"""What is left for the maintainer after `init`: what only they can do (register the trusted
publisher on PyPI) and what init could not decide (packages for the libraries it does not
know)."""

from __future__ import annotations

from packaging.utils import canonicalize_name

from .cibuildwheel import ProjectFacts, known_libraries, unmapped_libraries
from .repository import Repository
from .workflow import ENVIRONMENT

__all__ = ["next_steps"]

PENDING_PUBLISHER_PAGE = "https://pypi.org/manage/account/publishing/"


def _publisher(facts: ProjectFacts, repository: Repository, workflow_file: str) -> list[str]:
    name = canonicalize_name(facts.name)
    if repository.github:
        owner, repo = repository.github.split("/")
        where = []
    else:
        owner, repo = "OWNER", "REPO"
        where = ["    (no GitHub remote named origin: OWNER/REPO is the repository on GitHub)"]
    return [
        "Register the trusted publisher on PyPI, once:", *where,
        f"    {PENDING_PUBLISHER_PAGE} (a new project: \"Add a new pending publisher\"),",
        f"    or https://pypi.org/manage/project/{name}/settings/publishing/ (an existing one)",
        f"    PyPI project name: {name}",
        f"    Owner:             {owner}",
        f"    Repository name:   {repo}",
        f"    Workflow name:     {workflow_file}",
        f"    Environment name:  {ENVIRONMENT}",
        "  Then publishing a GitHub release uploads the sdist and wheels; no token is stored.",
    ]


def _libraries(facts: ProjectFacts) -> list[str]:
    unknown, computed = unmapped_libraries(facts)
    if not unknown and not computed:
        return []
    lines = ["Install what these modules link, for cibuildwheel's builds (init knows no "
             "package to install):"]
    lines += [f"    library {lib!r}: libraries= of {', '.join(specs)}"
              for lib, specs in unknown.items()]
    lines += [f"    the libraries {spec} computes" for spec in computed]
    if known_libraries(facts):
        lines += [
            "  add their packages to the before-all lines init wrote in pyproject.toml:",
            "    [tool.cibuildwheel.linux] (yum, manylinux), the \"*-musllinux*\" override "
            "(apk),",
            "    [tool.cibuildwheel.macos] (brew), [tool.cibuildwheel.windows] and the "
            "\"*-win_arm64\" override (vcpkg)",
        ]
    else:
        lines += [
            "  with a before-all per OS in pyproject.toml [tool.cibuildwheel]:",
            "    [tool.cibuildwheel.linux] before-all = \"yum install -y <package>-devel\"",
            "    [[tool.cibuildwheel.overrides]] select = \"*-musllinux*\", "
            "before-all = \"apk add <package>-dev\"",
            "    [tool.cibuildwheel.macos] before-all = \"brew install <formula>\"",
            "    [tool.cibuildwheel.windows] before-all = \"vcpkg install <port>:x64-windows\"",
        ]
    return lines


def _runtime_libraries(facts: ProjectFacts) -> list[str]:
    if not facts.abi_only or not facts.has_tests:
        return []
    return ["ABI-mode modules open their C library at run time: the tests job runs tests/ on",
            "  Linux, macOS and Windows runners, which must have it; for a library they lack,",
            "  add an install step to that job in the workflow."]


def next_steps(facts: ProjectFacts, repository: Repository, workflow_file: str, *,
               workflow_is_ours: bool, table_is_ours: bool) -> tuple[str, ...]:
    """Plain-text lines, numbered; empty when nothing is left to do. Only about files that
    hold what init writes: a workflow or table the maintainer keeps is theirs to finish."""
    steps: list[list[str]] = []
    if workflow_is_ours:
        steps.append(_publisher(facts, repository, workflow_file))
    for lines in (_libraries(facts) if table_is_ours else [],
                  _runtime_libraries(facts) if workflow_is_ours else []):
        if lines:
            steps.append(lines)
    out: list[str] = []
    for number, lines in enumerate(steps, 1):
        out.append(f"{number}. {lines[0]}")
        out.extend(lines[1:])
    return tuple(out)
