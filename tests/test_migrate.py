"""`cffi-build-plugin migrate`: setup.py / setup.cfg cffi projects → pyproject.toml + the plugin.

Each test runs the command line's entry point (``cffi_build_plugin.cli.main(["migrate", ...])``,
in this process: the unit tier spawns no interpreter per case) on a fresh copy of a fixture
project under tests/packages/migrate/ (or a small project written in tmp_path), and checks what
it wrote: pyproject.toml (parsed), setup.py deleted or stripped, setup.cfg left with its other
tools' sections, the report, the exit code. A few tests run the real command
(``python -m cffi_build_plugin migrate``) as a process and check it says and does the same; the
slow tests migrate each fixture through that process and build its wheel before and after, and
compare their metadata, files and tags.
"""

from __future__ import annotations

import ast
import configparser
import contextlib
import difflib
import io
import os
import subprocess
import sys
import zipfile
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any, Callable

import pytest

from cffi_build_plugin.cli import main
from cffi_build_plugin.modules.runtime_dependency import with_pypy_marker
from devtools.venvs import build_env
from tests.conftest import PACKAGES, snapshot, tree_changes
from tests.metadata_compare import DistInfo, metadata_differences
from tests.wheels import PLATFORM, build_wheel, names, only, tag

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - the dev venv is 3.11
    import tomli as tomllib

ProjectCopy = Callable[..., Path]

#: ini2toml warns when it converts setup_requires; a command run shows no DeprecationWarning.
pytestmark = pytest.mark.filterwarnings(
    "ignore:The field 'setup_requires' is deprecated:DeprecationWarning")

FIXTURES = PACKAGES / "migrate"
CASES = sorted(p.name for p in FIXTURES.iterdir() if p.is_dir())
HEADER = "# Stripped by `cffi-build-plugin migrate`"
RUNTIME = "cffi>=1.15; platform_python_implementation != 'PyPy'"
BUILD_SYSTEM = {"requires": ["setuptools>=70.1", "cffi-build-plugin"],
                "build-backend": "setuptools.build_meta"}
DONE = "done; next: `cffi-build-plugin init` adds the CI that builds and publishes wheels"
MODULES_MOVED = "cffi_modules → [tool.cffi-build-plugin].modules"
PLUGIN_ADDED = "added cffi-build-plugin to [build-system].requires"
CFFI_KEPT = "kept [project].dependencies: cffi is already required"
SETUP_PY_DELETED = "deleted setup.py: everything in it moved"
CFG_KEPT = "kept setup.cfg for its other sections"
#: Fixtures whose setup.py a run without --exec cannot read whole; migrated with --exec.
EXEC = {"exec-needed"}
#: The tag each fixture's converted wheel must have on this machine's CPython.
ABI3 = f"cp39-abi3-{PLATFORM}"
TAGS = {
    "abi3-hack": ABI3, "abi3-hack-cfg": ABI3, "custom-command": ABI3, "exec-needed": ABI3,
    "fallback": ABI3, "mixed": "py3-none-any", "pyproject-and-setup-py": f"cp310-abi3-{PLATFORM}",
    "setup-cfg-only": ABI3, "setup-py-only": ABI3, "setup-requires": ABI3,
    "version-from-file": ABI3, "version-from-file-text": ABI3,
    "ext-package-py": ABI3, "ext-package-cfg": ABI3, "shipped-inputs": ABI3, "egg-info-cfg": ABI3,
    "pypy-only": f"cp311-cp311-{PLATFORM}",  # the C++ extension alone; the cffi module is PyPy's
    "live-helpers": ABI3, "version-from-import": ABI3,
}
#: Code run against each converted wheel (unpacked), and what it prints: the module is built
#: and works.
SMOKE = {
    "abi3-hack": ("import abihack; print(abihack.square(3.0))", "9.0"),
    "abi3-hack-cfg": ("import cfghack; print(cfghack.negate(4))", "-4"),
    "custom-command": ("import struct, custcmd, custcmd._buildinfo as b; "
                       "print(custcmd.pointer_bits() == 8 * struct.calcsize('P'), b.GENERATED_BY)",
                       "True build_py_with_info"),
    "exec-needed": ("import execpkg._one as m, execpkg.plugins; print(m.lib.one())", "1"),
    "fallback": ("import fallbk._fast, fallbk; print(fallbk.inc(1))", "2"),
    "mixed": ("import mixabi; print(mixabi.absolute(-3))", "3"),
    "pypy-only": ("import pypyonly; print(pypyonly.total([1, 2, 3]), pypyonly.BACKEND)",
                  "6 _speedups"),
    "pyproject-and-setup-py": ("import halfway; print(halfway.fib(10), halfway.table())",
                               "55 [1, 1, 2, 3, 5, 8, 13]"),
    "setup-cfg-only": ("import cfgonly; print(cfgonly.mul(6, 7))", "42"),
    "setup-py-only": ("import fastadd; print(fastadd.add(2, 3))", "5"),
    "setup-requires": ("import sreq; print(sreq.clamp(5, 0, 3))", "3"),
    "version-from-file": ("import verfile; print(verfile.triple(3), verfile.__version__)",
                         "9 4.5.6"),
    "version-from-file-text": ("import vertext; print(vertext.halve(3.0))", "1.5"),
    "ext-package-py": ("import extpy, extpy._native as m; print(extpy.clamp(9, 0, 5), m.__name__)",
                       "5 extpy._native"),
    "ext-package-cfg": ("import extcfg, extcfg._gcd as m; print(extcfg.gcd(84, 36), m.__name__)",
                        "12 extcfg._gcd"),
    "shipped-inputs": ("import os, shipin; print(sorted(os.listdir(shipin.get_include())))",
                       "['ring_size.h', 'shipin.h']"),
    "egg-info-cfg": ("import eggcfg; print(eggcfg.popcount(255))", "8"),
    "live-helpers": ("import livehelp; print(livehelp.twice(21))", "42"),
    "version-from-import": ("import verimp; print(verimp.halve(3.0), verimp.__version__)",
                            "1.5 7.8.9"),
}
#: The C compiler and the plugin's own variables of the developer's shell change builds.
_UNSET = ("CC", "CXX", "CFLAGS", "CPPFLAGS", "LDFLAGS", "LDSHARED", "SOURCE_DATE_EPOCH")


# -- helpers ------------------------------------------------------------------------------------


def _env() -> dict[str, str]:
    return {k: v for k, v in build_env().items()
            if not k.startswith("CFFI_BUILD_PLUGIN_") and k not in _UNSET}


def cli_process(root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """``python -m cffi_build_plugin migrate [args] root`` in a process of its own, never
    raising."""
    return subprocess.run([sys.executable, "-m", "cffi_build_plugin", "migrate", *args, str(root)],
                          capture_output=True, text=True, env=_env(), cwd=root.parent,
                          timeout=120, check=False)


@contextlib.contextmanager
def _as_the_command_runs(cwd: Path) -> Iterator[None]:
    """The environment and working folder :func:`cli_process` gives the command, for a run in
    this process; both restored after."""
    saved_env, saved_cwd = dict(os.environ), os.getcwd()
    for key in [k for k in os.environ if k.startswith("CFFI_BUILD_PLUGIN_") or k in _UNSET]:
        del os.environ[key]
    os.chdir(cwd)
    try:
        yield
    finally:
        os.chdir(saved_cwd)
        os.environ.clear()
        os.environ.update(saved_env)


def cli(root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """``cffi_build_plugin.cli.main(["migrate", *args, root])`` in this process, as
    :func:`cli_process` would run it: its exit code, stdout and stderr. An exception the
    command line does not turn into an error message fails the test."""
    argv = ["migrate", *args, str(root)]
    out, err = io.StringIO(), io.StringIO()
    with _as_the_command_runs(root.parent), contextlib.redirect_stdout(out), \
            contextlib.redirect_stderr(err):
        code = main(argv)
    return subprocess.CompletedProcess(argv, code, out.getvalue(), err.getvalue())


def migrate(root: Path, *args: str, process: bool = False) -> list[str]:
    """Run migrate (in this process, or with *process* as a command), which must succeed; its
    report lines (stdout)."""
    proc = (cli_process if process else cli)(root, *args)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "Traceback" not in proc.stderr, proc.stderr
    return proc.stdout.splitlines()


def fixture(project_copy: ProjectCopy, case: str) -> Path:
    return project_copy(f"migrate/{case}", case)


def pyproject(root: Path) -> dict[str, Any]:
    return tomllib.loads((root / "pyproject.toml").read_text("utf-8"))


def assert_lines(out: Sequence[str], expected: Sequence[str]) -> None:
    """Each expected line is a whole line of *out*."""
    missing = [line for line in expected if line not in out]
    assert not missing, "missing report lines:\n" + "\n".join(missing) + "\nin:\n" + "\n".join(out)


def line_starting(out: Sequence[str], prefix: str) -> str:
    found = [line for line in out if line.startswith(prefix)]
    assert len(found) == 1, f"no single line starting {prefix!r} in:\n" + "\n".join(out)
    return found[0]


def setup_call_keywords(text: str) -> list[str]:
    """The keywords of the one setup() call of a setup.py."""
    calls = [n for n in ast.walk(ast.parse(text)) if isinstance(n, ast.Call)
             and isinstance(n.func, ast.Name) and n.func.id == "setup"]
    assert len(calls) == 1, text
    return [kw.arg or "**" for kw in calls[0].keywords]


def header_of(text: str) -> list[str]:
    """The comment lines migrate put at the top of a stripped setup.py (shebang and coding
    lines before it skipped)."""
    lines = text.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith(HEADER))
    end = next(i for i in range(start, len(lines)) if not lines[i].startswith("#"))
    return lines[start:end]


def cfg_sections(path: Path) -> list[str]:
    parser = configparser.ConfigParser(interpolation=None)
    parser.read_string(path.read_text("utf-8"))
    return parser.sections()


def write(root: Path, files: Mapping[str, str | bytes]) -> Path:
    for rel, content in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, "utf-8")
    return root


#: A package with an API-mode builder, for projects written in the tests.
PKG = {
    "pkg/__init__.py": "",
    "pkg/_build.py": ('from cffi import FFI\n\nffibuilder = FFI()\n'
                      'ffibuilder.cdef("int f(void);")\n'
                      'ffibuilder.set_source("pkg._f", "static int f(void) { return 1; }")\n'),
}


# -- one test per fixture: what migrate writes ---------------------------------------------------


def test_setup_py_only(project_copy: ProjectCopy) -> None:
    root = fixture(project_copy, "setup-py-only")
    out = migrate(root)
    assert pyproject(root) == {
        "build-system": BUILD_SYSTEM,
        "project": {
            "name": "fastadd",
            "version": "1.2.0",
            "description": "Add two integers in C, through cffi",
            "readme": {"file": "README.rst", "content-type": "text/x-rst"},
            "requires-python": ">=3.9",
            "license": {"text": "MIT"},
            "authors": [{"name": "Ada Lovelace", "email": "ada@example.org"}],
            "keywords": ["cffi", "addition", "example"],
            "classifiers": ["License :: OSI Approved :: MIT License",
                            "Programming Language :: Python :: 3",
                            "Programming Language :: Python :: Implementation :: CPython"],
            "dependencies": [RUNTIME],  # the PyPy marker added
            "optional-dependencies": {"test": ["pytest>=7"]},
            "urls": {"Homepage": "https://example.org/fastadd",
                     "Source": "https://github.com/example/fastadd",
                     "Tracker": "https://github.com/example/fastadd/issues"},
            "scripts": {"fastadd": "fastadd.cli:main"},
        },
        "tool": {
            "setuptools": {
                "zip-safe": False,
                "include-package-data": False,
                "package-dir": {"": "src"},
                "packages": {"find": {"where": ["src"], "namespaces": False}},
                "package-data": {"fastadd": ["py.typed", "data/*.txt"]},
            },
            "cffi-build-plugin": {"modules": ["src/fastadd/_build.py:ffibuilder"]},
        },
    }
    assert not (root / "setup.py").exists()
    assert not (root / "setup.cfg").exists()
    assert_lines(out, [MODULES_MOVED, PLUGIN_ADDED, CFFI_KEPT, SETUP_PY_DELETED, DONE])
    assert line_starting(out, "license: ").startswith('license: {text = "MIT"}, as setup.py gave')


def test_setup_cfg_only(project_copy: ProjectCopy) -> None:
    """Every piece of metadata in setup.cfg; setup.py only passes cffi_modules (setuptools
    does not read it from setup.cfg)."""
    root = fixture(project_copy, "setup-cfg-only")
    out = migrate(root)
    assert pyproject(root) == {
        "build-system": {
            "requires": ["setuptools>=70.1", "cffi-build-plugin",
                         "cffi>=1.15; platform_python_implementation != 'PyPy'"],
            "build-backend": "setuptools.build_meta",
        },
        "project": {
            "name": "cfgonly",
            "version": "0.3.1",
            "description": "Multiply two integers in C",
            "readme": {"file": "README.md", "content-type": "text/markdown"},
            "authors": [{"name": "Grace Hopper", "email": "grace@example.org"}],
            "license": {"text": "BSD-3-Clause"},
            "classifiers": ["Development Status :: 4 - Beta",
                            "License :: OSI Approved :: BSD License",
                            "Programming Language :: Python :: 3"],
            "keywords": ["cffi", "multiplication"],
            "requires-python": ">=3.9",
            "dependencies": ['typing-extensions>=4; python_version < "3.11"', RUNTIME],
            "urls": {"Homepage": "https://example.org/cfgonly",
                     "Documentation": "https://cfgonly.readthedocs.io",
                     "Source": "https://github.com/example/cfgonly"},
            "optional-dependencies": {"docs": ["sphinx>=7", "furo"]},
            "scripts": {"cfgonly": "cfgonly.__main__:main"},
        },
        "tool": {
            "setuptools": {
                "zip-safe": False,
                "include-package-data": True,
                "packages": {"find": {"exclude": ["tests", "tests.*"], "namespaces": False}},
            },
            "cffi-build-plugin": {"modules": ["cfgonly/_build.py:ffibuilder"]},
        },
    }
    assert not (root / "setup.py").exists()
    assert (root / "setup.cfg").read_text() == "[tool:pytest]\ntestpaths = tests\naddopts = -ra\n"
    assert_lines(out, [
        "setup.cfg: [metadata], [options], [options.packages.find], [options.extras_require], "
        "[options.entry_points] → pyproject.toml (ini2toml)",
        MODULES_MOVED, PLUGIN_ADDED, SETUP_PY_DELETED, CFG_KEPT, DONE,
        f'added "{RUNTIME}" to [project].dependencies (the built modules import cffi\'s backend)',
    ])


def test_mixed_setup_cfg_and_setup_py(project_copy: ProjectCopy) -> None:
    """Metadata in setup.cfg, authors, URLs, entry points, extras and cffi_modules in setup.py;
    setup.cfg also holds flake8's and pytest's settings, which stay there."""
    root = fixture(project_copy, "mixed")
    out = migrate(root)
    assert pyproject(root) == {
        "build-system": BUILD_SYSTEM,
        "project": {
            "name": "mixabi",
            "dynamic": ["version"],
            "description": "Absolute values from the C library, through cffi's ABI mode",
            "readme": {"file": "README.rst", "content-type": "text/x-rst"},
            "license": {"text": "MIT"},
            "authors": [{"name": "Alan Turing", "email": "alan@example.org"}],
            "classifiers": ["License :: OSI Approved :: MIT License",
                            "Programming Language :: Python :: 3",
                            "Operating System :: POSIX"],
            "requires-python": ">=3.9",
            "dependencies": ['cffi>=1.15; platform_python_implementation != "PyPy"'],
            "optional-dependencies": {"test": ["pytest"]},
            "urls": {"Source": "https://github.com/example/mixabi",
                     "Changelog": "https://github.com/example/mixabi/blob/main/CHANGES.rst"},
            "scripts": {"mixabi": "mixabi.__main__:main"},
            "entry-points": {"mixabi.plugins": {"default": "mixabi:absolute"}},
        },
        "tool": {
            "setuptools": {
                "packages": ["mixabi"],
                "include-package-data": False,
                "dynamic": {"version": {"attr": "mixabi.__version__"}},
            },
            "cffi-build-plugin": {"modules": ["build_mixabi.py:ffibuilder"]},
        },
    }
    assert not (root / "setup.py").exists()
    assert cfg_sections(root / "setup.cfg") == ["flake8", "tool:pytest"]
    kept = (root / "setup.cfg").read_text()
    assert "[flake8]\nmax-line-length = 100\nexclude = build,.eggs\n" in kept
    assert "[tool:pytest]\ntestpaths = tests\n" in kept
    assert_lines(out, ["setup.cfg: [metadata], [options] → pyproject.toml (ini2toml)",
                       MODULES_MOVED, PLUGIN_ADDED, CFFI_KEPT, SETUP_PY_DELETED, CFG_KEPT, DONE])


def test_abi3_hack_class_and_option_are_dropped(project_copy: ProjectCopy) -> None:
    root = fixture(project_copy, "abi3-hack")
    out = migrate(root)
    assert pyproject(root) == {
        "build-system": BUILD_SYSTEM,
        "project": {
            "name": "abihack",
            "version": "0.5.0",
            "description": "A cffi project that tags its wheels abi3 by hand",
            "readme": {"file": "README.md", "content-type": "text/markdown"},
            "requires-python": ">=3.9",
            "license": {"text": "Apache-2.0"},
            "authors": [{"name": "Barbara Liskov"}],
            "dependencies": [RUNTIME],  # the PyPy marker added
        },
        "tool": {
            "setuptools": {"packages": ["abihack"], "include-package-data": False},
            "cffi-build-plugin": {"modules": ["abihack/_build.py:ffibuilder"],
                                  "py-limited-api": "cp39"},
        },
    }
    # The class, the option and the imports only they needed went with setup.py.
    assert not (root / "setup.py").exists()
    assert_lines(out, [MODULES_MOVED, PLUGIN_ADDED, CFFI_KEPT, SETUP_PY_DELETED, DONE])
    assert line_starting(out, "dropped cmdclass['bdist_wheel'] = bdist_wheel_abi3 (lines 15-22)"
                         ).endswith("tag by hand; cffi-build-plugin tags abi3 wheels itself")
    assert line_starting(out, "dropped options['bdist_wheel']['py_limited_api'] = 'cp39': ")


def test_abi3_hack_in_setup_cfg_is_dropped(project_copy: ProjectCopy) -> None:
    """setup.cfg's ``[bdist_wheel] py_limited_api`` goes even when setup.cfg has no metadata;
    flake8's section stays."""
    root = fixture(project_copy, "abi3-hack-cfg")
    out = migrate(root)
    assert pyproject(root) == {
        "build-system": BUILD_SYSTEM,
        "project": {
            "name": "cfghack",
            "version": "0.2.0",
            "description": "A cffi project that asks bdist_wheel for abi3 in setup.cfg",
            "readme": {"file": "README.md", "content-type": "text/markdown"},
            "requires-python": ">=3.9",
            "dependencies": [RUNTIME],
        },
        "tool": {
            "setuptools": {"packages": ["cfghack"], "include-package-data": False},
            "cffi-build-plugin": {"modules": ["cfghack/_build.py:ffibuilder"],
                                  "py-limited-api": "cp39"},
        },
    }
    assert not (root / "setup.py").exists()
    assert line_starting(out, "dropped setup.cfg's [bdist_wheel] py_limited_api")
    assert cfg_sections(root / "setup.cfg") == ["flake8"]
    assert "py_limited_api" not in (root / "setup.cfg").read_text()


def test_custom_command_and_configure_step_stay_in_setup_py(project_copy: ProjectCopy) -> None:
    root = fixture(project_copy, "custom-command")
    original = (root / "setup.py").read_text()
    out = migrate(root)
    assert pyproject(root) == {
        "build-system": BUILD_SYSTEM,
        "project": {
            "name": "custcmd",
            "version": "3.1.4",
            "description": "A cffi project with its own build_py and a configure step",
            "readme": "README.rst",
            "requires-python": ">=3.9",
            "license": {"text": "MIT"},
            "authors": [{"name": "Edsger Dijkstra", "email": "ewd@example.org"}],
            "dependencies": [RUNTIME],
            "urls": {"Homepage": "https://example.org/custcmd"},
        },
        "tool": {
            "setuptools": {
                "include-package-data": False,
                "packages": {"find": {"where": ["."], "exclude": ["tests", "tests.*"],
                                      "namespaces": False}},
            },
            "cffi-build-plugin": {"modules": ["custcmd/_build.py:ffibuilder"]},
        },
    }
    text = (root / "setup.py").read_text()
    # The shebang and coding lines stay first; the header says what stayed and why.
    assert text.startswith("#!/usr/bin/env python\n# -*- coding: utf-8 -*-\n" + HEADER)
    assert header_of(text)[2:] == [
        "# - cmdclass: custom commands: build_py = build_py_with_info",
        "# - code that runs when setup.py runs: subprocess.check_call([sys.executable, "
        "os.path.join(here, 'configure.py')], cwd=here)",
    ]
    assert setup_call_keywords(text) == ["cmdclass"]
    assert 'setup(\n    cmdclass={"build_py": build_py_with_info},\n)\n' in text
    # The kept code, as the user wrote it, and what it needs.
    for kept in ("class build_py_with_info(build_py):",
                 '            f.write("GENERATED_BY = \'build_py_with_info\'\\n")\n',
                 'subprocess.check_call([sys.executable, os.path.join(here, "configure.py")], '
                 "cwd=here)\n",
                 "here = os.path.abspath(os.path.dirname(__file__))\n",
                 "from setuptools.command.build_py import build_py\n"):
        assert kept in original
        assert kept in text
    for moved in ("name=", "version=", "long_description", "cffi_modules", "find_packages("):
        assert moved not in text, moved
    assert_lines(out, [
        MODULES_MOVED, PLUGIN_ADDED, CFFI_KEPT, DONE,
        "readme: README.rst; setuptools now also records its content type, from the file's "
        "suffix (setup.py gave none)",
        "setup.py keeps cmdclass: custom commands: build_py = build_py_with_info",
        "setup.py keeps code that runs when it runs: subprocess.check_call([sys.executable, "
        "os.path.join(here, 'configure.py')], cwd=here)",
    ])
    assert SETUP_PY_DELETED not in out


def test_version_read_from_the_package(project_copy: ProjectCopy) -> None:
    """setup.py reads ``__version__`` from src/verfile/__init__.py with a loop and a regex:
    setuptools' ``attr:`` reads the same literal, and setup.py goes."""
    root = fixture(project_copy, "version-from-file")
    out = migrate(root)
    assert pyproject(root) == {
        "build-system": BUILD_SYSTEM,
        "project": {
            "name": "verfile",
            "dynamic": ["version"],
            "description": "Its version lives in the package",
            "readme": {"file": "README.md", "content-type": "text/markdown"},
            "requires-python": ">=3.9",
            "dependencies": [RUNTIME],
        },
        "tool": {
            "setuptools": {
                "include-package-data": False,
                "package-dir": {"": "src"},
                "packages": {"find": {"where": ["src"], "namespaces": False}},
                "dynamic": {"version": {"attr": "verfile.__version__"}},
            },
            "cffi-build-plugin": {"modules": ["src/verfile/_build.py:ffibuilder"]},
        },
    }
    assert not (root / "setup.py").exists()
    assert "verfile.__version__" in line_starting(out, "version: computed in setup.py")


def test_version_read_from_a_text_file(project_copy: ProjectCopy) -> None:
    root = fixture(project_copy, "version-from-file-text")
    out = migrate(root)
    assert pyproject(root) == {
        "build-system": BUILD_SYSTEM,
        "project": {
            "name": "vertext",
            "dynamic": ["version"],
            "description": "Its version lives in a VERSION file",
            "readme": {"file": "README.md", "content-type": "text/markdown"},
            "requires-python": ">=3.9",
            "dependencies": [RUNTIME],
        },
        "tool": {
            "setuptools": {"packages": ["vertext"], "include-package-data": False,
                           "dynamic": {"version": {"file": "VERSION"}}},
            "cffi-build-plugin": {"modules": ["vertext/_build.py:ffibuilder"]},
        },
    }
    assert not (root / "setup.py").exists()
    assert line_starting(out, "version: computed in setup.py").endswith(
        'setuptools now reads it from the file VERSION ({file = "VERSION"})')


def test_setup_requires_become_build_requirements(project_copy: ProjectCopy) -> None:
    root = fixture(project_copy, "setup-requires")
    out = migrate(root)
    assert pyproject(root) == {
        "build-system": {
            "requires": ["setuptools>=70.1", "cffi-build-plugin",
                         "cffi>=1.0; platform_python_implementation != 'PyPy'", "pkgconfig"],
            "build-backend": "setuptools.build_meta",
        },
        "project": {
            "name": "sreq",
            "version": "1.0.0",
            "description": "A cffi project whose builder needs pkgconfig at build time",
            "readme": {"file": "README.rst", "content-type": "text/x-rst"},
            "requires-python": ">=3.9",
            "dependencies": ["cffi>=1.0; platform_python_implementation != 'PyPy'"],
        },
        "tool": {
            "setuptools": {"packages": ["sreq"], "include-package-data": False},
            "cffi-build-plugin": {"modules": ["sreq/_build.py:ffibuilder"]},
        },
    }
    assert not (root / "setup.py").exists()
    assert_lines(out, [
        "setup_requires → [build-system].requires",
        "build requirement \"cffi>=1.0; platform_python_implementation != 'PyPy'\" → "
        "[build-system].requires",
        "build requirement 'pkgconfig' → [build-system].requires",
        MODULES_MOVED, PLUGIN_ADDED, CFFI_KEPT, SETUP_PY_DELETED, DONE,
    ])


def test_fallback_try_except_becomes_optional_modules(project_copy: ProjectCopy) -> None:
    """``try: setup(cffi_modules=..., **common) except Exception: setup(**common)``."""
    root = fixture(project_copy, "fallback")
    out = migrate(root)
    data = pyproject(root)
    assert data["tool"]["cffi-build-plugin"] == {
        "modules": [{"builder": "fallbk/_build.py:ffibuilder", "optional": True}]}
    assert data["project"] == {
        "name": "fallbk",
        "version": "1.1.0",
        "description": "Uses the C module when it builds, pure Python otherwise",
        "requires-python": ">=3.9",
        "dependencies": [RUNTIME],
    }
    assert data["tool"]["setuptools"] == {"packages": ["fallbk"], "include-package-data": False}
    assert not (root / "setup.py").exists()
    assert_lines(out, [MODULES_MOVED + " (optional = true: setup.py fell back to a build "
                       "without them when they failed)", SETUP_PY_DELETED])


def test_existing_pyproject_keeps_its_comments_and_settings(project_copy: ProjectCopy) -> None:
    """A project half-way there: [project] in pyproject.toml, cffi_modules in setup.py. Only
    the module and the plugin are added; setuptools' pyproject.toml defaults (package data
    from MANIFEST.in included) stay in force."""
    root = fixture(project_copy, "pyproject-and-setup-py")
    before = (root / "pyproject.toml").read_text()
    out = migrate(root)
    after = (root / "pyproject.toml").read_text()
    for line in before.splitlines():
        if "#" in line and "requires" not in line and "cffi>=" not in line:
            assert line in after, line
    # The marked cffi line keeps its comment.
    assert ('    "cffi>=1.16; platform_python_implementation != \'PyPy\'",  # the backend of '
            "the compiled module\n") in after
    assert after.startswith("# Half-way there: the metadata is here, the cffi module is still "
                            "built by setup.py.\n[build-system]\n")
    assert 'requires = ["setuptools>=64", "cffi>=1.15; platform_python_implementation != ' \
           '\'PyPy\'", "cffi-build-plugin"]  # cffi for cffi_modules\n' in after
    data = pyproject(root)
    expected = tomllib.loads(before)["project"]
    # Unmarked cffi requirements get the PyPy marker; nothing else in [project] changes.
    expected["dependencies"] = [with_pypy_marker(d) for d in expected["dependencies"]]
    assert expected["dependencies"] != tomllib.loads(before)["project"]["dependencies"]
    assert data["project"] == expected
    assert data["tool"] == {
        "setuptools": {"packages": ["halfway"]},
        "black": {"line-length": 99},
        "cffi-build-plugin": {"modules": ["halfway/_build.py:ffibuilder"]},
    }
    assert not (root / "setup.py").exists()
    assert_lines(out, [MODULES_MOVED, PLUGIN_ADDED, CFFI_KEPT, SETUP_PY_DELETED, DONE])


@pytest.mark.parametrize("case", [c for c in CASES
                                  if not (FIXTURES / c / "pyproject.toml").exists()])
def test_report_credits_no_pyproject_toml_that_did_not_exist(project_copy: ProjectCopy,
                                                             case: str) -> None:
    root = fixture(project_copy, case)
    out = migrate(root, *(["--exec"] if case in EXEC else []))
    assert not [line for line in out if "as pyproject.toml has it" in line
                or "kept pyproject.toml's" in line]


# -- the command as a process: what the tests above see in this process ---------------------------


@pytest.mark.parametrize(("case", "args"), [
    pytest.param("setup-py-only", [], id="writes"),
    pytest.param("custom-command", ["--dry-run"], id="dry-run"),
    pytest.param("exec-needed", ["--exec"], id="exec"),
])
def test_the_command_as_a_process_says_and_does_what_main_does(
        project_copy: ProjectCopy, case: str, args: list[str]) -> None:
    """End to end: ``python -m cffi_build_plugin migrate`` exits, prints and writes exactly what
    :func:`cli` (``main()`` in this process) does."""
    in_process = project_copy(f"migrate/{case}", "in-process/p")
    as_process = project_copy(f"migrate/{case}", "as-process/p")
    ran, spawned = cli(in_process, *args), cli_process(as_process, *args)
    assert spawned.returncode == ran.returncode == 0, spawned.stderr
    assert spawned.stderr == ran.stderr == ""
    assert spawned.stdout.replace(str(as_process), "<root>") == \
        ran.stdout.replace(str(in_process), "<root>")
    assert snapshot(as_process) == snapshot(in_process)


# -- --exec ---------------------------------------------------------------------------------------


def test_computed_packages_stay_in_setup_py_without_exec(project_copy: ProjectCopy) -> None:
    root = fixture(project_copy, "exec-needed")
    out = migrate(root)
    data = pyproject(root)
    assert "packages" not in data["tool"]["setuptools"]
    assert data["tool"]["cffi-build-plugin"] == {"modules": ["execpkg/_build.py:ffibuilder"]}
    text = (root / "setup.py").read_text()
    assert header_of(text)[2:] == [
        "# - packages: compute_packages() is a function of its own (line 22)"]
    assert setup_call_keywords(text) == ["packages"]
    assert "def compute_packages():" in text
    assert_lines(out, ["setup.py keeps packages: compute_packages() is a function of its own "
                       "(line 22)"])
    assert not [line for line in out if "--exec" in line]


def test_exec_records_what_only_running_can_tell(project_copy: ProjectCopy) -> None:
    root = fixture(project_copy, "exec-needed")
    before = snapshot(root)
    out = migrate(root, "--exec")
    assert pyproject(root)["tool"]["setuptools"] == {
        "packages": ["execpkg", "execpkg.plugins"], "include-package-data": False}
    assert_lines(out, [
        "packages: recorded by running setup.py (--exec): ['execpkg', 'execpkg.plugins']",
        SETUP_PY_DELETED])
    # Running setup.py left nothing behind (no bytecode, no egg-info).
    assert tree_changes(before, snapshot(root)) == ["+ pyproject.toml", "- setup.py"]


@pytest.mark.parametrize("setup_py", [
    pytest.param('import sys\nfrom setuptools import setup\n\nif sys.platform == "win32":\n'
                 '    setup(name="x", version="1", packages=["pkg"])\nelse:\n'
                 '    setup(name="x", version="1", packages=["pkg"],\n'
                 '          cffi_modules=["pkg/_build.py:ffibuilder"])\n', id="setup-twice"),
    pytest.param('from setuptools import setup\n\ntry:\n    setup(name="x", version="1", '
                 'packages=["pkg"], cffi_modules=["pkg/_build.py:ffibuilder"])\n'
                 'except Exception:\n    setup(name="x", version="1")\n',
                 id="fallback-that-differs"),
])
def test_two_setup_calls_are_an_error_that_says_what_to_do(tmp_path: Path,
                                                            setup_py: str) -> None:
    """migrate converts one call (or the fallback pair); for anything else the error says how
    to get there, and --exec, which records values but not structure, does not pretend."""
    root = write(tmp_path / "p", {**PKG, "setup.py": setup_py})
    before = snapshot(root)
    for args in ([], ["--exec"]):
        proc = cli(root, *args)
        assert proc.returncode == 10  # MigrateError
        assert "setup.py" in proc.stderr
        assert "then run migrate again" in proc.stderr
        assert "--exec" not in proc.stderr
        assert tree_changes(before, snapshot(root)) == []


# -- --dry-run and a second run -------------------------------------------------------------------


@pytest.mark.parametrize("case", CASES)
def test_dry_run_prints_the_diff_and_writes_nothing(project_copy: ProjectCopy,
                                                    case: str) -> None:
    args = ["--exec"] if case in EXEC else []
    root = fixture(project_copy, case)
    before = snapshot(root)
    proc = cli(root, "--dry-run", *args)
    assert proc.returncode == 0, proc.stderr
    assert tree_changes(before, snapshot(root)) == []
    # The diff is the change a real run makes, file by file.
    real = project_copy(f"migrate/{case}", f"{case}-real")
    report = migrate(real, *args)
    changed = tree_changes(before, snapshot(real))
    assert changed
    for change in changed:
        kind, name = change.split(" ", 1)
        old = "" if kind == "+" else before[name].decode()  # type: ignore[union-attr]
        new = "" if kind == "-" else (real / name).read_text()
        expected = "".join(difflib.unified_diff(
            old.splitlines(keepends=True), new.splitlines(keepends=True),
            fromfile="/dev/null" if kind == "+" else f"a/{name}",
            tofile="/dev/null" if kind == "-" else f"b/{name}"))
        assert expected in proc.stdout, f"{change}: {expected}\n---- got:\n{proc.stdout}"
    # The same report, each line marked as what would happen.
    would = [line for line in proc.stdout.splitlines() if line.startswith("would: ")]
    assert would == [f"would: {line}" for line in report if line != DONE]


@pytest.mark.parametrize("case", CASES)
def test_second_run_changes_nothing(project_copy: ProjectCopy, case: str) -> None:
    args = ["--exec"] if case in EXEC else []
    root = fixture(project_copy, case)
    migrate(root, *args)
    after_first = snapshot(root)
    out = migrate(root, *args)
    assert out[-1] == "nothing changed"
    assert tree_changes(after_first, snapshot(root)) == []
    proc = cli(root, "--dry-run", *args)
    assert proc.returncode == 0
    assert "---" not in proc.stdout
    assert "would: " not in proc.stdout


# -- line ends ------------------------------------------------------------------------------------


def crlf(path: Path) -> None:
    path.write_bytes(path.read_bytes().replace(b"\r\n", b"\n").replace(b"\n", b"\r\n"))


def all_crlf(path: Path) -> bool:
    raw = path.read_bytes()
    return raw.count(b"\n") > 0 and raw.count(b"\n") == raw.count(b"\r\n")


def test_crlf_setup_cfg_keeps_its_line_ends(project_copy: ProjectCopy) -> None:
    root = fixture(project_copy, "mixed")
    crlf(root / "setup.cfg")
    migrate(root)
    assert all_crlf(root / "setup.cfg")
    assert cfg_sections(root / "setup.cfg") == ["flake8", "tool:pytest"]
    assert b"[flake8]\r\nmax-line-length = 100\r\n" in (root / "setup.cfg").read_bytes()
    assert pyproject(root)["project"]["name"] == "mixabi"


def test_crlf_pyproject_and_setup_py_keep_their_line_ends(project_copy: ProjectCopy) -> None:
    half = fixture(project_copy, "pyproject-and-setup-py")
    crlf(half / "pyproject.toml")
    migrate(half)
    assert all_crlf(half / "pyproject.toml")
    text = (half / "pyproject.toml").read_text()
    assert "# bumped by the release script" in text
    assert "# the backend of the compiled module" in text
    assert pyproject(half)["tool"]["cffi-build-plugin"] == {
        "modules": ["halfway/_build.py:ffibuilder"]}
    custom = fixture(project_copy, "custom-command")
    crlf(custom / "setup.py")
    migrate(custom)
    assert all_crlf(custom / "setup.py")
    assert setup_call_keywords((custom / "setup.py").read_text()) == ["cmdclass"]
    # And a second run sees the same file.
    assert migrate(custom)[-1] == "nothing changed"


# -- how setup.py files read their README and version ---------------------------------------------

_README = "hello\n=====\n"
_PREAMBLE = ("import codecs\nimport io\nimport os\nimport re\nfrom pathlib import Path\n\n"
             "from setuptools import setup\n\n")


@pytest.mark.parametrize("code", [
    pytest.param('LD = open("README.rst").read()\n', id="open"),
    pytest.param('here = os.path.abspath(os.path.dirname(__file__))\n'
                 'LD = io.open(os.path.join(here, "README.rst"), encoding="utf-8").read()\n',
                 id="io.open-join"),
    pytest.param('here = os.path.dirname(__file__)\n'
                 'LD = codecs.open(os.path.join(here, "README.rst"), encoding="utf-8").read()\n',
                 id="codecs.open-join"),
    pytest.param('LD = (Path(__file__).parent / "README.rst").read_text(encoding="utf-8")\n',
                 id="pathlib"),
    pytest.param('def read(fname):\n    return open(fname).read()\n\n\nLD = read("README.rst")\n',
                 id="read-helper"),
    # Common in cffi projects (pyvips, argon2-cffi, and the packaging guide's own sample):
    pytest.param('here = os.path.abspath(os.path.dirname(__file__))\n\n\ndef read(name):\n'
                 '    with open(os.path.join(here, name), encoding="utf-8") as f:\n'
                 '        return f.read()\n\n\nLD = read("README.rst")\n',
                 id="read-helper-join"),
    pytest.param('HERE = os.path.abspath(os.path.dirname(__file__))\n\n\ndef read(*parts):\n'
                 '    with codecs.open(os.path.join(HERE, *parts), "rb", "utf-8") as f:\n'
                 '        return f.read()\n\n\nLD = read("README.rst")\n',
                 id="read-helper-varargs"),
    pytest.param('here = os.path.abspath(os.path.dirname(__file__))\n'
                 'with open(os.path.join(here, "README.rst"), encoding="utf-8") as f:\n'
                 '    LD = f.read()\n', id="with-block"),
])
def test_readme_idioms(tmp_path: Path, code: str) -> None:
    root = write(tmp_path / "p", {**PKG, "README.rst": _README, "setup.py": (
        _PREAMBLE + code + '\n\nsetup(name="x", version="1", packages=["pkg"], '
        'long_description=LD, long_description_content_type="text/x-rst", '
        'cffi_modules=["pkg/_build.py:ffibuilder"])\n')})
    migrate(root)
    assert pyproject(root)["project"]["readme"] == {"file": "README.rst",
                                                    "content-type": "text/x-rst"}
    assert not (root / "setup.py").exists()


@pytest.mark.parametrize(("code", "dynamic"), [
    pytest.param('with open("pkg/__init__.py") as f:\n'
                 '    VERSION = re.search(r\'__version__ = "(.*?)"\', f.read()).group(1)\n',
                 {"attr": "pkg.__version__"}, id="regex-path"),
    pytest.param('here = os.path.abspath(os.path.dirname(__file__))\n'
                 'with open(os.path.join(here, "pkg", "__init__.py")) as f:\n'
                 '    VERSION = re.search(r\'__version__ = "(.*?)"\', f.read()).group(1)\n',
                 {"attr": "pkg.__version__"}, id="regex-joined-path"),
    pytest.param('here = os.path.abspath(os.path.dirname(__file__))\n'
                 'with open(os.path.join(here, "VERSION")) as f:\n'
                 '    VERSION = f.read().strip()\n', {"file": "VERSION"}, id="text-file"),
])
def test_version_idioms(tmp_path: Path, code: str, dynamic: dict[str, str]) -> None:
    root = write(tmp_path / "p", {**PKG, "pkg/__init__.py": '__version__ = "2.3.4"\n',
                                  "VERSION": "2.3.4\n", "setup.py": (
        _PREAMBLE + code + '\n\nsetup(name="x", version=VERSION, packages=["pkg"], '
        'cffi_modules=["pkg/_build.py:ffibuilder"])\n')})
    migrate(root)
    data = pyproject(root)
    assert data["project"]["dynamic"] == ["version"]
    assert data["tool"]["setuptools"]["dynamic"] == {"version": dynamic}
    assert not (root / "setup.py").exists()


# -- bad input ------------------------------------------------------------------------------------

_SETUP = 'from setuptools import setup\n\nsetup(name="x", version="1", packages=["pkg"], ' \
         'cffi_modules=["pkg/_build.py:ffibuilder"])\n'


@pytest.mark.parametrize(("files", "named", "message"), [
    pytest.param({}, "", "no setup.py or setup.cfg with setuptools sections: nothing to migrate",
                 id="nothing-to-migrate"),
    pytest.param({"setup.py": 'from setuptools import setup\nsetup(name="x",\n    version="1"\n'
                              '    cffi_modules=["pkg/_build.py:ffibuilder"])\n'},
                 "setup.py", "line 3: invalid syntax", id="syntax-error"),
    pytest.param({"setup.py": 'import sys\nfrom setuptools import setup\n\n'
                              'NAME = "x-" + sys.platform\nsetup(name=NAME, version="1", '
                              'cffi_modules=["pkg/_build.py:ffibuilder"])\n'},
                 "setup.py", "the project's name is not written out (it is computed, or "
                 "missing): pyproject.toml needs [project].name; pass --exec to record it, or "
                 "set it by hand", id="computed-name"),
    pytest.param({"setup.py": _SETUP, "pyproject.toml": '[build-system]\nrequires = '
                  '["hatchling"]\nbuild-backend = "hatchling.build"\n'},
                 "pyproject.toml", "[build-system].build-backend is 'hatchling.build': migrate "
                 "converts setuptools projects", id="hatchling-backend"),
    pytest.param({"setup.py": 'import sys\nfrom setuptools import setup\n\n'
                              'if sys.platform == "win32":\n    setup(name="x", version="1")\n'
                              'else:\n    setup(name="x", version="1", '
                              'cffi_modules=["pkg/_build.py:ffibuilder"])\n'},
                 "setup.py", "setup() is called 2 times (lines 5, 7)", id="setup-twice"),
    pytest.param({"setup.py": 'from setuptools import setup\n\ntry:\n    setup(name="x", '
                              'version="1", packages=["pkg"], '
                              'cffi_modules=["pkg/_build.py:ffibuilder"])\nexcept Exception:\n'
                              '    setup(name="x", version="1")\n'},
                 "setup.py", "the second call differs from the first in more than cffi_modules",
                 id="fallback-that-differs"),
    pytest.param({"setup.py": _SETUP.replace(", cffi_modules=[\"pkg/_build.py:ffibuilder\"]",
                                             "")},
                 "", "no cffi_modules in setup.py or setup.cfg: migrate converts cffi projects",
                 id="not-a-cffi-project"),
    pytest.param({"setup.py": _SETUP.replace("_build.py:ffibuilder", "_build.py")},
                 "setup.py", "cffi_modules entry 'pkg/_build.py' is not in cffi's form",
                 id="module-without-name"),
    pytest.param({"setup.py": _SETUP, "setup.cfg": "[metadata\nname = x\n"},
                 "setup.cfg", "not a valid setup.cfg", id="broken-setup-cfg"),
    pytest.param({"setup.py": _SETUP, "pyproject.toml": "[project\n"},
                 "pyproject.toml", "not valid TOML", id="broken-pyproject"),
    pytest.param({"setup.py": _SETUP.replace('"x"', '"Jos\xe9"').encode("latin-1")},
                 "setup.py", "not UTF-8", id="latin-1-setup-py"),
])
def test_bad_input_is_one_error_and_no_change(tmp_path: Path, files: dict[str, str | bytes],
                                              named: str, message: str) -> None:
    root = write(tmp_path / "p", {**PKG, **files})
    before = snapshot(root)
    proc = cli(root)
    assert proc.returncode in (3, 10), proc.stdout + proc.stderr  # ConfigError, MigrateError
    assert proc.stdout == ""
    kind = "invalid configuration in" if proc.returncode == 3 else "cannot migrate"
    assert proc.stderr.startswith(f"ERROR {kind} {root / named}".rstrip("/") + ":\n"), \
        proc.stderr
    assert message in proc.stderr
    assert "Traceback" not in proc.stderr
    assert tree_changes(before, snapshot(root)) == []
    # --dry-run fails the same way.
    dry = cli(root, "--dry-run")
    assert (dry.returncode, dry.stderr) == (proc.returncode, proc.stderr)


@pytest.mark.parametrize(("files", "code", "kind"), [
    pytest.param({"setup.py": _SETUP, "pyproject.toml": "[project\n"}, 3,
                 "invalid configuration in", id="config-error"),
    pytest.param({"setup.py": 'import sys\nfrom setuptools import setup\n\nif sys.platform '
                              '== "win32":\n    setup(name="x", version="1")\nelse:\n'
                              '    setup(name="x", version="1", '
                              'cffi_modules=["pkg/_build.py:ffibuilder"])\n'}, 10,
                 "cannot migrate", id="migrate-error"),
])
def test_the_command_as_a_process_fails_with_one_message_and_its_exit_code(
        tmp_path: Path, files: dict[str, str], code: int, kind: str) -> None:
    root = write(tmp_path / "p", {**PKG, **files})
    before = snapshot(root)
    proc = cli_process(root)
    assert (proc.returncode, proc.stdout) == (code, "")
    assert proc.stderr.startswith(f"ERROR {kind} {root}"), proc.stderr
    assert "Traceback" not in proc.stderr
    assert proc.stderr == cli(root).stderr
    assert tree_changes(before, snapshot(root)) == []


# -- the wheels before and after ------------------------------------------------------------------


def _build_here(project: Path, out: Path) -> Path:
    """``python -m build --wheel --no-isolation`` with this environment's setuptools, cffi and
    (editable) plugin."""
    proc = subprocess.run([sys.executable, "-m", "build", "--wheel", "--no-isolation",
                           "--skip-dependency-check", "--outdir", str(out), str(project)],
                          capture_output=True, text=True, env=_env(), timeout=300, check=False)
    assert proc.returncode == 0, proc.stdout[-4000:] + proc.stderr[-4000:]
    return only(sorted(out.glob("*.whl")))


def _builders(root: Path) -> set[str]:
    """The builder files migrate named, as paths inside a wheel could end."""
    modules = pyproject(root)["tool"]["cffi-build-plugin"]["modules"]
    return {(m if isinstance(m, str) else m["builder"]).split(":")[0] for m in modules}


def assert_works(case: str, wheel: Path, tmp_path: Path) -> None:
    """Run SMOKE's code for *case* with only the unpacked wheel (and this environment's cffi)
    importable."""
    unpacked, empty = tmp_path / "unpacked", tmp_path / "empty"
    with zipfile.ZipFile(wheel) as zf:
        zf.extractall(unpacked)
    empty.mkdir()
    code, expected = SMOKE[case]
    proc = subprocess.run([sys.executable, "-c", code], cwd=empty, capture_output=True,
                          text=True, env={**_env(), "PYTHONPATH": str(unpacked)}, timeout=60,
                          check=False)
    assert (proc.returncode, proc.stdout.strip()) == (0, expected), proc.stderr


def assert_same_project(original: Path, converted: Path, converted_root: Path) -> None:
    """The same metadata and the same files, but for the builder scripts the plugin keeps out
    of wheels."""
    assert metadata_differences(DistInfo.from_wheel(original),
                                DistInfo.from_wheel(converted)) == []
    builders = set() if pyproject(converted_root)["tool"]["cffi-build-plugin"].get(
        "ship-build-inputs") else _builders(converted_root)
    expected = {n for n in names(original) if not any(b.endswith(n) for b in builders)}
    # The plugin adds a typed stub beside each cffi module; the rest is the same.
    assert {n for n in names(converted) if not n.endswith(".pyi")} == expected


@pytest.mark.slow
@pytest.mark.parametrize("case", [c for c in CASES if c != "setup-requires"])
def test_converted_wheel_is_the_same_project(project_copy: ProjectCopy, tmp_path: Path,
                                             case: str) -> None:
    original_root = project_copy(f"migrate/{case}", f"{case}-original")
    original = _build_here(original_root, tmp_path / "dist-original")
    root = fixture(project_copy, case)
    migrate(root, *(["--exec"] if case in EXEC else []), process=True)
    converted = _build_here(root, tmp_path / "dist-converted")
    assert_same_project(original, converted, root)
    assert tag(converted) == TAGS[case]
    assert_works(case, converted, tmp_path)
    if case == "abi3-hack":
        assert tag(original) == ABI3  # the hack did its job; the plugin does it now
    if case == "custom-command":
        # build_py_with_info still runs: its output is in the wheel.
        with zipfile.ZipFile(converted) as zf:
            assert zf.read("custcmd/_buildinfo.py") == b"GENERATED_BY = 'build_py_with_info'\n"
    if case == "mixed":
        assert "mixabi/_libc.py" in names(converted)


@pytest.mark.slow
def test_isolated_builds_of_setup_requires(project_copy: ProjectCopy, tmp_path: Path, py311,
                                           tools, env: dict[str, str]) -> None:
    """pip installs pkgconfig for the original (setup_requires) and for the converted project
    (build requires) in isolated environments; the converted one gets the plugin's wheel."""
    original_root = project_copy("migrate/setup-requires", "original")
    original = build_wheel(tools(py311), original_root, tmp_path / "dist-original", env)
    root = fixture(project_copy, "setup-requires")
    migrate(root, process=True)
    converted = build_wheel(tools(py311), root, tmp_path / "dist-converted", env)
    assert_same_project(original, converted, root)
    assert tag(converted) == ABI3
    assert_works("setup-requires", converted, tmp_path)



# -- what a review found: settings migrate must not lose ----------------------------------------

_HEAD = "import os, sys\nfrom setuptools import setup\n"
_CALL = 'setup(name="p", cffi_modules=["pkg/_build.py:ffibuilder"], '


@pytest.mark.parametrize(("body", "kept"), [
    pytest.param('version = open("VERSION").read().strip() + ".post1"\n' + _CALL
                 + 'version=version)\n', "version", id="version-file-plus-suffix"),
    pytest.param('version: str = "1"\nversion += ".dev"\n' + _CALL + 'version=version)\n',
                 "version", id="annotated-then-changed"),
    pytest.param('REQS = ["a", "pywin32"]\nif sys.platform != "win32":\n'
                 '    REQS.remove("pywin32")\n' + _CALL + 'version="1", install_requires=REQS)\n',
                 "install_requires", id="list-changed-by-remove"),
    pytest.param('REQS = ["a"]\ndef add(deps):\n    deps.append("b")\nadd(REQS)\n' + _CALL
                 + 'version="1", install_requires=REQS)\n', "install_requires",
                 id="list-changed-by-a-function"),
    pytest.param('EP = {"console_scripts": ["p = pkg:main"] + ([] if os.name == "nt" else [])}\n'
                 + _CALL + 'version="1", entry_points=EP)\n', "entry_points",
                 id="computed-entry-points"),
    pytest.param(_CALL + 'version="1", data_files="etc/p.conf")\n', "data_files",
                 id="data-files-not-pairs"),
])
def test_computed_values_stay_in_setup_py(tmp_path: Path, body: str, kept: str) -> None:
    root = write(tmp_path / "p", {**PKG, "VERSION": "1.5\n", "setup.py": _HEAD + body})
    migrate(root)
    assert kept in setup_call_keywords((root / "setup.py").read_text())
    field = {"version": ["version"], "install_requires": ["dependencies"],
             "entry_points": ["entry-points", "scripts", "gui-scripts"]}.get(kept, [])
    for name in field:
        assert name in pyproject(root)["project"]["dynamic"]


def test_code_a_kept_keyword_needs_stays_and_side_effects_are_never_removed(
        tmp_path: Path) -> None:
    setup_py = (_HEAD + 'about = {}\nwith open("pkg/__about__.py") as f:\n'
                '    exec(f.read(), about)\nrc = os.system("true")\n' + _CALL
                + '\n      version=about["__version__"],\n'
                '      author=about["__author__"] + "!")\n')
    root = write(tmp_path / "p", {**PKG, "setup.py": setup_py, "pkg/__about__.py":
                                  '__version__ = "2.0"\n__author__ = "Ada"\n'})
    migrate(root)
    text = (root / "setup.py").read_text()
    assert "exec(f.read(), about)" in text
    assert 'rc = os.system("true")' in text
    assert setup_call_keywords(text) == ["author"]
    # The stripped setup.py still runs.
    proc = subprocess.run([sys.executable, "setup.py", "--version"], cwd=root,
                          capture_output=True, text=True, check=False)
    assert "KeyError" not in proc.stderr, proc.stderr


def test_computed_keyword_arguments_are_an_error(tmp_path: Path) -> None:
    setup_py = (_HEAD + 'extra = {}\nif sys.platform == "win32":\n'
                '    extra["install_requires"] = ["pywin32"]\n' + _CALL + 'version="1", **extra)\n')
    root = write(tmp_path / "p", {**PKG, "setup.py": setup_py})
    before = snapshot(root)
    proc = cli(root)
    assert proc.returncode == 10  # MigrateError
    assert "computed arguments" in proc.stderr
    assert "setup.py" in proc.stderr
    assert tree_changes(before, snapshot(root)) == []


def test_a_dynamic_version_in_pyproject_wins_over_setup_py(tmp_path: Path) -> None:
    root = write(tmp_path / "p", {**PKG, "pkg/__init__.py": '__version__ = "2.0"\n',
                                  "setup.py": _HEAD + _CALL + 'version="1.0")\n',
                                  "pyproject.toml": '[project]\nname = "p"\n'
                                  'dynamic = ["version"]\n\n[tool.setuptools.dynamic]\n'
                                  'version = {attr = "pkg.__version__"}\n'})
    out = migrate(root)
    data = pyproject(root)
    assert "version" not in data["project"]
    assert data["tool"]["setuptools"]["dynamic"]["version"] == {"attr": "pkg.__version__"}
    assert any(line.startswith("kept pyproject.toml's dynamic version") for line in out)


def test_setup_cfg_build_requirements_named_setuptools_something_are_kept(
        tmp_path: Path) -> None:
    root = write(tmp_path / "p", {**PKG, "setup.py": "from setuptools import setup\nsetup()\n",
                                  "setup.cfg": "[metadata]\nname = p\nversion = 1\n\n[options]\n"
                                  "setup_requires =\n    setuptools_scm>=6\n    cffi>=1.15\n"
                                  "cffi_modules = pkg/_build.py:ffibuilder\n"})
    migrate(root)
    requires = pyproject(root)["build-system"]["requires"]
    assert "setuptools_scm>=6" in requires
