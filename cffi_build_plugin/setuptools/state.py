"""Per-distribution state: the static plan, and the builders' results once something is built."""

from __future__ import annotations

import functools
import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from setuptools import Distribution, Extension

from cffi_build_plugin.config.build_options import (
    BuildOptions,
    building_with,
    hook_config_settings,
    project_options,
)
from cffi_build_plugin.config.project import Project
from cffi_build_plugin.errors import BuilderError, ConfigError, DependencyError
from cffi_build_plugin.modules.abi import (
    PythonBuild,
    StableAbi,
    limited_api_floor,
    stable_abi,
    supports_stable_abi,
)
from cffi_build_plugin.modules.builders import BuiltModule, run_builders
from cffi_build_plugin.modules.checks import check_inputs_exist, check_modes, check_module_names
from cffi_build_plugin.modules.extensions import make_extension
from cffi_build_plugin.modules.import_names import NEWEST_KNOWN
from cffi_build_plugin.modules.markers import build_environment, interpreter_label
from cffi_build_plugin.modules.plan import Plan, PlannedModule, make_plan
from cffi_build_plugin.modules.runtime_dependency import missing_cffi_message, requires_name
from cffi_build_plugin.modules.sdist_inputs import C_SUFFIXES, static_build_inputs
from cffi_build_plugin.modules.top_level import check_top_level
from cffi_build_plugin.setuptools import STATE_ATTRIBUTE

from .target import portable_target

__all__ = ["BuildState", "BuilderResults", "state_of"]

log = logging.getLogger("cffi_build_plugin")


@dataclass
class BuilderResults:
    """What the builders said, and the Extensions made from it."""

    api: list[tuple[BuiltModule, Extension]] = field(default_factory=list)
    abi: list[BuiltModule] = field(default_factory=list)
    #: Optional modules that failed: builder spec -> why.
    failed: dict[str, str] = field(default_factory=dict)
    #: The wheel's stable ABI (abi3 or abi3t, and its floor); None when any module is
    #: version-specific.
    stable_abi: StableAbi | None = None
    #: Absolute paths of inputs the wheel must not carry.
    wheel_exclusions: frozenset[Path] = frozenset()


class BuildState:
    """Attached to a Distribution by the setuptools hook; everything expensive is lazy.

    The build options are resolved (and checked) here, at activation, so an unknown one fails
    every build of the project, even one whose builders never read them.
    """

    def __init__(self, dist: Distribution, project: Project) -> None:
        self.dist = dist
        self.project = project
        self.options: BuildOptions = project_options(project, hook_config_settings())
        self._results: BuilderResults | None = None
        self._failure: Exception | None = None

    @functools.cached_property
    def plan(self) -> Plan:
        return make_plan(self.project)

    @functools.cached_property
    def environment(self) -> dict[str, str]:
        """The markers' environment: this interpreter, on the portable target's machine."""
        target = portable_target()
        return build_environment(target.arch if target is not None else None)

    @functools.cached_property
    def here(self) -> tuple[PlannedModule, ...]:
        """The modules this build makes: those whose ``when`` holds here; one line for
        each of the others, which this wheel neither holds nor expects."""
        env = self.environment
        here = self.plan.built_in(env, str(self.project.pyproject))
        for module in self.plan.modules:
            if module not in here:
                log.info('module %s skipped: when = "%s" is false on %s', module.label,
                         module.when, interpreter_label(env))
        return here

    @property
    def results_so_far(self) -> BuilderResults | None:
        return self._results

    def builder_paths(self) -> frozenset[Path]:
        return frozenset((self.project.root / p).resolve() for p in self.plan.builder_files)

    def sdist_inputs(self) -> list[str]:
        return static_build_inputs(self.project.root, self.plan.builder_files)

    def our_extensions(self) -> list[Extension]:
        return [ext for _, ext in self._results.api] if self._results else []

    def has_api_modules(self) -> bool:
        """Whether the build has C extensions of ours: exact once builders ran, else a guess
        that errs towards yes (a module whose mode reading cannot tell)."""
        if self._results is not None:
            return any(str(b.planned.spec) not in self._results.failed
                       for b, _ in self._results.api)
        return any(m.may_be_api for m in self.here)

    # -- running the builders -------------------------------------------------------------

    def builder_results(self) -> BuilderResults:
        """Run the builders (once) and register their Extensions with the distribution."""
        if self._failure is not None:
            raise self._failure  # once failed, never run the builders a second time
        if self._results is None:
            try:
                self._results = self._collect_results()
            except Exception as exc:
                self._failure = exc
                raise
        return self._results

    def _collect_results(self) -> BuilderResults:
        plan = self.plan
        if not plan.modules:
            raise ConfigError(str(self.project.pyproject), [self._nothing_found()])
        self._check_runtime_dependency()
        results = BuilderResults()
        built = self._run_builders(self.here, results.failed)
        top_level = check_top_level(built, self._packages(), self.project.root,
                                    self._package_folder)
        problems = (
            check_modes(built)
            + check_module_names(built, self._packages(), self._package_folder)
            + top_level.errors
            + check_inputs_exist(built, self.project.root)
        )
        for warning in top_level.warnings:
            log.warning("%s", warning)
        if problems:
            raise BuilderError("\n".join(problems))
        results.stable_abi = self._wheel_stable_abi(built)
        for module in built:
            if module.mode == "ABI":
                results.abi.append(module)
                continue
            abi = results.stable_abi if self._module_limited(module) else None
            ext = make_extension(module, self._ext_name(module), abi, self.project.root)
            results.api.append((module, ext))
        if self.dist.ext_modules is None:
            self.dist.ext_modules = []
        self.dist.ext_modules.extend(ext for _, ext in results.api)
        results.wheel_exclusions = self._wheel_exclusions(results)
        return results

    def _run_builders(self, modules: tuple[PlannedModule, ...], failed: dict[str, str]
                      ) -> list[BuiltModule]:
        """The modules the builders gave; an optional one that failed is noted in *failed*."""
        with building_with(self.options):
            results = run_builders(self.project.root, modules, self.dist.ext_package,
                                   self._packages())
        errors: list[str] = []
        built: list[BuiltModule] = []
        for planned, result in zip(modules, results):
            if not isinstance(result, BuilderError):
                built.append(result)
            elif planned.optional:
                log.warning("optional cffi module %s skipped: %s", planned.label, result)
                failed[str(planned.spec)] = str(result)
            else:
                errors.append(str(result))
        if errors:
            raise BuilderError("\n".join(errors))
        return built

    def _packages(self) -> list[str]:
        """The project's packages, as setuptools found or was told them."""
        return list(self.dist.packages or [])

    def _package_folder(self, package: str) -> Path | None:
        """Where a package's sources are, as build_py finds them (package_dir applied)."""
        build_py = self.dist.get_command_obj("build_py")
        build_py.ensure_finalized()
        folder = Path(self.project.root, build_py.get_package_dir(package))
        return folder if folder.is_dir() else None

    def _nothing_found(self) -> str:
        if self.project.settings.modules is not None:
            return "tool.cffi-build-plugin.modules is empty: list at least one builder spec"
        reasons = "".join(f"\n      {s.path}: {s.reason}" for s in self.plan.skipped)
        return (
            "the project opts in to cffi-build-plugin, but discovery found no cffi builder "
            "(a module-level FFI() with set_source(), or a function returning one); name them "
            'in [tool.cffi-build-plugin] modules = ["path/to/build.py:ffibuilder"]'
            + (f"\n    skipped:{reasons}" if reasons else "")
        )

    def _check_runtime_dependency(self) -> None:
        """Modules CPython would build import PyPI's cffi at run time (PyPy bundles it): a
        project whose every module is PyPy-only needs no cffi dependency."""
        if requires_name(getattr(self.dist, "install_requires", None), "cffi"):
            return
        on_cpython = {**self.environment, "platform_python_implementation": "CPython",
                      "implementation_name": "cpython"}
        modules = self.plan.built_in(on_cpython, str(self.project.pyproject))
        if not modules:
            return
        names = [m.declared_name or str(m.spec) for m in modules]
        message = missing_cffi_message(
            self.dist.get_name(), names, "dependencies" in self.project.dynamic
        )
        if self.project.settings.missing_cffi_dependency == "warn":
            log.warning("%s", message)
        else:
            raise DependencyError(message)

    @staticmethod
    def _module_limited(module: BuiltModule) -> bool:
        return (
            supports_stable_abi(PythonBuild.running())
            and module.planned.py_limited_api is not False
            and module.kwds.get("py_limited_api", True) is not False
        )

    def _wheel_stable_abi(self, built: list[BuiltModule]) -> StableAbi | None:
        """The stable ABI for the highest floor any API module asks for, or None if one is
        version-specific."""
        api = [m for m in built if m.mode == "API"]
        if not api or not all(self._module_limited(m) for m in api):
            return None
        requires_python = self.project.metadata.get("requires-python") or getattr(
            self.dist, "python_requires", None
        )
        floors = [limited_api_floor(m.planned.py_limited_api, str(requires_python or ""))
                  for m in api]
        floor = max(f for f in floors if f is not None)
        varying = self._varying_over(floor)
        if varying is not None:
            log.warning("building version-specific modules, not abi3: when = \"%s\" (%s) is "
                        "not the same on every CPython from %d.%d on, which an abi3 wheel "
                        "would serve", varying.when, varying.label, *floor)
            return None
        return stable_abi(PythonBuild.running(), floor)

    def _varying_over(self, floor: tuple[int, int]) -> PlannedModule | None:
        """A module whose marker is not the same on every CPython an abi3 wheel built
        here serves (this platform, versions from *floor* to the newest known)."""
        where = str(self.project.pyproject)
        for module in self.plan.modules:
            if module.when is None:
                continue
            verdicts = {module.built_in({**self.environment, "python_version": f"3.{minor}",
                                         "python_full_version": f"3.{minor}.0"}, where)
                        for minor in range(floor[1], NEWEST_KNOWN[1] + 1)}
            if len(verdicts) > 1:
                return module
        return None

    def _ext_name(self, module: BuiltModule) -> str:
        """setuptools prefixes ext_package itself, so the Extension gets the rest."""
        prefix = self.dist.ext_package
        if not prefix:
            return module.full_name
        if module.full_name.startswith(prefix + "."):
            return module.full_name[len(prefix) + 1:]
        raise BuilderError(
            f"builder {module.planned.spec}: module {module.full_name} is not inside "
            f"ext_package {prefix!r}; drop ext_package or the module's package setting"
        )

    def _wheel_exclusions(self, results: BuilderResults) -> frozenset[Path]:
        """Builder scripts and the C inputs they read: for the sdist, not the wheel."""
        root = self.project.root.resolve()
        paths = set(self.builder_paths())
        paths.update((root / p).resolve() for p in self.sdist_inputs()
                     if Path(p).suffix.lower() in C_SUFFIXES)
        for module, _ in results.api:
            kwds: dict[str, Any] = module.kwds
            for key in ("sources", "depends"):
                paths.update((root / p).resolve() for p in kwds.get(key, []))
        # build_clib libraries the modules link: compiled in, not shipped.
        for _, info in getattr(self.dist, "libraries", None) or []:
            for key in ("sources", "depends"):
                paths.update((root / p).resolve() for p in info.get(key, []))
        return frozenset(paths)


def state_of(command: Any) -> BuildState:
    """The BuildState of a command's Distribution (the hook put it there)."""
    state: BuildState = getattr(command.distribution, STATE_ATTRIBUTE)
    return state
