"""The documentation stays true to the repository: README.md is a short user's page, every
relative link points at a file (and heading) that exists, and the generated parts are current."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).parent.parent
PAGES = [ROOT / "README.md", ROOT / "CONTRIBUTING.md", *sorted((ROOT / "docs").glob("*.md"))]
#: [text](target#anchor) outside code: the target and the anchor (either may be empty).
_LINK = re.compile(r"\]\(([^)\s#]*)(?:#([^)\s]*))?\)")


def _prose(text: str) -> str:
    """The text without fenced code blocks and inline code."""
    text = re.sub(r"^```.*?^```", "", text, flags=re.S | re.M)
    return re.sub(r"`[^`\n]*`", "", text)


def _anchors(page: Path) -> set[str]:
    """GitHub's ids for the page's headings: lower case, punctuation dropped, spaces to -."""
    headings = re.findall(r"^#+ (.*)$", re.sub(r"^```.*?^```", "", page.read_text("utf-8"),
                                               flags=re.S | re.M), flags=re.M)
    return {re.sub(r"[^\w\- ]", "", h.lower()).replace(" ", "-") for h in headings}


def test_readme_is_short() -> None:
    size = len((ROOT / "README.md").read_bytes())
    assert size < 15_000, f"README.md is {size} bytes: move detail to docs/"


def test_docs_pages_exist() -> None:
    assert (ROOT / "docs").is_dir()
    assert len(PAGES) > 2


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.relative_to(ROOT).as_posix())
def test_relative_links_point_at_files(page: Path) -> None:
    broken = []
    for target, anchor in _LINK.findall(_prose(page.read_text("utf-8"))):
        if re.match(r"[a-z][a-z0-9+.-]*:", target, re.I):
            continue  # an absolute URL (https:, mailto:)
        linked = page.parent / target if target else page
        if not linked.exists():
            broken.append(target)
        elif anchor and linked.suffix == ".md" and anchor not in _anchors(linked):
            broken.append(f"{target}#{anchor}")
    assert not broken, f"{page.relative_to(ROOT)}: links to missing files or headings: {broken}"


def test_generated_docs_are_current() -> None:
    proc = subprocess.run([sys.executable, "-m", "devtools.docs", "--check"], cwd=ROOT,
                          capture_output=True, text=True, check=False)
    assert proc.returncode == 0, proc.stderr
