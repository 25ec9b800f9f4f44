"""What `migrate` writes and says: where a new [tool.cffi-build-plugin] goes in a
pyproject.toml whose tables are out of order, and the messages that name the file and line
and say what to do (a script that only reads cffi_modules, attr: versions migrate cannot
read, computed values, a list assigned on several lines)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tests.test_migrate import PKG, cli, migrate, pyproject, write

_PYVIPS_SHAPE = """\
[build-system]
requires = ["setuptools>=61.0.0", "cffi>=1.0.0"]
build-backend = "setuptools.build_meta"

[project]
name = "p"
version = "1"
dependencies = ["cffi>=1.0.0"]

[project.urls]
homepage = "https://example.org"

[tool.setuptools]
zip-safe = false

[project.optional-dependencies]
doc = ["sphinx"]

[tool.pytest.ini_options]
norecursedirs = ["tests/helpers"]
"""


def test_plugin_table_goes_after_out_of_order_project_tables(tmp_path: Path) -> None:
    root = write(tmp_path / "p", {**PKG, "pyproject.toml": _PYVIPS_SHAPE,
                                  "setup.py": "from setuptools import setup\n"
                                              "setup(cffi_modules=['pkg/_build.py:ffibuilder'])\n"})
    migrate(root)
    text = (root / "pyproject.toml").read_text()
    assert text.index("[project.optional-dependencies]") < text.index("[tool.cffi-build-plugin]")
    assert text.rstrip().endswith(
        '[tool.cffi-build-plugin]\nmodules = ["pkg/_build.py:ffibuilder"]')
    assert pyproject(root)["tool"]["cffi-build-plugin"] == {
        "modules": ["pkg/_build.py:ffibuilder"]}


# -- a setup.py that reads cffi_modules elsewhere -----------------------------------------------

_HEAD = "import sys\nfrom setuptools import setup\n\n"
_LIST = ("cffi_modules = []\nif 'PyPy' in sys.version:\n"
         "    cffi_modules = ['pkg/_build.py:ffibuilder']\n")
_CALL = ('setup(name="p", version="1", packages=["pkg"], cffi_modules=cffi_modules,\n'
         '      install_requires=install_requires)\n')
PYPY = "platform_python_implementation == 'PyPy'"


@pytest.mark.parametrize(("reads", "line"), [
    pytest.param("install_requires = ['six'] if cffi_modules else []\n", 7, id="expression"),
    pytest.param("install_requires = []\nif cffi_modules:\n    install_requires.append('six')\n",
                 8, id="if"),
])
def test_a_line_reading_cffi_modules_keeps_it(tmp_path: Path, reads: str, line: int) -> None:
    root = write(tmp_path / "p", {**PKG, "setup.py": _HEAD + _LIST + reads + _CALL})
    proc = cli(root, "--exec")
    assert proc.returncode == 10, proc.stdout + proc.stderr
    assert (f"setup.py:{line} reads cffi_modules, which is true where {PYPY} there: --exec runs "
            "setup.py on this interpreter only") in proc.stderr
    assert "no cffi_modules in setup.py" not in proc.stderr
    out = migrate(root)
    assert pyproject(root)["tool"]["cffi-build-plugin"]["modules"] == [
        {"builder": "pkg/_build.py:ffibuilder", "when": PYPY}]
    assert (f"setup.py:{line} reads cffi_modules, which is true where {PYPY} there: setup.py keeps "
            "that line and the list's assignments it reads") in out
    assert not [line for line in out if "computed" in line and "cffi_modules is" in line]
    text = (root / "setup.py").read_text()
    assert _LIST in text
    assert reads in text
    proc = subprocess.run([sys.executable, "setup.py", "--name"], cwd=root,
                          capture_output=True, text=True, check=False)
    assert proc.returncode == 0, proc.stderr


def test_a_call_given_the_list_may_change_it(tmp_path: Path) -> None:
    """Handing the list to a function is not a read: it stays computed, as before."""
    root = write(tmp_path / "p", {**PKG, "setup.py": _HEAD + _LIST + "install_requires = []\n"
                                  "cffi_modules.sort()\n" + _CALL})
    proc = cli(root)
    assert proc.returncode == 10
    assert "cffi_modules is computed" in proc.stderr


# -- messages that name the file and line -------------------------------------------------------

def test_every_assignment_of_a_computed_list_is_named(tmp_path: Path) -> None:
    setup_py = ("import sys\nfrom setuptools import setup\n\n\ndef extra():\n    return []\n"
                "\n\n\ncffi_modules = [\n    'pkg/_build.py:ffibuilder',\n]\n\n\n"
                "cffi_modules = cffi_modules + extra()\n\n\ncffi_modules = list(cffi_modules)\n"
                "install_requires = []\n" + _CALL)
    root = write(tmp_path / "p", {**PKG, "setup.py": setup_py})
    proc = cli(root)
    assert proc.returncode == 10
    assert "cffi_modules is assigned more than once (lines 10-12, 15, 18)" in proc.stderr


def test_a_long_computed_value_is_named_by_its_line(tmp_path: Path) -> None:
    call = ("setup(name='p', version='1', packages=['pkg'], cffi_modules=['pkg/_build.py:"
            "ffibuilder'],\n      ext_modules=[Extension('pkg._speedups_extension', "
            "['src/speedups_module.cpp'], language='c++')])\n")
    root = write(tmp_path / "p", {**PKG, "setup.py": "from setuptools import Extension, "
                                  "setup\n" + call})
    out = migrate(root, "--dry-run")
    kept = next(line for line in out if "keeps ext_modules" in line)
    assert "a call to Extension is computed (line 3)" in kept
    assert "['src/sp" not in kept


@pytest.mark.parametrize(("files", "version_file", "why"), [
    pytest.param({"version.py": '__version__ = "1.0"\n', "src/pkg/__init__.py": ""},
                 "version.py", "version.py is no module setuptools' attr finds through "
                 "package_dir {'': 'src'}", id="outside-package-dir"),
    pytest.param({"pkg/_version.py": '__version__ = "1.0"\n__version__ = "1.1"\n'},
                 "pkg/_version.py", "pkg/_version.py binds __version__ 2 times (setuptools' "
                 "static read needs one literal)", id="assigned-twice"),
])
def test_a_version_file_attr_cannot_read_is_named(tmp_path: Path, files: dict[str, str],
                                                    version_file: str, why: str) -> None:
    src = "src/" if "src/pkg/__init__.py" in files else ""
    setup_py = ("from setuptools import setup\nns = {}\n"
                f"exec(open('{version_file}').read(), ns)\n"
                "setup(name='p', version=ns['__version__'], packages=['pkg'], "
                f"cffi_modules=['{src}pkg/_build.py:ffibuilder']"
                + (", package_dir={'': 'src'})\n" if src else ")\n"))
    root = write(tmp_path / "p", {**{src + k: v for k, v in PKG.items()}, **files,
                                  "setup.py": setup_py})
    out = migrate(root, "--dry-run")
    kept = next(line for line in out if "keeps version" in line)
    assert why in kept
    assert "found no file" not in kept
