"""Versions setup.py reads from a module become ``attr =`` (issue 17, pattern 6).

Every common way setup.py reads ``__version__`` from a module of the project (a regex over its
text, ``exec``, ``runpy``, ``importlib``'s spec, an import, a ``get_version()`` wrapping one of
these) becomes ``dynamic = ["version"]`` with ``{attr = "pkg.__version__"}`` where setuptools'
static read finds the same literal (one binding, a literal; re-exports followed to the module
that assigns it, package_dir honoured), and the code that read it goes with setup.py. Anything
else stays in setup.py. The fixture version-from-import is built before and after on CPython
3.11 and PyPy.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from devtools.venvs import for_interpreter
from tests.metadata_compare import DistInfo, metadata_differences
from tests.test_migrate import (
    PKG,
    ProjectCopy,
    fixture,
    line_starting,
    migrate,
    pyproject,
    setup_call_keywords,
    write,
)
from tests.wheels import build_wheel, run_in_fresh_venv

_PREAMBLE = ("import ast\nimport importlib.util\nimport os\nimport re\nimport runpy\nimport sys\n"
             "\nfrom setuptools import setup\n\n")
_CALL = ('\n\nsetup(name="x", version=VERSION, packages=["pkg"], '
         'cffi_modules=["pkg/_build.py:ffibuilder"])\n')
_LITERAL = '__version__ = "2.3.4"\n'
#: pkg/__init__.py when the version is in pkg/_version.py.
_REEXPORT = '"""The package."""\n\nfrom ._version import __version__\n'
_PATH = 'sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))\n'


def _project(tmp_path: Path, code: str, init: str, version_py: str = _LITERAL,
             call: str = _CALL) -> Path:
    return write(tmp_path / "p", {**PKG, "pkg/__init__.py": init, "pkg/_version.py": version_py,
                                  "setup.py": _PREAMBLE + code + call})


#: (setup.py's code binding VERSION, pkg/__init__.py, the attr)
IDIOMS = [
    pytest.param(_PATH + "from pkg import __version__ as VERSION\n",
                 '"""Imports are fine for the static read."""\nimport os\n\n' + _LITERAL,
                 "pkg.__version__", id="from-package-import"),
    pytest.param(_PATH + "from pkg import __version__ as VERSION\n", _REEXPORT,
                 "pkg._version.__version__", id="from-package-import-reexported"),
    pytest.param(_PATH + "from pkg._version import __version__ as VERSION\n", _REEXPORT,
                 "pkg._version.__version__", id="from-module-import"),
    pytest.param(_PATH + "import pkg\n\nVERSION = pkg.__version__\n", _LITERAL,
                 "pkg.__version__", id="import-attribute"),
    pytest.param(_PATH + "from pkg import _version\n\nVERSION = _version.__version__\n",
                 _REEXPORT, "pkg._version.__version__", id="import-module-attribute"),
    pytest.param('VERSION = runpy.run_path("pkg/_version.py")["__version__"]\n', _REEXPORT,
                 "pkg._version.__version__", id="runpy"),
    pytest.param('spec = importlib.util.spec_from_file_location("v", "pkg/_version.py")\n'
                 "mod = importlib.util.module_from_spec(spec)\nspec.loader.exec_module(mod)\n"
                 "VERSION = mod.__version__\n", _REEXPORT, "pkg._version.__version__",
                 id="importlib-spec"),
    pytest.param('with open("pkg/__init__.py") as f:\n    for line in f:\n'
                 '        if line.startswith("__version__"):\n'
                 '            VERSION = ast.literal_eval(line.split("=", 1)[1].strip())\n',
                 _LITERAL, "pkg.__version__", id="literal-eval-of-a-line"),
    pytest.param('VERSION = re.search(r"__version__ = [\'\\"](.*)[\'\\"]", '
                 'open("pkg/__init__.py").read()).group(1)\n', _LITERAL, "pkg.__version__",
                 id="regex-of-open-read"),
    pytest.param('ns = {}\nexec(open("pkg/_version.py").read(), ns)\n'
                 'VERSION = ns["__version__"]\n', _REEXPORT, "pkg._version.__version__",
                 id="exec-into-a-dict"),
    pytest.param('exec(open("pkg/_version.py").read())\nVERSION = __version__\n', _REEXPORT,
                 "pkg._version.__version__", id="exec-into-setup-py"),
    pytest.param('def get_version():\n    return runpy.run_path(os.path.join(os.path.dirname('
                 '__file__), "pkg", "_version.py"))["__version__"]\n\n\n'
                 "VERSION = get_version()\n", _REEXPORT, "pkg._version.__version__",
                 id="get-version-runpy"),
    pytest.param('def get_version():\n    sys.path.insert(0, os.path.dirname(__file__))\n'
                 '    from pkg import __version__\n    return __version__\n\n\n'
                 "VERSION = get_version()\n", _REEXPORT, "pkg._version.__version__",
                 id="get-version-import"),
    pytest.param(_PATH + "from pkg import __version__ as VERSION\n",
                 '__version__: str = "2.3.4"\n', "pkg.__version__", id="annotated"),
]


@pytest.mark.parametrize(("code", "init", "attr"), IDIOMS)
def test_version_idioms_become_attr(tmp_path: Path, code: str, init: str, attr: str) -> None:
    root = _project(tmp_path, code, init)
    out = migrate(root)
    data = pyproject(root)
    assert data["project"]["dynamic"] == ["version"]
    assert data["tool"]["setuptools"]["dynamic"] == {"version": {"attr": attr}}
    assert line_starting(out, "version: computed in setup.py").endswith(
        f'setuptools now reads it from {attr} ({{attr = "{attr}"}})')
    # The code that read it went with setup.py.
    assert not (root / "setup.py").exists()


def test_package_dir_is_honoured(tmp_path: Path) -> None:
    """``package_dir = {"pkg": "lib"}``: the attr is the package's name, not the folder's."""
    root = write(tmp_path / "p", {**PKG, "lib/__init__.py": _REEXPORT, "lib/_version.py": _LITERAL,
                                  "setup.py": _PREAMBLE + 'ns = {}\nexec(open("lib/_version.py")'
                                  '.read(), ns)\nVERSION = ns["__version__"]\n' + _CALL.replace(
                                      'packages=["pkg"]', 'packages=["pkg"], '
                                      'package_dir={"pkg": "lib"}')})
    migrate(root)
    data = pyproject(root)
    assert data["tool"]["setuptools"]["dynamic"] == {
        "version": {"attr": "pkg._version.__version__"}}
    assert data["tool"]["setuptools"]["package-dir"] == {"pkg": "lib"}


@pytest.mark.parametrize(("code", "init", "version_py"), [
    pytest.param(_PATH + "from pkg import __version__ as VERSION\n",
                 "import subprocess\n\n__version__ = subprocess.check_output(['git', 'describe'])"
                 ".decode()\n", _LITERAL, id="computed-in-the-module"),
    pytest.param(_PATH + "from pkg import __version__ as VERSION\n",
                 '__version__ = "2.3.4"\n__version__ += ".dev0"\n', _LITERAL,
                 id="changed-after-the-literal"),
    pytest.param(_PATH + "from pkg import __version__ as VERSION\n",
                 'try:\n    from ._version import __version__\nexcept ImportError:\n'
                 '    __version__ = "0+unknown"\n', _LITERAL, id="two-bindings"),
    pytest.param(_PATH + "from pkg import __version__ as VERSION\n",
                 '__version__ = "not a version"\n', _LITERAL, id="not-a-version"),
    pytest.param('VERSION = runpy.run_path("pkg/_version.py")["__version__"] + ".post1"\n',
                 _LITERAL, _LITERAL, id="changed-by-setup-py"),
])
def test_what_the_static_read_would_not_give_stays(tmp_path: Path, code: str, init: str,
                                                   version_py: str) -> None:
    root = _project(tmp_path, code, init, version_py)
    out = migrate(root)
    assert "version" in setup_call_keywords((root / "setup.py").read_text())
    assert "version" in pyproject(root)["project"]["dynamic"]
    assert line_starting(out, "setup.py keeps version: ")


def test_a_module_outside_the_packages_stays(tmp_path: Path) -> None:
    """setuptools finds attr modules through package_dir: src/ layout, version.py at the root."""
    root = write(tmp_path / "p", {**PKG, "version.py": _LITERAL, "setup.py": _PREAMBLE
                                  + 'VERSION = runpy.run_path("version.py")["__version__"]\n'
                                  + _CALL.replace('packages=["pkg"]', 'packages=["pkg"], '
                                                  'package_dir={"": "src"}')})
    migrate(root)
    assert "version" in setup_call_keywords((root / "setup.py").read_text())


def test_running_a_file_that_does_more_stays(tmp_path: Path) -> None:
    """setuptools reads the literal, but running the file prints: that run stays in setup.py."""
    root = _project(tmp_path, 'VERSION = runpy.run_path("pkg/_version.py")["__version__"]\n',
                    _REEXPORT, 'print("reading the version")\n' + _LITERAL)
    out = migrate(root)
    assert pyproject(root)["tool"]["setuptools"]["dynamic"] == {
        "version": {"attr": "pkg._version.__version__"}}
    assert 'runpy.run_path("pkg/_version.py")' in (root / "setup.py").read_text()
    assert line_starting(out, "setup.py keeps code that runs when it runs: VERSION = runpy")


def test_version_from_import_fixture(project_copy: ProjectCopy) -> None:
    root = fixture(project_copy, "version-from-import")
    out = migrate(root, process=True)
    data = pyproject(root)
    assert data["project"]["dynamic"] == ["version"]
    assert data["tool"]["setuptools"]["dynamic"] == {
        "version": {"attr": "verimp._version.__version__"}}
    assert data["tool"]["setuptools"]["package-dir"] == {"": "src"}
    assert not (root / "setup.py").exists()
    assert line_starting(out, "version: computed in setup.py (line 8)")


@pytest.mark.slow
@pytest.mark.parametrize("name", ["py311", pytest.param("pypy39", marks=pytest.mark.pypy)])
def test_version_from_import_builds_the_same_project(project_copy: ProjectCopy, tmp_path: Path,
                                                     request: pytest.FixtureRequest, tools,
                                                     env: dict[str, str], name: str) -> None:
    interp = request.getfixturevalue(name)
    build_env = for_interpreter(interp, env)
    original_root = project_copy("migrate/version-from-import", "original")
    original = build_wheel(tools(interp), original_root, tmp_path / "dist-original", build_env)
    root = fixture(project_copy, "version-from-import")
    migrate(root, process=True)
    assert not (root / "setup.py").exists()  # setuptools reads the version now
    converted = build_wheel(tools(interp), root, tmp_path / "dist-converted", build_env)
    before, after = DistInfo.from_wheel(original), DistInfo.from_wheel(converted)
    assert metadata_differences(before, after) == []
    assert "-7.8.9-" in converted.name
    out = run_in_fresh_venv(interp, converted, "import verimp; print(verimp.halve(3.0), "
                            "verimp.__version__)", tmp_path, env)
    assert out.strip() == "1.5 7.8.9"
