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


#: Branch names that are a repository's default branch when they are checked out.
_MAIN_LIKE = frozenset({"main", "master", "trunk", "develop", "development", "default"})


@dataclass(frozen=True)
class Repository:
    #: The branch pushes to which run the workflow, and how it was found (for the report).
    default_branch: str
    branch_source: str
    #: "owner/name" on GitHub; None without a GitHub remote named origin.
    github: str | None
    #: Why the branch is a guess (origin does not say it); None when origin said it.
    guessed_because: str | None = None


def _git(root: Path, *args: str) -> str | None:
    """git's answer, or None (not a repository, no git, no such ref or setting)."""
    try:
        out = run(["git", "-C", str(root), *args], timeout=30).strip()
    except ToolError:
        return None
    return out or None


def _from_origin(root: Path) -> tuple[str, str] | None:
    head = _git(root, "symbolic-ref", "--short", "refs/remotes/origin/HEAD")
    if head and head.startswith("origin/"):
        return head.removeprefix("origin/"), "origin's default branch"
    # A remote added by hand (no clone) has no origin/HEAD: one of the usual names will do.
    remote = [b for b in ("main", "master")
              if _git(root, "rev-parse", "--verify", "--quiet", f"refs/remotes/origin/{b}")]
    if len(remote) == 1:
        return remote[0], "the only one of main/master on origin"
    return None


def _guess(root: Path) -> tuple[str, str]:
    """The default branch without origin's word: git's init.defaultBranch or main/master when
    the repository has that branch, the branch checked out only when its name is one a
    default branch has (never a feature branch), else init.defaultBranch, else main."""
    configured = _git(root, "config", "init.defaultBranch")
    current = _git(root, "branch", "--show-current")  # an unborn branch too
    local = set((_git(root, "for-each-ref", "--format=%(refname:short)", "refs/heads") or "")
                .split())
    local.update([current] if current else [])
    if configured and configured in local:
        return configured, "git's init.defaultBranch"
    for name in ("main", "master"):
        if name in local:
            return name, f"the local branch {name}"
    if current in _MAIN_LIKE:
        return current, "the current branch"
    if configured:
        return configured, "git's init.defaultBranch"
    return "main", "git's usual default"


def github_slug(url: str) -> str | None:
    """"owner/name" of a GitHub remote URL, https or ssh; None for any other host."""
    match = _GITHUB.match(url.strip())
    return f"{match['owner']}/{match['repo']}" if match else None


def read_repository(root: Path) -> Repository:
    url = _git(root, "remote", "get-url", "origin")
    said = _from_origin(root) if url else None
    if said is not None:
        return Repository(*said, github_slug(url) if url else None)
    branch, source = _guess(root)
    why = ("origin does not name its default branch" if url else "no origin remote"
           if _git(root, "rev-parse", "--git-dir") else "not a git repository")
    return Repository(branch, source, github_slug(url) if url else None, why)
