"""Builds the cffi module; `make docs` imports make_docs from here too."""

import html
import pathlib

from setuptools import setup

HERE = pathlib.Path(__file__).resolve().parent
DOCS = HERE / "build" / "docs"


def make_docs():
    """Render README.md into build/docs/index.html."""
    DOCS.mkdir(parents=True, exist_ok=True)
    text = (HERE / "README.md").read_text(encoding="utf-8")
    target = DOCS / "index.html"
    target.write_text("<pre>" + html.escape(text) + "</pre>\n", encoding="utf-8")
    print("wrote", target.relative_to(HERE))


if __name__ == "__main__":
    setup(cffi_modules=["livehelp/_build.py:ffibuilder"])
