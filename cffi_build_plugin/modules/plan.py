"""Which modules a project builds: its configured specs, or the discovered ones."""

from __future__ import annotations

import ast
import difflib
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from cffi_build_plugin.config.project import Project
from cffi_build_plugin.config.settings import TABLE, LimitedApi
from cffi_build_plugin.errors import ConfigError

from .builder_names import bound_names, did_you_mean
from .discovery import BuilderSpec, DeclaredModule, Skipped, analyze_source, discover
from .markers import Environment, holds

__all__ = ["Plan", "PlannedModule", "make_plan"]


@dataclass(frozen=True)
class PlannedModule:
    """One builder to run at build time, with its options; nothing has run yet."""

    spec: BuilderSpec
    origin: Literal["config", "discovered"]
    optional: bool = False
    py_limited_api: LimitedApi = "auto"
    package: str | None = None
    #: What reading (not running) the builder told; None when it could not tell.
    declared: DeclaredModule | None = None
    #: Write a typed .pyi stub beside the built module.
    stubs: bool = True
    #: A PEP 508 marker: built only where it holds (None: everywhere).
    when: str | None = None
    #: Where the module is configured, for messages (tool.cffi-build-plugin.modules[0]).
    key: str = ""

    @property
    def label(self) -> str:
        """``pkg._ffi (pkg/_build.py:ffi)``, or the spec alone when its name is unknown."""
        return f"{self.declared_name} ({self.spec})" if self.declared_name else str(self.spec)

    def built_in(self, env: Environment, where: str) -> bool:
        """Whether *env* builds this module (its ``when`` holds there)."""
        return self.when is None or holds(self.when, env, f"{where}: {self.key}.when")

    @property
    def may_be_api(self) -> bool:
        """False only when the builder certainly passes ``source=None`` (ABI mode)."""
        return self.declared is None or self.declared.mode != "ABI"

    @property
    def declared_name(self) -> str | None:
        name = self.declared.module_name if self.declared else None
        if name and self.package and "." not in name:
            return f"{self.package}.{name}"
        return name


@dataclass(frozen=True)
class Plan:
    modules: tuple[PlannedModule, ...]
    skipped: tuple[Skipped, ...] = ()

    @property
    def builder_files(self) -> tuple[str, ...]:
        """Every module's builder, whatever its marker: the sdist serves every interpreter."""
        return tuple(sorted({m.spec.path for m in self.modules}))

    def built_in(self, env: Environment, where: str) -> tuple[PlannedModule, ...]:
        """The modules *env* builds; *where* (pyproject.toml's path) names a marker that
        cannot be evaluated."""
        return tuple(m for m in self.modules if m.built_in(env, where))


def _read(root: Path, spec: BuilderSpec) -> tuple[DeclaredModule | None, str | None]:
    """What reading the builder file tells of *spec*, and why it cannot work (its name is
    bound nowhere in the file), if it certainly cannot."""
    try:
        text = (root / spec.path).read_text("utf-8")
    except (OSError, UnicodeDecodeError):
        return None, None  # reported when the builder runs
    found, _ = analyze_source(spec.path, text)
    declared = next((m for m in found if m.spec.name == spec.name), None)
    if declared is not None:
        return declared, None
    try:
        names = bound_names(ast.parse(text, filename=spec.path))
    except SyntaxError:
        return None, None  # reported, with its line, when the builder runs
    if names is None or spec.name in names:
        return None, None
    builders = [m.spec.name for m in found]
    return None, (f"{spec.path} defines no {spec.name!r}"
                  + did_you_mean(spec.name, builders, names))


def _nearest_builders(project: Project, missing: str) -> str:
    """`` did you mean ...?`` with the discovered builder specs closest to a missing path."""
    settings = project.settings
    specs = [str(m.spec) for m in discover(project.root, settings.include,
                                           settings.exclude).modules]
    by_path = {spec.rpartition(":")[0]: spec for spec in specs}
    near = difflib.get_close_matches(missing, list(by_path), n=2, cutoff=0.5)
    if near:
        return "; did you mean " + " or ".join(by_path[p] for p in near) + "?"
    if specs:
        return f"; the builders discovery finds: {', '.join(specs[:5])}"
    return ""


def make_plan(project: Project) -> Plan:
    """The modules to build, checked for what can be checked without running anything."""
    settings = project.settings
    root = project.root
    if settings.modules is None:
        found = discover(root, settings.include, settings.exclude)
        modules = tuple(
            PlannedModule(m.spec, "discovered", py_limited_api=settings.py_limited_api, declared=m,
                          stubs=settings.stubs)
            for m in found.modules
        )
        return Plan(modules, found.skipped)

    problems: list[str] = []
    planned: list[PlannedModule] = []
    seen: set[BuilderSpec] = set()
    for i, entry in enumerate(settings.modules):
        key = f"{TABLE}.modules[{i}].builder"
        spec = BuilderSpec.parse(entry.builder)
        path = (root / spec.path).resolve()
        if not path.is_relative_to(root.resolve()):
            problems.append(f"{key}: {spec.path!r} is outside the project root; builders must "
                            "live inside the project so the sdist can carry them")
            continue
        if not path.is_file():
            problems.append(f"{key}: {spec.path!r} does not exist (paths are relative to "
                            f"{project.pyproject.name}'s folder)"
                            + _nearest_builders(project, spec.path))
            continue
        if spec in seen:
            problems.append(f"{key}: {spec} is listed twice")
            continue
        seen.add(spec)
        limited = entry.py_limited_api if entry.py_limited_api is not None \
            else settings.py_limited_api
        stubs = entry.stubs if entry.stubs is not None else settings.stubs
        declared, wrong = _read(root, spec)
        if wrong:
            problems.append(f"{key}: {wrong}")
            continue
        planned.append(PlannedModule(spec, "config", entry.optional, limited, entry.package,
                                     declared, stubs, entry.when, f"{TABLE}.modules[{i}]"))
    if problems:
        raise ConfigError(str(project.pyproject), problems)
    return Plan(tuple(planned))
