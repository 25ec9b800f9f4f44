"""`cffi-build-plugin stubs`: the typed stubs written next to the sources, for editors, without
a build: the builders run (as `list` does not), nothing compiles."""

from __future__ import annotations

from pathlib import Path

from .config.build_options import building_with, project_options
from .config.project import Project
from .errors import BuilderError, ConfigError
from .modules.builders import BuiltModule, run_builders
from .modules.markers import build_environment, interpreter_label
from .modules.plan import make_plan
from .setuptools.git_ignore import ignore_in_git
from .setuptools.stub_files import write_stubs

__all__ = ["write_source_stubs"]


def _package_folder(root: Path, package: str) -> Path | None:
    """Where *package* lives in the tree: src layout first, then flat (empty: the root)."""
    if not package:
        return root
    parts = package.split(".")
    candidates = (root.joinpath("src", *parts), root.joinpath(*parts))
    return next((folder for folder in candidates if folder.is_dir()), None)


def write_source_stubs(project: Project) -> list[Path]:
    """A stub beside where each module of *project* is (or would be) built in place."""
    plan = make_plan(project)
    if not plan.modules:
        raise ConfigError(str(project.pyproject), ["no cffi modules to write stubs for"])
    env = build_environment()
    # The builders run here: those of modules another interpreter builds may not.
    here = plan.built_in(env, str(project.pyproject))
    if not here:
        raise ConfigError(str(project.pyproject), [
            f"no cffi module is built on {interpreter_label(env)} (every module's when marker "
            "is false here): run the command with an interpreter that builds them"])
    with building_with(project_options(project, None)):
        results = run_builders(project.root, here, None)
    errors = [str(r) for r in results if isinstance(r, BuilderError)]
    if errors:
        raise BuilderError("\n".join(errors))
    placed: list[tuple[BuiltModule, Path]] = []
    for module in (r for r in results if isinstance(r, BuiltModule)):
        package, _, name = module.full_name.rpartition(".")
        folder = _package_folder(project.root, package)
        if folder is None:
            raise ConfigError(str(project.pyproject), [
                f"module {module.full_name} (builder {module.planned.spec}): its package "
                f"{package!r} is neither under src/ nor at the project root"])
        placed.append((module, folder / f"{name}.py"))
    written = write_stubs(placed)
    ignore_in_git(written)  # generated, like the modules an in-place build writes there
    return written
