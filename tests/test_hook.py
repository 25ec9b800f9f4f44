"""The setuptools hook: inert unless opted in, cheap, idempotent, composes with others."""

from __future__ import annotations

from pathlib import Path

import pytest
from setuptools import Distribution
from setuptools.command.build_ext import build_ext

from cffi_build_plugin.config.project import load_project
from cffi_build_plugin.setuptools import STATE_ATTRIBUTE
from cffi_build_plugin.setuptools.build_ext import BuildExtMixin
from cffi_build_plugin.setuptools.hook import finalize_distribution_options

ABI_BUILDER = 'from cffi import FFI\nffibuilder = FFI()\nffibuilder.set_source("pkg._m", None)\n'


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "pkg").mkdir()
    (tmp_path / "pkg/__init__.py").write_text("")
    (tmp_path / "pkg/build.py").write_text(ABI_BUILDER)
    return tmp_path


def test_not_opted_in_is_inert(project: Path):
    (project / "pyproject.toml").write_text('[project]\nname = "x"\n')
    assert load_project(project) is None
    dist = Distribution({"name": "x"})
    assert getattr(dist, STATE_ATTRIBUTE, None) is None
    assert not issubclass(dist.get_command_class("build_ext"), BuildExtMixin)


def test_mentioning_the_name_elsewhere_does_not_opt_in(project: Path):
    (project / "pyproject.toml").write_text(
        '[project]\nname = "x"\ndescription = "not a cffi-build-plugin user"\n')
    assert load_project(project) is None


def test_opted_in_by_requires(project: Path):
    (project / "pyproject.toml").write_text(
        '[build-system]\nrequires = ["setuptools", "cffi-build-plugin>=0.1"]\n')
    dist = Distribution({"name": "x"})
    assert getattr(dist, STATE_ATTRIBUTE) is not None
    assert issubclass(dist.get_command_class("build_ext"), BuildExtMixin)
    # Statically ABI only: setuptools is told there is nothing to compile.
    assert dist.has_ext_modules() is False
    assert dist.has_pure_modules() is True


def test_idempotent_and_wraps_existing_command(project: Path):
    (project / "pyproject.toml").write_text("[tool.cffi-build-plugin]\n")

    class MyBuildExt(build_ext):
        pass

    dist = Distribution({"name": "x", "cmdclass": {"build_ext": MyBuildExt}})
    wrapped = dist.get_command_class("build_ext")
    assert issubclass(wrapped, MyBuildExt)
    assert issubclass(wrapped, BuildExtMixin)
    finalize_distribution_options(dist)
    assert dist.get_command_class("build_ext") is wrapped
    assert isinstance(dist.get_command_obj("build_ext"), BuildExtMixin)


def test_cmdclass_from_pyproject_is_wrapped_too(project: Path):
    # setuptools applies [tool.setuptools] cmdclass after the hook ran.
    (project / "pyproject.toml").write_text(
        '[project]\nname = "x"\nversion = "1"\n'
        '[tool.setuptools]\npackages = ["pkg"]\n'
        '[tool.setuptools.cmdclass]\nbuild_ext = "pkg.cmds.MyBuildExt"\n'
        "[tool.cffi-build-plugin]\n")
    (project / "pkg/cmds.py").write_text(
        "from setuptools.command.build_ext import build_ext\n"
        "class MyBuildExt(build_ext):\n    pass\n")
    dist = Distribution({"name": "x"})
    dist.parse_config_files()
    cls = dist.get_command_class("build_ext")
    assert cls.__mro__[2].__name__ == "MyBuildExt"
    assert issubclass(cls, BuildExtMixin)


def test_bad_table_fails_at_distribution_creation(project: Path):
    from cffi_build_plugin import ConfigError

    (project / "pyproject.toml").write_text('[tool.cffi-build-plugin]\npy-limited-api = "yes"\n')
    with pytest.raises(ConfigError, match="py-limited-api"):
        Distribution({"name": "x"})
