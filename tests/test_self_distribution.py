"""Test what we ship: the exact files of the plugin's own wheel and sdist."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from devtools.venvs import ROOT, run
from tests.wheels import names, tag

pytestmark = pytest.mark.slow


def _package_files() -> set[str]:
    package = ROOT / "cffi_build_plugin"
    files = {p.relative_to(ROOT).as_posix() for p in package.rglob("*.py")}
    data = {p.relative_to(ROOT).as_posix() for p in package.rglob("*")
            if p.suffix in {".json", ".yml"}}
    return files | data | {"cffi_build_plugin/py.typed"}


def test_plugin_wheel_is_pure_and_holds_exactly_the_package(wheelhouse: Path):
    (wheel,) = wheelhouse.glob("cffi_build_plugin-*.whl")
    assert tag(wheel) == "py3-none-any"
    assert names(wheel) == _package_files()


def test_plugin_sdist_holds_exactly_the_package(tmp_path: Path, env: dict[str, str]):
    # Built from a copy of the tracked files, as a release would be.
    src = tmp_path / "src"
    files = run(["git", "ls-files"], cwd=ROOT).stdout.split()
    for rel in files:
        (src / rel).parent.mkdir(parents=True, exist_ok=True)
        (src / rel).write_bytes((ROOT / rel).read_bytes())
    run([sys.executable, "-m", "build", "--sdist", "--outdir", tmp_path / "out", src], env=env)
    (sdist,) = (tmp_path / "out").glob("*.tar.gz")
    egg_info = {n for n in names(sdist) if n.startswith("cffi_build_plugin.egg-info/")}
    assert names(sdist) - egg_info == _package_files() | {
        "PKG-INFO", "README.md", "LICENSE", "MANIFEST.in", "pyproject.toml", "setup.cfg",
    }
