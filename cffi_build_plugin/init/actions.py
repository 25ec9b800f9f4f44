"""The GitHub Actions and tool versions our workflows pin: one place for ours and for `init`'s.

Pinned by full commit SHA (a tag can be moved); the version comment lets dependabot and people
read them. tests/test_workflows.py checks .github/workflows/ uses exactly these.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["CIBUILDWHEEL", "PINS", "ActionPin"]


@dataclass(frozen=True)
class ActionPin:
    repo: str
    sha: str
    version: str

    def __str__(self) -> str:
        return f"{self.repo}@{self.sha} # {self.version}"


PINS = {
    pin.repo: pin
    for pin in (
        ActionPin("actions/checkout", "3d3c42e5aac5ba805825da76410c181273ba90b1", "v7.0.1"),
        ActionPin("actions/setup-python", "5fda3b95a4ea91299a34e894583c3862153e4b97", "v7.0.0"),
        ActionPin("actions/upload-artifact", "043fb46d1a93c77aae656e7c1c64a875d1fc6a0a",
                  "v7.0.1"),
        ActionPin("actions/download-artifact", "3e5f45b2cfb9172054b4087a40e8e0b5a5461e7c",
                  "v8.0.1"),
        ActionPin("pypa/gh-action-pypi-publish", "dc37677b2e1c63e2034f94d8a5b11f265b73ba33",
                  "v1.14.2"),
    )
}

#: Installed with pip in the workflow (a requirement pin, not an action: its newest release has
#: no tag we could verify a commit for).
CIBUILDWHEEL = "cibuildwheel==4.3.5"
