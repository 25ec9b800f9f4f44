"""Mixins over whatever build_ext/build_py/sdist/bdist_wheel a project already uses."""

from __future__ import annotations

import dataclasses
import logging
import os
import shutil
import sysconfig
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from setuptools import Extension
from setuptools.command.bdist_wheel import bdist_wheel
from setuptools.command.build import build
from setuptools.command.build_ext import build_ext
from setuptools.command.build_py import build_py
from setuptools.command.egg_info import egg_info
from setuptools.command.sdist import sdist
from setuptools.errors import CompileError, LinkError

from cffi_build_plugin.compile.choices import compile_choices
from cffi_build_plugin.compile.commands import compiling
from cffi_build_plugin.errors import CffiBuildPluginError, TagError
from cffi_build_plugin.modules.abi import StableAbi
from cffi_build_plugin.modules.builders import BuiltModule
from cffi_build_plugin.modules.extensions import generate_c_source, generate_py_module
from cffi_build_plugin.portable.target import (
    ENV_TARGET,
    configured_target,
    finish_module,
    target_ext_filename,
    use_zig,
)

from .bundled_libraries import native_libraries
from .clean_tree import keep_private_folder, private_build_folder, remove_new_egg_info_at_exit
from .git_ignore import ignore_in_git
from .reproducible import normalize_sdist, source_date_epoch
from .state import BuildState, Resolution

__all__ = ["STATE_ATTRIBUTE", "BdistWheelMixin", "BuildExtMixin", "BuildPyMixin", "SdistMixin",
           "install_commands", "state_of"]

log = logging.getLogger("cffi_build_plugin")

STATE_ATTRIBUTE = "_cffi_build_plugin_state"

if TYPE_CHECKING:
    _BuildExt = build_ext
    _BuildPy = build_py
    _Sdist = sdist
    _BdistWheel = bdist_wheel
    _Build = build
    _EggInfo = egg_info
else:
    _BuildExt = _BuildPy = _Sdist = _BdistWheel = _Build = _EggInfo = object


def state_of(command: Any) -> BuildState:
    state: BuildState = getattr(command.distribution, STATE_ATTRIBUTE)
    return state


def _abi_module_path(command: build_py | build_ext, module: BuiltModule, in_source: bool) -> Path:
    *package, name = module.full_name.split(".")
    if in_source:
        build_py_cmd = command.get_finalized_command("build_py")
        assert isinstance(build_py_cmd, build_py)
        base = Path(build_py_cmd.get_package_dir(".".join(package)))
    else:
        base = Path(command.build_lib, *package)
    return base / f"{name}.py"


class _Refused(LinkError):
    """Linked, but portable mode's checks refused it: the message says why, in full."""


class BuildExtMixin(_BuildExt):
    """Generates cffi's C before setuptools compiles; records optional modules that failed.

    Builders run in run(), never in finalize_options(): egg_info finalizes build_ext just to
    list sources, for every metadata query and sdist.
    """

    def run(self) -> None:
        self._forget_other_targets()
        resolution = state_of(self).resolve()
        for _, ext in resolution.api:
            self._adopt(ext)
        pre_run = getattr(self, "pre_run", None)
        for module, ext in resolution.api:
            generate_c_source(module, ext, self.build_temp, pre_run)
        if self.inplace and not self.editable_mode:
            # `build_ext --inplace` puts ABI modules next to the sources too, as cffi does.
            for module in resolution.abi:
                generate_py_module(module, _abi_module_path(self, module, in_source=True))
        super().run()
        self._record_failures()
        if self.inplace or self.editable_mode:
            ignore_in_git(self._in_place_outputs(resolution))

    def _in_place_outputs(self, resolution: Resolution) -> list[Path]:
        modules = [Path(self.get_ext_fullpath(self.get_ext_fullname(ext.name)))
                   for _, ext in resolution.api]
        if self.inplace and not self.editable_mode:
            modules += [_abi_module_path(self, m, in_source=True) for m in resolution.abi]
        return modules

    def _forget_other_targets(self) -> None:
        """Objects and modules built for another target (or the host) must not be reused:
        build/ is named for the host whatever the target, and `.abi3.so` for every target."""
        target = configured_target()
        if target is not None and (self.inplace or self.editable_mode) and \
                (target.arch, target.libc) != (os.uname().machine, "glibc"):
            raise TagError(f"{ENV_TARGET}={target.tag} builds modules this machine cannot "
                           "import, so not in place or for an editable install: unset it")
        stamp = Path(self.build_temp, ".cffi-build-plugin-target")
        wanted = target.tag if target is not None else "host"
        previous = stamp.read_text() if stamp.exists() else "host"
        if previous != wanted or target is not None:
            self.force = True
        if previous != wanted and self.build_lib:
            for old in Path(self.build_lib).rglob("*.so"):
                old.unlink()
        stamp.parent.mkdir(parents=True, exist_ok=True)
        stamp.write_text(wanted)

    def build_extensions(self) -> None:
        parallel = self.parallel if type(self.parallel) is int else None
        target = configured_target()
        state = state_of(self)
        choices = compile_choices(state.project.settings, parallel, portable=target is not None)
        if self.debug:
            choices = dataclasses.replace(choices, debug_info=True)
        if target is not None:
            use_zig(self.compiler, target, debug_info=choices.debug_info)
        self._check_compiler()
        ours = state.our_extensions()
        if choices.jobs > 1 and self.compiler.compiler_type == "unix" and \
                all(any(e is o for o in ours) for e in self.extensions):
            # Modules at once too, when all are cffi's: another extension may be a
            # setuptools Library or need a build_ext of the project's that is not thread-safe.
            self.parallel = choices.jobs
        elif choices.jobs == 1:
            self.parallel = None  # CFFI_BUILD_PLUGIN_JOBS=1 wins over --parallel
        sources = sum(len(ext.sources) for ext in self.extensions)
        with compiling(self.compiler, choices, Path(self.build_temp), sources):
            super().build_extensions()

    def _check_compiler(self) -> None:
        """No compiler at all is one clear error, not a failed compile per file (unless every
        module is optional: they are then skipped, each with its warning)."""
        if self.compiler.compiler_type != "unix" or all(e.optional for e in self.extensions):
            return
        command = list(self.compiler.compiler_so)
        while command and (Path(command[0]).name in ("ccache", "sccache", "env")
                           or "=" in command[0]):
            command.pop(0)
        if command and shutil.which(command[0]) is None:
            origin = "from the CC environment variable" if os.environ.get("CC") else \
                "the compiler this Python was built with"
            raise CffiBuildPluginError(
                f"no C compiler: {command[0]!r} ({origin}) is not on PATH; install one "
                "(Debian/Ubuntu: apt-get install gcc, Fedora: dnf install gcc, Alpine: apk add "
                "gcc musl-dev, macOS: xcode-select --install) or set CC to one that exists")

    def get_ext_filename(self, fullname: str) -> str:
        name: str = super().get_ext_filename(fullname)  # type: ignore[no-untyped-call]
        abi = self._stable_abi_of(fullname)
        if abi is not None:
            # Named for the floor, not for the building interpreter: setuptools takes 3.15's
            # first stable-ABI suffix (.abi3-x86_64-linux-gnu.so), which 3.9-3.14 never import.
            suffix = abi.file_suffix(str(sysconfig.get_config_var("EXT_SUFFIX") or ".so"))
            name = str(Path(*fullname.split("."))) + suffix
        target = configured_target()
        return target_ext_filename(name, target) if target is not None else name

    def _stable_abi_of(self, fullname: str) -> StableAbi | None:
        resolution = state_of(self).resolved
        if resolution is None or resolution.stable_abi is None:
            return None
        ext = self.ext_map.get(fullname)
        ours = any(e is ext for _, e in resolution.api)
        return resolution.stable_abi if ours and getattr(ext, "py_limited_api", False) else None

    def build_extension(self, ext: Extension) -> None:
        module = next((m for m, e in state_of(self).resolve().api if e is ext), None)
        if module is None:
            super().build_extension(ext)
            self._finish(ext, ext.name)
            return
        try:
            super().build_extension(ext)
            self._finish(ext, module.full_name)
        except _Refused:
            raise
        except (CompileError, LinkError) as exc:
            step = "compile" if isinstance(exc, CompileError) else "link"
            if step == "compile":
                keep_private_folder()
            where = (f"; the C generated from the builder is {next(iter(ext.sources))}"
                     if step == "compile" else "; check libraries= and library_dirs= in "
                     "set_source()")
            # Same exception type: setuptools still lets an optional module fail softly.
            raise type(exc)(
                f"cffi module {module.full_name} (builder {module.planned.spec}) failed to "
                f"{step}: {exc} (the compiler's messages are above){where}"
            ) from None

    def _finish(self, ext: Extension, name: str) -> None:
        """Portable mode's after-link fixes and checks; a refused module is removed, and
        fails like a link error (an optional one is then left out, not shipped)."""
        target = configured_target()
        if target is None:
            return
        built = Path(self.get_ext_fullpath(ext.name))
        dirs = [*ext.library_dirs, *ext.runtime_library_dirs, *self.library_dirs,
                *self.compiler.library_dirs]
        try:
            finish_module(built, target, name, dirs)
        except CffiBuildPluginError as exc:
            built.unlink(missing_ok=True)
            raise _Refused(str(exc)) from None

    def _adopt(self, ext: Extension) -> None:
        """Give an Extension that appeared after finalize_options() what setuptools'
        finalize_options() gives each one (cffi modules never link to a setuptools Library)."""
        if self.extensions is None:
            self.extensions = []
        if not any(e is ext for e in self.extensions):
            self.extensions.append(ext)
        fullname = self.get_ext_fullname(ext.name)
        ext._full_name = fullname  # type: ignore[attr-defined]
        self.ext_map[fullname] = ext
        self.ext_map[fullname.split(".")[-1]] = ext
        ext._links_to_dynamic = False  # type: ignore[attr-defined]
        ext._needs_stub = False  # type: ignore[attr-defined]
        ext._file_name = self.get_ext_filename(fullname)  # type: ignore[attr-defined]

    def _record_failures(self) -> None:
        resolution = state_of(self).resolve()
        inplace, self.inplace = self.inplace, False
        try:
            for module, ext in resolution.api:
                built = Path(self.get_ext_fullpath(self.get_ext_fullname(ext.name)))
                if ext.optional and not built.exists():
                    reason = "its C code did not compile (see the compiler output above)"
                    resolution.failed[str(module.planned.spec)] = reason
                    log.warning("optional cffi module %s (%s) skipped: %s",
                                module.full_name, module.planned.spec, reason)
        finally:
            self.inplace = inplace


class BuildPyMixin(_BuildPy):
    """Writes ABI-mode modules; keeps builder scripts and their C inputs out of the wheel."""

    def run(self) -> None:
        resolution = state_of(self).resolve()
        super().run()
        for module in resolution.abi:
            generate_py_module(module, _abi_module_path(self, module, self.editable_mode))
        if self.editable_mode:
            ignore_in_git([_abi_module_path(self, m, True) for m in resolution.abi])

    def _ships_inputs(self) -> bool:
        return state_of(self).project.settings.ship_build_inputs

    def find_package_modules(self, package: str, package_dir: str) -> Any:
        modules = super().find_package_modules(package, package_dir)  # type: ignore[no-untyped-call]
        if self._ships_inputs():
            return modules
        builders = state_of(self).builder_paths()
        return [m for m in modules if Path(m[2]).resolve() not in builders]

    def build_package_data(self) -> None:
        if not self._ships_inputs():
            excluded = state_of(self).resolve().wheel_exclusions
            self.data_files = [
                (package, src_dir, build_dir,
                 [f for f in files if Path(src_dir, f).resolve() not in excluded])
                for package, src_dir, build_dir, files in self.data_files
            ]
        super().build_package_data()

    def get_outputs(self, include_bytecode: bool = True) -> list[str]:
        outputs: list[str] = list(super().get_outputs(include_bytecode))
        resolution = state_of(self).resolved
        if resolution is not None and not self.editable_mode:
            outputs.extend(str(_abi_module_path(self, m, in_source=False)) for m in resolution.abi)
        return outputs


class SdistMixin(_Sdist):
    """Adds what builders read (found statically: no builder runs for an sdist); with
    SOURCE_DATE_EPOCH, writes the same bytes wherever it is built."""

    def run(self) -> None:
        remove_new_egg_info_at_exit(state_of(self).project.root)
        super().run()

    def make_distribution(self) -> None:
        epoch = source_date_epoch()
        self.filelist.extend(state_of(self).sdist_inputs())
        self.filelist.sort()
        self.filelist.remove_duplicates()
        super().make_distribution()
        if epoch is not None:
            for archive in self.archive_files:
                if archive.endswith(".tar.gz"):
                    normalize_sdist(Path(archive), epoch)


class BdistWheelMixin(_BdistWheel):
    """Builds first, then tags the wheel from what was really built."""

    def run(self) -> None:
        source_date_epoch()  # checked here, or bdist_wheel fails with a bare ValueError
        if not self.skip_build and configured_target() is not None:
            # build/lib.linux-<host>-<impl> is named for the host whatever the target: a
            # module left there by a build for another target would end up in this wheel.
            build = self.get_finalized_command("build")
            for folder in {build.build_platlib, build.build_purelib}:
                shutil.rmtree(folder, ignore_errors=True)
        if not self.skip_build:
            # What bdist_wheel.run itself does before building, done here so the tag can
            # follow the build (an optional module that failed leaves the wheel pure).
            build_scripts = self.reinitialize_command("build_scripts")
            build_scripts.executable = "python"  # type: ignore[attr-defined]
            build_scripts.force = True  # type: ignore[attr-defined,unused-ignore]
            build_ext_cmd = self.reinitialize_command("build_ext")
            build_ext_cmd.inplace = False
            self.run_command("build")
            self.skip_build = True
        state = state_of(self)
        resolution = state.resolve()
        dist = self.distribution
        self.root_is_pure = not (dist.has_ext_modules() or dist.has_c_libraries())
        build_lib = Path(self.get_finalized_command("build").build_lib)
        bundled = native_libraries(build_lib) if self.root_is_pure else []
        if bundled:
            self.root_is_pure = False
            self._python_independent = True
            # install then puts the modules at the wheel's (platlib) root, not .data/purelib.
            dist.has_ext_modules = lambda: True  # type: ignore[method-assign]
            log.info("tagging the wheel for this platform: it bundles %s",
                     ", ".join(p.relative_to(build_lib).as_posix() for p in bundled))
        target = configured_target()
        if target is not None and not self.root_is_pure:
            self.plat_name, self.plat_name_supplied = target.tag, True
        ours = state.our_extensions()
        only_ours = all(any(ext is o for o in ours) for ext in dist.ext_modules or [])
        if only_ours and not self.root_is_pure:
            self._set_limited_api(resolution.stable_abi)
        super().run()

    _python_independent = False
    _stable_abi: StableAbi | None = None

    def get_tag(self) -> tuple[str, str, str]:
        if self._stable_abi is not None:
            # Ours, not setuptools': older setuptools refuse the limited API on any
            # free-threaded build and know no abi3t; a GIL build aiming at 3.15+ is abi3t too.
            plat = self._platform_tag()
            return self._stable_abi.python_tag, self._stable_abi.abi_tag, plat
        tag: tuple[str, str, str] = super().get_tag()
        if self._python_independent:  # pure Python code next to a bundled shared library
            return "py3", "none", tag[2]
        return tag

    def _platform_tag(self) -> str:
        """setuptools' platform part, asked of it without the limited API (whose checks
        differ between setuptools versions)."""
        saved, self.py_limited_api = self.py_limited_api, False
        try:
            tag: tuple[str, str, str] = super().get_tag()
        finally:
            self.py_limited_api = saved
        return tag[2]

    def _set_limited_api(self, abi: StableAbi | None) -> None:
        """The tag must say what the modules were compiled for; a py_limited_api left in
        setup.cfg or passed with --py-limited-api that says otherwise is an error."""
        wanted: str | Literal[False] = abi.python_tag if abi else False
        if self.py_limited_api and self.py_limited_api != wanted:
            built = f"{abi.kind} modules for CPython >= {abi.floor[0]}.{abi.floor[1]}" \
                if abi else "version-specific modules"
            raise TagError(
                f"bdist_wheel's py_limited_api is {self.py_limited_api!r} (from setup.cfg's "
                f"[bdist_wheel] or --py-limited-api), but cffi-build-plugin built {built}; "
                "remove that option and set py-limited-api in [tool.cffi-build-plugin] instead"
            )
        self.py_limited_api = wanted
        self._stable_abi = abi


class BuildMixin(_Build):
    """A PEP 517 wheel build writes build/ to a folder of its own (clean_tree.py)."""

    def finalize_options(self) -> None:
        folder = private_build_folder(self.distribution)
        configured = "build_base" in self.distribution.get_option_dict("build")
        if folder is not None and not configured:
            self.build_base = str(folder / "build")
        super().finalize_options()


class EggInfoMixin(_EggInfo):
    """... and its egg-info too."""

    def finalize_options(self) -> None:
        folder = private_build_folder(self.distribution)
        if folder is not None and self.egg_base is None:
            self.egg_base = str(folder)
        super().finalize_options()


_MIXINS: dict[str, type] = {
    "build": BuildMixin,
    "egg_info": EggInfoMixin,
    "build_ext": BuildExtMixin,
    "build_py": BuildPyMixin,
    "sdist": SdistMixin,
    "bdist_wheel": BdistWheelMixin,
}


def install_commands(dist: Any) -> None:
    """Wrap each command class when setuptools looks it up.

    Wrapping at lookup rather than now catches a cmdclass that pyproject.toml or setup.cfg
    installs later (the hook runs before they are read) and whatever another plugin put there.
    """
    if getattr(dist.get_command_class, "_cffi_build_plugin", False):
        return
    lookup = dist.get_command_class

    def get_command_class(command: str) -> type:
        cls: type = lookup(command)
        mixin = _MIXINS.get(command)
        if mixin is None or issubclass(cls, mixin):
            return cls
        wrapped = type(cls.__name__, (mixin, cls), {"__module__": __name__})
        dist.cmdclass[command] = wrapped
        return wrapped

    get_command_class._cffi_build_plugin = True  # type: ignore[attr-defined]
    dist.get_command_class = get_command_class
