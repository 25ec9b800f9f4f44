"""`migrate` and cffi modules built on some interpreters only (issue 17, pattern 1).

A setup.py that picks its cffi modules by interpreter or platform (``if 'PyPy' in
sys.version: cffi_modules = [...]; ext_modules = []``) becomes ``{ builder = ..., when =
"<marker>" }``: the spellings table (each test and its negation → the marker), the shapes of
the code that sets the list, what stays in setup.py, untranslatable tests as errors naming
setup.py:LINE, and --exec (whose run on one interpreter must not win). The slow test migrates
the fixture tests/packages/migrate/pypy-only/ and builds it, before and after, on CPython 3.11
and on PyPy 3.9.
"""

from __future__ import annotations

import ast
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from packaging.markers import Marker

from cffi_build_plugin.migrate.conditions import negate, render
from cffi_build_plugin.migrate.marker_translation import Conditions, Untranslatable
from devtools.interpreters import Interpreter
from devtools.venvs import for_interpreter
from tests.conftest import Tools, snapshot, tree_changes
from tests.metadata_compare import DistInfo, metadata_differences
from tests.test_migrate import (
    PKG,
    ProjectCopy,
    cli,
    fixture,
    migrate,
    pyproject,
    setup_call_keywords,
    write,
)
from tests.wheels import PLATFORM, build_wheel, names, run_project_tests, tag

PYPY = "platform_python_implementation == 'PyPy'"
NOT_PYPY = "platform_python_implementation != 'PyPy'"


def marker_of(test: str, head: str = "import sys, os, platform\n") -> str:
    tree = ast.parse(f"{head}if {test}:\n    pass\n")
    node = tree.body[-1]
    assert isinstance(node, ast.If)
    return render(Conditions(tree).translate(node.test))


# -- the spellings table ------------------------------------------------------------------------

SPELLINGS = [
    ("'PyPy' in sys.version", PYPY),
    ('"pypy" in sys.version.lower()', PYPY),
    ('"__pypy__" in sys.builtin_module_names', PYPY),
    ("platform.python_implementation() == 'PyPy'", PYPY),
    ("'PyPy' == platform.python_implementation()", PYPY),
    ("platform.python_implementation() != 'CPython'",
     "platform_python_implementation != 'CPython'"),
    ("platform.python_implementation() in ('PyPy',)", PYPY),
    ("platform.python_implementation() in ['PyPy', 'GraalVM']",
     "platform_python_implementation == 'PyPy' or platform_python_implementation == 'GraalVM'"),
    ("sys.implementation.name == 'pypy'", "implementation_name == 'pypy'"),
    ("hasattr(sys, 'pypy_version_info')", PYPY),
    ("sys.platform == 'win32'", "sys_platform == 'win32'"),
    ("sys.platform.startswith('win')", "sys_platform == 'win32'"),
    ("sys.platform.startswith('linux')", "sys_platform == 'linux'"),
    ("os.name == 'nt'", "os_name == 'nt'"),
    ("platform.system() == 'Darwin'", "platform_system == 'Darwin'"),
    ("platform.machine() in ('x86_64', 'AMD64')",
     "platform_machine == 'x86_64' or platform_machine == 'AMD64'"),
    ("sys.version_info >= (3, 10)", "python_version >= '3.10'"),
    ("sys.version_info < (3, 10)", "python_version < '3.10'"),
    ("sys.version_info > (3, 10)", "python_version >= '3.10'"),  # (3, 10, 0, ...) > (3, 10)
    ("sys.version_info <= (3, 10)", "python_version < '3.10'"),
    ("sys.version_info >= (3,)", "python_version >= '3'"),
    ("sys.version_info >= (3, 10, 2)", "python_full_version >= '3.10.2'"),
    ("sys.version_info[:2] == (3, 9)", "python_version == '3.9'"),
    ("sys.version_info[0] < 3", "python_version < '3'"),
    ("sys.version_info.major == 3", "python_version >= '3' and python_version < '4'"),
    ("'PyPy' in sys.version and sys.platform != 'win32'",
     f"{PYPY} and sys_platform != 'win32'"),
    ("'PyPy' in sys.version or os.name == 'nt'", f"{PYPY} or os_name == 'nt'"),
    ("('PyPy' in sys.version or os.name == 'nt') and sys.version_info >= (3, 10)",
     f"({PYPY} or os_name == 'nt') and python_version >= '3.10'"),
]


@pytest.mark.parametrize(("test", "expected"), SPELLINGS)
def test_each_spelling_and_its_negation(test: str, expected: str) -> None:
    assert marker_of(test) == expected
    negated = marker_of(f"not ({test})")
    # The negation's marker is the opposite on every environment packaging knows.
    for implementation, system, version in [("PyPy", "win32", "3.9"), ("CPython", "linux", "3.11"),
                                            ("PyPy", "linux", "3.10.2"),
                                            ("CPython", "win32", "3.10.0")]:
        environment = {"platform_python_implementation": implementation,
                       "implementation_name": implementation.lower(), "sys_platform": system,
                       "os_name": "nt" if system == "win32" else "posix",
                       "platform_system": "Windows" if system == "win32" else "Linux",
                       "platform_machine": "x86_64", "python_version": version[:4].rstrip("."),
                       "python_full_version": version if version.count(".") == 2
                       else f"{version}.0"}
        assert Marker(negated).evaluate(environment) != Marker(expected).evaluate(environment)


@pytest.mark.parametrize(("test", "expected"), [
    ("'PyPy' not in sys.version", NOT_PYPY),
    ("not 'PyPy' in sys.version", NOT_PYPY),
    ("platform.python_implementation() != 'PyPy'", NOT_PYPY),
    ("platform.python_implementation() not in ('PyPy',)", NOT_PYPY),
    ("sys.implementation.name != 'pypy'", "implementation_name != 'pypy'"),
    ("not hasattr(sys, 'pypy_version_info')", NOT_PYPY),
    ("not ('PyPy' in sys.version and os.name == 'nt')", f"{NOT_PYPY} or os_name != 'nt'"),
])
def test_negations_as_written(test: str, expected: str) -> None:
    assert marker_of(test) == expected


@pytest.mark.parametrize(("head", "test", "expected"), [
    pytest.param("import platform\nIS_PYPY = platform.python_implementation() == 'PyPy'\n",
                 "IS_PYPY", PYPY, id="flag"),
    pytest.param("import sys\nPYPY = hasattr(sys, 'pypy_version_info')\n", "not PYPY",
                 NOT_PYPY, id="not-flag"),
    pytest.param("from platform import python_implementation as impl\n",
                 "impl() == 'PyPy'", PYPY, id="from-import-alias"),
    pytest.param("import platform as pf\n", "pf.system() == 'Windows'",
                 "platform_system == 'Windows'", id="module-alias"),
    pytest.param("try:\n    import __pypy__\n    HAS_PYPY = True\nexcept ImportError:\n"
                 "    HAS_PYPY = False\n", "HAS_PYPY", PYPY, id="import-pypy-try"),
    pytest.param("PYPY = False\ntry:\n    import __pypy__\nexcept ImportError:\n    pass\n"
                 "else:\n    PYPY = True\n", "not PYPY", NOT_PYPY, id="import-pypy-default"),
    pytest.param("try:\n    import __pypy__\nexcept ImportError:\n    __pypy__ = None\n",
                 "__pypy__ is not None", PYPY, id="import-pypy-none"),
])
def test_flags_and_imports(head: str, test: str, expected: str) -> None:
    assert marker_of(test, head) == expected


@pytest.mark.parametrize("test", [
    "os.environ.get('BUILD_CFFI')",
    "have_compiler()",
    "sys.version_info == (3, 10)",
    "sys.platform.startswith('freebsd')",
    "platform.python_implementation() > 'PyPy'",
])
def test_untranslatable_tests(test: str) -> None:
    with pytest.raises(Untranslatable) as caught:
        marker_of(test)
    assert caught.value.line == 2


def test_negate_pushes_not_down() -> None:
    tree = ast.parse("import sys, os\nx = 'PyPy' in sys.version and (os.name == 'nt' or "
                     "sys.platform == 'darwin')\n")
    assign = tree.body[-1]
    assert isinstance(assign, ast.Assign)
    assert render(negate(Conditions(tree).translate(assign.value))) == \
        f"{NOT_PYPY} or (os_name != 'nt' and sys_platform != 'darwin')"


# -- the shapes of the code that sets cffi_modules ---------------------------------------------

_HEAD = "import sys, os, platform\nfrom setuptools import Extension, setup\n\n"
_CALL = 'setup(name="p", version="1", packages=["pkg"], cffi_modules=cffi_modules)\n'
_BUILDER = "pkg/_build.py:ffibuilder"
_OTHER = "pkg/_other.py:ffibuilder"


@pytest.mark.parametrize(("body", "expected"), [
    pytest.param("cffi_modules = []\nif 'PyPy' in sys.version:\n"
                 f"    cffi_modules = ['{_BUILDER}']\n",
                 [{"builder": _BUILDER, "when": PYPY}], id="reassigned-under-if"),
    pytest.param("if platform.python_implementation() == 'PyPy':\n"
                 f"    cffi_modules = ['{_BUILDER}']\nelse:\n    cffi_modules = []\n",
                 [{"builder": _BUILDER, "when": PYPY}], id="if-else"),
    pytest.param(f"if 'PyPy' not in sys.version:\n    cffi_modules = []\nelse:\n"
                 f"    cffi_modules = ['{_BUILDER}']\n",
                 [{"builder": _BUILDER, "when": PYPY}], id="negated-if-else"),
    pytest.param(f"cffi_modules = ['{_BUILDER}']\nif sys.platform != 'win32':\n"
                 f"    cffi_modules.append('{_OTHER}')\n",
                 [_BUILDER, {"builder": _OTHER, "when": "sys_platform != 'win32'"}],
                 id="append"),
    pytest.param(f"cffi_modules = ['{_BUILDER}']\nif os.name == 'nt':\n"
                 f"    pass\nelif sys.implementation.name == 'pypy':\n"
                 f"    cffi_modules += ['{_OTHER}']\n",
                 [_BUILDER, {"builder": _OTHER,
                             "when": "os_name != 'nt' and implementation_name == 'pypy'"}],
                 id="elif-augmented"),
    pytest.param(f"IS_PYPY = hasattr(sys, 'pypy_version_info')\ncffi_modules = "
                 f"['{_BUILDER}'] if IS_PYPY else []\n",
                 [{"builder": _BUILDER, "when": PYPY}], id="conditional-expression-flag"),
    pytest.param(f"if sys.version_info >= (3, 10):\n    cffi_modules = ['{_BUILDER}']\n"
                 f"else:\n    cffi_modules = ['{_BUILDER}']\n", [_BUILDER],
                 id="both-branches-the-same"),
])
def test_shapes_of_conditional_modules(tmp_path: Path, body: str,
                                       expected: list[object]) -> None:
    root = write(tmp_path / "p", {**PKG, "pkg/_other.py": PKG["pkg/_build.py"],
                                  "setup.py": _HEAD + body + _CALL})
    out = migrate(root)
    assert pyproject(root)["tool"]["cffi-build-plugin"]["modules"] == expected
    for entry in expected:
        if isinstance(entry, dict):
            line = next(i for i, text in enumerate((_HEAD + body).splitlines(), 1)
                        if entry["builder"] in text)
            assert (f"cffi_modules {entry['builder']!r} (only when {entry['when']}, "
                    f"setup.py:{line}) → [tool.cffi-build-plugin].modules"
                    f"[{expected.index(entry)}] with when = {entry['when']!r}") in out
    assert not (root / "setup.py").exists()  # nothing else stays: the if blocks went too


def test_inline_conditional_keyword(tmp_path: Path) -> None:
    setup_py = _HEAD + _CALL.replace("cffi_modules=cffi_modules",
                                     f"cffi_modules=['{_BUILDER}'] if os.name != 'nt' else []")
    root = write(tmp_path / "p", {**PKG, "setup.py": setup_py})
    migrate(root)
    assert pyproject(root)["tool"]["cffi-build-plugin"]["modules"] == [
        {"builder": _BUILDER, "when": "os_name != 'nt'"}]


_PYPY_ONLY = ("cffi_modules = []\next_modules = [Extension('pkg._c', ['pkg/c.c'])]\n"
              "if 'PyPy' in sys.version:\n    cffi_modules = ['" + _BUILDER + "']\n"
              "    ext_modules = []\n")


@pytest.mark.parametrize(("body", "kept_block"), [
    pytest.param(_PYPY_ONLY, "if 'PyPy' in sys.version:\n    ext_modules = []\n", id="if"),
    pytest.param(_PYPY_ONLY.replace("cffi_modules = ['" + _BUILDER + "']\n    "
                                    "ext_modules = []\n",
                                    "cffi_modules = ['" + _BUILDER + "']; ext_modules = []\n"),
                 "if 'PyPy' in sys.version:\n    pass; ext_modules = []\n", id="one-line"),
    pytest.param("cffi_modules = []\next_modules = []\nif 'PyPy' in sys.version:\n"
                 f"    cffi_modules.append('{_BUILDER}')\nelse:\n"
                 "    ext_modules.append(Extension('pkg._c', ['pkg/c.c']))\n",
                 "if 'PyPy' in sys.version:\n    pass\nelse:\n"
                 "    ext_modules.append(Extension('pkg._c', ['pkg/c.c']))\n", id="append"),
])
def test_the_kept_ext_modules_block_loses_its_cffi_modules(tmp_path: Path, body: str,
                                                            kept_block: str) -> None:
    call = _CALL.replace("cffi_modules)", "cffi_modules, ext_modules=ext_modules)")
    root = write(tmp_path / "p", {**PKG, "pkg/c.c": "", "setup.py": _HEAD + body + call})
    migrate(root)
    assert pyproject(root)["tool"]["cffi-build-plugin"]["modules"] == [
        {"builder": _BUILDER, "when": PYPY}]
    text = (root / "setup.py").read_text()
    assert kept_block in text
    assert "cffi_modules" not in text.split("\n\n", 1)[1]  # only the header may name it
    assert setup_call_keywords(text) == ["ext_modules"]
    # The stripped setup.py still runs, and gives ext_modules as before.
    proc = subprocess.run([sys.executable, "setup.py", "--name"], cwd=root,
                          capture_output=True, text=True, check=False)
    assert proc.returncode == 0, proc.stderr


@pytest.mark.parametrize(("body", "line", "test"), [
    pytest.param("cffi_modules = []\nif os.environ.get('BUILD_CFFI'):\n"
                 f"    cffi_modules = ['{_BUILDER}']\n", 5, "os.environ.get('BUILD_CFFI')",
                 id="environment"),
    pytest.param("def want():\n    return True\n\ncffi_modules = []\nif want() and "
                 f"'PyPy' in sys.version:\n    cffi_modules = ['{_BUILDER}']\n", 8,
                 "want() and 'PyPy' in sys.version", id="function-call"),
    pytest.param("FAST = os.environ.get('FAST')\ncffi_modules = []\nif FAST:\n"
                 f"    cffi_modules = ['{_BUILDER}']\n", 6, "FAST", id="flag-from-environment"),
])
def test_untranslatable_condition_is_an_error_naming_the_line(
        tmp_path: Path, body: str, line: int, test: str) -> None:
    root = write(tmp_path / "p", {**PKG, "setup.py": _HEAD + body + _CALL})
    before = snapshot(root)
    for args in ([], ["--exec"]):  # a run on this interpreter does not make it readable
        proc = cli(root, *args)
        assert proc.returncode == 10, proc.stdout + proc.stderr
        assert proc.stderr.startswith(f"ERROR cannot migrate {root / 'setup.py'}:\n")
        assert f"setup.py:{line}: cffi_modules changes under `{test}`" in proc.stderr
        assert 'when = "<PEP 508 marker>" }], take cffi_modules out of setup.py' in proc.stderr
        assert "Traceback" not in proc.stderr
        assert tree_changes(before, snapshot(root)) == []


def test_computed_cffi_modules_is_an_error_not_a_false_no_cffi_modules(tmp_path: Path) -> None:
    setup_py = _HEAD + "def mods():\n    return ['" + _BUILDER + "']\n\n" + \
        _CALL.replace("cffi_modules=cffi_modules", "cffi_modules=mods()")
    root = write(tmp_path / "p", {**PKG, "setup.py": setup_py})
    proc = cli(root)
    assert proc.returncode == 10
    assert "setup.py:7: cffi_modules is computed (mods() is a function of its own" in \
        proc.stderr
    assert "no cffi_modules in setup.py" not in proc.stderr
    # --exec records it, as for any computed value.
    migrate(root, "--exec")
    assert pyproject(root)["tool"]["cffi-build-plugin"]["modules"] == [_BUILDER]


# -- the fixture, migrated ----------------------------------------------------------------------

FIXTURE_MODULES = [{"builder": "pypyonly/_build.py:ffi", "when": PYPY}]
FIXTURE_LINE = (f"cffi_modules 'pypyonly/_build.py:ffi' (only when {PYPY}, setup.py:14) → "
                f"[tool.cffi-build-plugin].modules[0] with when = \"{PYPY}\"")
KEPT_BLOCK = ("ext_modules = [\n"
              '    Extension("pypyonly._speedups", ["src/speedups.cpp"], language="c++"),\n'
              "]\nif 'PyPy' in sys.version:\n    ext_modules = []\n\nsetup(\n"
              "    ext_modules=ext_modules,\n)\n")


def test_pypy_only_fixture(project_copy: ProjectCopy) -> None:
    root = fixture(project_copy, "pypy-only")
    out = migrate(root)
    data = pyproject(root)
    assert data["tool"]["cffi-build-plugin"] == {"modules": FIXTURE_MODULES}
    assert FIXTURE_LINE in out
    text = (root / "setup.py").read_text()
    assert text.endswith(KEPT_BLOCK)
    assert "cffi_modules" not in text
    assert setup_call_keywords(text) == ["ext_modules"]


def test_exec_on_cpython_does_not_record_an_empty_list(project_copy: ProjectCopy) -> None:
    """Run on CPython, setup.py passes cffi_modules=[]: what reading found wins."""
    root = fixture(project_copy, "pypy-only")
    out = migrate(root, "--exec")
    assert pyproject(root)["tool"]["cffi-build-plugin"] == {"modules": FIXTURE_MODULES}
    assert FIXTURE_LINE in out
    assert "cffi_modules: read from setup.py's tests, not recorded by --exec (a run gives only "\
        "this interpreter's list)" in out
    assert not [line for line in out if line.startswith("cffi_modules: recorded by running")]


# -- built on CPython and PyPy, before and after -----------------------------------------------


def _build(tools: Tools, interp: Interpreter, project: Path, out: Path,
           env: dict[str, str]) -> Path:
    return build_wheel(tools(interp), project, out, for_interpreter(interp, env))


def _requires(wheel: Path) -> list[str]:
    return [line for line in DistInfo.from_wheel(wheel).metadata.splitlines()
            if line.startswith("Requires-Dist:")]


def _extensions(wheel: Path) -> set[str]:
    return {n for n in names(wheel) if n.endswith(".so")}


@pytest.mark.slow
@pytest.mark.pypy
def test_pypy_only_fixture_builds_the_same_wheels(project_copy: ProjectCopy, tmp_path: Path,
                                                  py311: Interpreter, pypy39: Interpreter,
                                                  tools: Tools, env: dict[str, str]) -> None:
    """The original and the migrated project, built in isolation on CPython 3.11 and PyPy
    3.9: the same modules (the C++ extension on CPython, the cffi module on PyPy), the same
    METADATA, and the project's tests pass against each installed wheel."""
    original = project_copy("migrate/pypy-only", "original")
    migrated = fixture(project_copy, "pypy-only")
    migrate(migrated, process=True)
    for interp, expected_tag, module in [
            (py311, f"cp311-cp311-{PLATFORM}", "pypyonly/_speedups.cpython-311-"),
            (pypy39, f"pp39-pypy39_pp73-{PLATFORM}", "pypyonly/_cffi_speedups.pypy39-pp73-")]:
        before = _build(tools, interp, original, tmp_path / f"{interp.name}-before", env)
        after = _build(tools, interp, migrated, tmp_path / f"{interp.name}-after", env)
        assert tag(before) == tag(after) == expected_tag
        assert [n.startswith(module) for n in _extensions(before)] == [True]
        assert _extensions(after) == _extensions(before)
        # The plugin adds a stub beside a cffi module, and keeps the builder out.
        assert {n for n in names(after) if not n.endswith(".pyi")} == \
            names(before) - {"pypyonly/_build.py"}
        assert metadata_differences(DistInfo.from_wheel(before),
                                    DistInfo.from_wheel(after)) == []
        # metadata_differences forgives an added cffi requirement: CPython builds no cffi
        # module here, so none may be added.
        assert _requires(after) == _requires(before) == []
        with zipfile.ZipFile(after) as zf:
            assert not [n for n in zf.namelist() if "_cffi_speedups" in n] or \
                interp is pypy39
        for name, wheel in (("before", before), ("after", after)):
            work = tmp_path / f"{interp.name}-tests-{name}"
            work.mkdir()
            run_project_tests(interp, wheel, migrated / "tests", work,
                              for_interpreter(interp, env))
