"""migrate never deletes what the project's other files reach in setup.py (issue 17, pattern 2).

A name an entry point (``setup:make_docs``), a Makefile, tox.ini or any script uses stays in the
stripped setup.py with what it needs, setup.py stays (still calling ``setup()``, so it builds),
and the report says which file uses it. ``import setup`` keeps every statement; a script
running ``python setup.py <command>`` keeps setup.py. The fixture live-helpers is the real case:
pyproject.toml's own ``[project.scripts]`` names ``setup:make_docs`` and the Makefile imports it.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from devtools.venvs import for_interpreter
from tests.metadata_compare import DistInfo, metadata_differences
from tests.test_migrate import (
    PKG,
    ProjectCopy,
    fixture,
    header_of,
    line_starting,
    migrate,
    setup_call_keywords,
    write,
)
from tests.wheels import build_wheel, run_in_fresh_venv

_HELPER = ('import html\nimport pathlib\n\nfrom setuptools import setup\n\n'
           'HERE = pathlib.Path(__file__).resolve().parent\n\n\n'
           'def make_docs():\n    return html.escape((HERE / "README.md").read_text())\n\n\n'
           'VERSION = "1.2"\n\n')
_SETUP = _HELPER + ('if __name__ == "__main__":\n    setup(name="p", version=VERSION, '
                    'packages=["pkg"], cffi_modules=["pkg/_build.py:ffibuilder"])\n')


def _project(tmp_path: Path, files: dict[str, str]) -> Path:
    return write(tmp_path / "p", {**PKG, "README.md": "# p\n", "setup.py": _SETUP, **files})


@pytest.mark.parametrize(("files", "kept", "line"), [
    pytest.param({"pyproject.toml": '[project.scripts]\np-docs = "setup:make_docs"\n'},
                 ["def make_docs"], 'kept def make_docs in setup.py: pyproject.toml:2 names it '
                 '(p-docs = "setup:make_docs")', id="pyproject-entry-point"),
    pytest.param({"setup.py": _SETUP.replace("packages=", "entry_points={'console_scripts': "
                                             "['p-docs = setup:make_docs']}, packages=")},
                 ["def make_docs"], "kept def make_docs in setup.py: setup.py:16 names it",
                 id="setup-py-own-entry-point"),
    pytest.param({"Makefile": 'docs:\n\tpython -c "from setup import make_docs; make_docs()"\n'},
                 ["def make_docs"], "kept def make_docs in setup.py: Makefile:2 imports it",
                 id="makefile-import"),
    pytest.param({"docs/conf.py": "import os, sys\nsys.path.insert(0, '..')\n"
                                  "from setup import (VERSION as release,\n    make_docs)\n"},
                 ["def make_docs", "VERSION = "], "kept VERSION = '1.2' in setup.py: "
                 "docs/conf.py:3 imports it", id="conf-py-import-list"),
    pytest.param({"tox.ini": "[testenv:docs]\ncommands = python -c 'import setup; "
                             "setup.make_docs()'\n"},
                 ["def make_docs", "VERSION = ", "HERE = "],
                 "kept every module-level statement in setup.py: tox.ini:2 imports it whole",
                 id="import-whole"),
    pytest.param({"noxfile.py": "import importlib\n\nimportlib.import_module('setup')\n"},
                 ["def make_docs", "VERSION = "],
                 "kept every module-level statement in setup.py: noxfile.py:3 imports it whole",
                 id="import-module"),
])
def test_what_other_files_use_stays(tmp_path: Path, files: dict[str, str], kept: list[str],
                                    line: str) -> None:
    root = _project(tmp_path, files)
    out = migrate(root)
    text = (root / "setup.py").read_text()
    for statement in kept:
        assert f"\n{statement}" in text, text
    # What it needs stays with it; the call keeps no keyword, but setup.py still calls setup().
    assert "import html\n" in text
    assert "HERE = pathlib.Path(" in text
    assert setup_call_keywords(text) == []
    assert 'if __name__ == "__main__":\n    setup()\n' in text
    assert line_starting(out, line[:line.index(":") + 1]).startswith(line)
    assert line.split(" in setup.py: ", 1)[1] in "\n".join(header_of(text))
    # The stripped setup.py is a build script still, and the helper still works.
    proc = subprocess.run([sys.executable, "-c", "import setup; print(setup.make_docs())"],
                          cwd=root, capture_output=True, text=True, check=False)
    assert (proc.returncode, proc.stdout) == (0, "# p\n\n"), proc.stderr


def test_a_script_that_runs_setup_py_keeps_it(tmp_path: Path) -> None:
    root = _project(tmp_path, {"Makefile": "inplace:\n\t$(PYTHON) setup.py -q build_ext -i\n"})
    out = migrate(root)
    text = (root / "setup.py").read_text()
    assert "def make_docs" not in text  # nothing imports it
    assert 'if __name__ == "__main__":\n    setup()\n' in text
    assert "from setuptools import setup\n" in text
    assert line_starting(out, "kept setup.py, calling setup() alone: ") == (
        "kept setup.py, calling setup() alone: Makefile:2 runs setup.py ($(PYTHON) setup.py -q "
        "build_ext -i)")


@pytest.mark.parametrize("files", [
    pytest.param({}, id="nothing-uses-it"),
    # Prose is advice, not a use; a folder of someone else's code is not the project's.
    pytest.param({"README.md": "# p\n\n`python -c 'from setup import make_docs'`\n"},
                 id="readme-prose"),
    pytest.param({".venv/lib/x.py": "from setup import make_docs\n",
                  "build/lib/y.py": "import setup\n"}, id="venv-and-build-folders"),
    # setuptools' setup, imported elsewhere, is not setup.py.
    pytest.param({"tools/release.py": "from setuptools import setup\nimport os, sys\n"},
                 id="setuptools-setup-elsewhere"),
    pytest.param({"tox.ini": "[testenv]\ncommands = python -c 'print(\"setup.py is gone\")'\n"},
                 id="setup-py-named-not-run"),
])
def test_what_nothing_uses_goes(tmp_path: Path, files: dict[str, str]) -> None:
    root = _project(tmp_path, files)
    out = migrate(root)
    assert not (root / "setup.py").exists()
    assert "deleted setup.py: everything in it moved" in out


def test_live_helpers(project_copy: ProjectCopy, tmp_path: Path) -> None:
    """The real case, through the command as a process: the def, its imports and names stay;
    `make docs` works after migration; a second run changes nothing."""
    root = fixture(project_copy, "live-helpers")
    out = migrate(root, process=True)
    assert line_starting(out, "kept def make_docs in setup.py: ") == (
        'kept def make_docs in setup.py: Makefile:5 imports it ($(PYTHON) -c "from setup '
        'import make_docs; make_docs()"); pyproject.toml:15 names it (livehelp-docs = '
        '"setup:make_docs")')
    text = (root / "setup.py").read_text()
    original = (Path(__file__).parent / "packages/migrate/live-helpers/setup.py").read_text()
    body = original[original.index("import html"):original.index('if __name__')]
    assert body in text
    assert text.endswith('if __name__ == "__main__":\n    setup()\n')
    assert "cffi_modules" not in text
    if shutil.which("make") is None:
        pytest.skip("no make")
    proc = subprocess.run(["make", "docs", f"PYTHON={sys.executable}"], cwd=root,
                          capture_output=True, text=True, check=False)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "&lt;for the docs&gt;" in (root / "build/docs/index.html").read_text()
    assert migrate(root, process=True)[-1] == "nothing changed"
    assert (root / "setup.py").read_text() == text


@pytest.mark.slow
@pytest.mark.parametrize("name", ["py311", pytest.param("pypy39", marks=pytest.mark.pypy)])
def test_live_helpers_builds_the_same_project(project_copy: ProjectCopy, tmp_path: Path,
                                              request: pytest.FixtureRequest, tools,
                                              env: dict[str, str], name: str) -> None:
    """Built in isolation before and after: the same METADATA and entry points; the module
    works in a fresh venv."""
    interp = request.getfixturevalue(name)
    build_env = for_interpreter(interp, env)
    original_root = project_copy("migrate/live-helpers", "original")
    original = build_wheel(tools(interp), original_root, tmp_path / "dist-original", build_env)
    root = fixture(project_copy, "live-helpers")
    migrate(root, process=True)
    assert "\ndef make_docs():" in (root / "setup.py").read_text()
    converted = build_wheel(tools(interp), root, tmp_path / "dist-converted", build_env)
    before, after = DistInfo.from_wheel(original), DistInfo.from_wheel(converted)
    assert metadata_differences(before, after) == []
    assert _entry_points(converted) == _entry_points(original) != ""
    out = run_in_fresh_venv(interp, converted, "import livehelp; print(livehelp.twice(21))",
                            tmp_path, env)
    assert out.strip() == "42"


def _entry_points(wheel: Path) -> str:
    with zipfile.ZipFile(wheel) as zf:
        name = next(n for n in zf.namelist() if n.endswith(".dist-info/entry_points.txt"))
        return zf.read(name).decode()
