"""Session-wide fixtures: the plugin's wheel (built once), interpreters and tool venvs."""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import NoReturn

import pytest

from devtools.foreign import ForeignPython, ForeignUnavailable
from devtools.interpreters import Interpreter, cpython, pypy
from devtools.newer_pythons import MAKERS
from devtools.venvs import build_env, build_plugin_wheel, for_interpreter, make_venv
from tests.wheels import build_wheel

PACKAGES = Path(__file__).parent / "packages"
EXAMPLE = Path(__file__).parent.parent / "example_project"
_IGNORE = shutil.ignore_patterns("build", "dist", "*.egg-info", "__pycache__", "*.so", "*.pyd")


def copy_project(name: str, dest: Path) -> Path:
    """A fresh copy of a fixture project (or example_project) without build outputs."""
    src = EXAMPLE if name == "example_project" else PACKAGES / name
    shutil.copytree(src, dest, ignore=_IGNORE)
    return dest


def snapshot(root: Path) -> dict[str, bytes | None]:
    """Every path under *root*: each file's bytes, None for a folder."""
    return {p.relative_to(root).as_posix(): None if p.is_dir() else p.read_bytes()
            for p in sorted(root.rglob("*"))}


def tree_changes(before: Mapping[str, bytes | None], after: Mapping[str, bytes | None]
                 ) -> list[str]:
    """What a build did to the tree: + added, - removed, ~ changed."""
    return sorted([f"+ {p}" for p in after.keys() - before.keys()]
                  + [f"- {p}" for p in before.keys() - after.keys()]
                  + [f"~ {p}" for p in before.keys() & after.keys() if before[p] != after[p]])


@pytest.fixture(scope="session")
def wheelhouse(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder holding this checkout's plugin wheel, found by pip and uv through the env."""
    house = tmp_path_factory.mktemp("wheelhouse")
    build_plugin_wheel(house)
    return house


@pytest.fixture(scope="session")
def env(wheelhouse: Path) -> dict[str, str]:
    return build_env(wheelhouse)


def unavailable(reason: str) -> NoReturn:
    """A skip; in CI (where scripts/setup-machine.sh provides everything) a failure."""
    if os.environ.get("CI"):
        pytest.fail(f"{reason} (in CI scripts/setup-machine.sh should provide it)")
    pytest.skip(reason)


def need(interp: Interpreter | None, what: str) -> Interpreter:
    """The interpreter, or unavailable()."""
    if interp is None:
        unavailable(f"{what} is not installed on this machine")
    return interp


def need_foreign(factory: Callable[[], ForeignPython]) -> ForeignPython:
    """An interpreter of devtools.foreign (older glibc, aarch64), or unavailable()."""
    try:
        return factory()
    except ForeignUnavailable as exc:
        unavailable(exc.reason)


#: Every GIL CPython a cp39-abi3 wheel must serve: pyenv's 3.9-3.13, Debian sid's 3.14, 3.15.
GIL_CPYTHON_MINORS = (9, 10, 11, 12, 13, 14, 15)


def need_newer(name: str) -> Interpreter:
    """One of devtools.newer_pythons.MAKERS, fetched or built on first use, or unavailable()."""
    try:
        return MAKERS[name]()
    except ForeignUnavailable as exc:
        unavailable(exc.reason)


def gil_cpython(minor: int) -> Interpreter:
    """CPython 3.<minor> with the GIL: pyenv's, else Debian's (3.14, 3.15)."""
    found = cpython(minor)
    if found is None and f"cpython3.{minor}" in MAKERS:
        return need_newer(f"cpython3.{minor}")
    return need(found, f"CPython 3.{minor}")


@pytest.fixture(scope="session")
def py39() -> Interpreter:
    return need(cpython(9), "CPython 3.9")


@pytest.fixture(scope="session")
def py311() -> Interpreter:
    return need(cpython(11), "CPython 3.11")


@pytest.fixture(scope="session")
def py313() -> Interpreter:
    return need(cpython(13), "CPython 3.13")


@pytest.fixture(scope="session")
def pypy39() -> Interpreter:
    return need(pypy(), "PyPy (Debian's pypy3)")


class Tools:
    """One venv with `build` per interpreter, made on first use."""

    def __init__(self, base: Path, env: dict[str, str]) -> None:
        self.base = base
        self.env = env
        self._made: dict[str, Path] = {}

    def __call__(self, interp: Interpreter) -> Path:
        if interp.name not in self._made:
            self._made[interp.name] = make_venv(
                interp, self.base / interp.name, ["build"], env=self.env, with_pip=True
            )
        return self._made[interp.name]


@pytest.fixture(scope="session")
def tools(tmp_path_factory: pytest.TempPathFactory, env: dict[str, str]) -> Tools:
    return Tools(tmp_path_factory.mktemp("tools"), env)


@pytest.fixture
def project_copy(tmp_path: Path) -> Callable[..., Path]:
    """Copy a fixture project (by name, or example_project) into a fresh folder."""

    def copy(name: str, dest_name: str | None = None) -> Path:
        return copy_project(name, tmp_path / (dest_name or name))

    return copy


def _example_wheel(builder: Interpreter, tools: Tools, env: dict[str, str],
                   tmp_path_factory: pytest.TempPathFactory) -> Path:
    work = tmp_path_factory.mktemp(f"example-{builder.name}")
    project = copy_project("example_project", work / "src")
    return build_wheel(tools(builder), project, work / "dist", for_interpreter(builder, env))


@pytest.fixture(scope="session")
def abi3_wheel(py39: Interpreter, tools: Tools, env: dict[str, str],
               tmp_path_factory: pytest.TempPathFactory) -> Path:
    """example_project's one abi3 wheel, built by the oldest CPython."""
    return _example_wheel(py39, tools, env, tmp_path_factory)


@pytest.fixture(scope="session")
def pypy_wheel(pypy39: Interpreter, tools: Tools, env: dict[str, str],
               tmp_path_factory: pytest.TempPathFactory) -> Path:
    """example_project's PyPy wheel."""
    return _example_wheel(pypy39, tools, env, tmp_path_factory)
