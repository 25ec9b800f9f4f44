"""What `init` reads from the project's git repository: the branch the push trigger names and
the GitHub owner/repository a PyPI trusted publisher is registered for."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from cffi_build_plugin._process import run
from cffi_build_plugin.errors import ToolError

__all__ = ["Repository", "read_repository"]

#: https://github.com/o/r(.git), git@github.com:o/r(.git), ssh://git@github.com[:22]/o/r(.git)
_GITHUB = re.compile(
    r"^(?:https?://(?:[^@/]+@)?github\.com/|git@github\.com:|ssh://git@github\.com(?::\d+)?/)"
    r"(?P<owner>[\w.-]+)/(?P<repo>[\w.-]+?)(?:\.git)?/?$")


@dataclass(frozen=True)
class Repository:
    #: The branch pushes to which run the workflow, and how it was found (for the report).
    default_branch: str
    branch_source: str
    #: "owner/name" on GitHub; None without a GitHub remote named origin.
    github: str | None


def _git(root: Path, *args: str) -> str | None:
    """git's answer, or None (not a repository, no git, no such ref or setting)."""
    try:
        out = run(["git", "-C", str(root), *args], timeout=30).strip()
    except ToolError:
        return None
    return out or None


def _default_branch(root: Path) -> tuple[str, str]:
    head = _git(root, "symbolic-ref", "--short", "refs/remotes/origin/HEAD")
    if head and head.startswith("origin/"):
        return head.removeprefix("origin/"), "origin's default branch"
    # A remote added by hand (no clone) has no origin/HEAD: one of the usual names will do.
    remote = [b for b in ("main", "master")
              if _git(root, "rev-parse", "--verify", "--quiet", f"refs/remotes/origin/{b}")]
    if len(remote) == 1:
        return remote[0], "the only one of main/master on origin"
    current = _git(root, "branch", "--show-current")
    if current:
        return current, "the current branch"
    configured = _git(root, "config", "init.defaultBranch")
    if configured:
        return configured, "git's init.defaultBranch"
    return "main", "no git branch found"


def github_slug(url: str) -> str | None:
    """"owner/name" of a GitHub remote URL, https or ssh; None for any other host."""
    match = _GITHUB.match(url.strip())
    return f"{match['owner']}/{match['repo']}" if match else None


def read_repository(root: Path) -> Repository:
    branch, source = _default_branch(root)
    url = _git(root, "remote", "get-url", "origin")
    return Repository(branch, source, github_slug(url) if url else None)
