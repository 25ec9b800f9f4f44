"""build_ext: generates cffi's C before setuptools compiles, names stable-ABI modules for their
floor, compiles in parallel (with zig for a portable target), records optional modules that
failed."""

from __future__ import annotations

import dataclasses
import logging
import os
import sysconfig
from pathlib import Path
from typing import TYPE_CHECKING

from setuptools import Extension
from setuptools.command.build_ext import build_ext
from setuptools.command.build_py import build_py
from setuptools.errors import CompileError, LinkError

from cffi_build_plugin.compile.choices import CompileChoices, compile_choices
from cffi_build_plugin.compile.commands import compiling, object_filenames
from cffi_build_plugin.compile.compiler import compiler_problem
from cffi_build_plugin.compile.failures import failure_message
from cffi_build_plugin.config.environment import TARGET
from cffi_build_plugin.errors import CffiBuildPluginError, TargetError, ToolError
from cffi_build_plugin.modules.abi import StableAbi
from cffi_build_plugin.modules.builders import BuiltModule
from cffi_build_plugin.modules.extensions import generate_c_source, generate_py_module

from .clean_tree import keep_private_folder
from .editable import (
    builder_results,
    depfile_inputs,
    in_tree_build_temp,
    inputs_changed,
    note_built,
    write_editable_check,
)
from .git_ignore import ignore_in_git
from .state import BuilderResults, state_of
from .stub_files import write_stubs
from .target import portable_target

__all__ = ["BuildExtMixin", "abi_module_path"]

log = logging.getLogger("cffi_build_plugin")

if TYPE_CHECKING:
    _BuildExt = build_ext
else:
    _BuildExt = object


def abi_module_path(command: build_py | build_ext, module: BuiltModule, in_source: bool) -> Path:
    *package, name = module.full_name.split(".")
    if in_source:
        build_py_cmd = command.get_finalized_command("build_py")
        assert isinstance(build_py_cmd, build_py)
        base = Path(build_py_cmd.get_package_dir(".".join(package)))
    else:
        base = Path(command.build_lib, *package)
    return base / f"{name}.py"


_HEADER_SUFFIXES = {".h", ".hh", ".hpp", ".hxx", ".inc", ".inl"}


class _Refused(LinkError):
    """Linked, but portable mode's checks refused it: the message says why, in full."""


class BuildExtMixin(_BuildExt):
    """Generates cffi's C before setuptools compiles; records optional modules that failed.

    Builders run in run(), never in finalize_options(): egg_info finalizes build_ext just to
    list sources, for every metadata query and sdist.
    """

    def finalize_options(self) -> None:
        super().finalize_options()
        if self.editable_mode:
            # setuptools compiles an editable install in a new temporary folder; one that
            # stays makes the next build incremental (editable.py).
            self.build_temp = in_tree_build_temp(self)

    def run(self) -> None:
        self._forget_other_targets()
        results = builder_results(self)
        # setuptools' run() turns inplace off while it builds (into build/lib, then copied).
        self._in_place = bool(self.inplace or self.editable_mode)
        for _, ext in results.api:
            self._adopt(ext)
        pre_run = getattr(self, "pre_run", None)
        for module, ext in results.api:
            generate_c_source(module, ext, self.build_temp, pre_run)
        if self.inplace and not self.editable_mode:
            # `build_ext --inplace` puts ABI modules next to the sources too, as cffi does.
            for module in results.abi:
                generate_py_module(module, abi_module_path(self, module, in_source=True))
        super().run()
        self._record_failures()
        built = self._built_files(results)
        stubs = write_stubs(built)
        if self.inplace or self.editable_mode:
            note_built(self, built, self._c_inputs(results))
            write_editable_check(self, results)
            build = self.get_finalized_command("build")
            ignore_in_git([*self._in_place_outputs(results), *stubs],
                          [Path(build.build_base)] if self.editable_mode else [])  # type: ignore[attr-defined]

    def _c_inputs(self, results: BuilderResults) -> list[str]:
        """The C sources, declared dependencies and, from the compiler's dependency files
        (-MD, compile/commands.py), every header each file read; MSVC writes none, so there
        the headers in the modules' include dirs (those in the project: editable.py keeps
        only the project's files)."""
        inputs: list[str] = []
        for _, ext in results.api:
            inputs += [str(path) for path in [*ext.sources, *ext.depends]]
            if self.compiler.compiler_type != "unix":
                inputs += [str(header) for folder in ext.include_dirs
                           for header in Path(folder).glob("*")
                           if header.suffix.lower() in _HEADER_SUFFIXES]
            # Where compiling() put them: cffi's generated C has its object beside it.
            objects = object_filenames(self.compiler, ext.sources, output_dir=self.build_temp)
            for obj in objects:
                inputs += depfile_inputs(Path(obj).with_suffix(".d"))
        return inputs

    def _built_files(self, results: BuilderResults) -> list[tuple[BuiltModule, Path]]:
        """Each module this command built (an optional one that failed is not), with its
        file."""
        built = [(module, Path(self.get_ext_fullpath(ext.name)))
                 for module, ext in results.api]
        if self.inplace and not self.editable_mode:
            built += [(m, abi_module_path(self, m, in_source=True)) for m in results.abi]
        return [(module, path) for module, path in built if path.exists()]

    def _in_place_outputs(self, results: BuilderResults) -> list[Path]:
        modules = [Path(self.get_ext_fullpath(ext.name))
                   for _, ext in results.api]
        if self.inplace and not self.editable_mode:
            modules += [abi_module_path(self, m, in_source=True) for m in results.abi]
        return modules

    def _forget_other_targets(self) -> None:
        """Objects and modules built for another target (or the host) must not be reused:
        build/ is named for the host whatever the target, and `.abi3.so` for every target."""
        target = portable_target()
        if target is not None and (self.inplace or self.editable_mode) and \
                (target.arch, target.libc) != (os.uname().machine, "glibc"):
            raise TargetError(f"{TARGET.name}={target.tag} builds modules this machine cannot "
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
        target = portable_target()
        state = state_of(self)
        choices = compile_choices(state.project.settings, parallel, portable=target is not None)
        if self.debug:
            choices = dataclasses.replace(choices, debug_info=True)
        if target is not None:
            from cffi_build_plugin.portable.target import use_zig

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
        self._force_ours = self._must_rebuild_ours(choices)
        sources = sum(len(ext.sources) for ext in self.extensions)
        with compiling(self.compiler, choices, Path(self.build_temp), sources,
                       depfiles=getattr(self, "_in_place", False)):
            super().build_extensions()

    def _must_rebuild_ours(self, choices: CompileChoices) -> bool:
        """Whether an in-place build compiles every file of the cffi modules: through ccache
        (each unchanged file a hit), as setuptools' own test (sources newer than the module)
        misses headers and changed flags; else only when the record of the last build says
        something changed, so that building twice compiles nothing (nor, on Windows, relinks
        a module a process has loaded)."""
        if not getattr(self, "_in_place", False):
            return False
        if choices.ccache and self.compiler.compiler_type == "unix":
            return True
        return inputs_changed(self)

    def _check_compiler(self) -> None:
        """No compiler at all is one clear error, not a failed compile per file (unless every
        module is optional: they are then skipped, each with its warning)."""
        if self.compiler.compiler_type != "unix" or all(e.optional for e in self.extensions):
            return
        problem = compiler_problem(self.compiler.compiler_so, cc=os.environ.get("CC") or None,
                                   cwd=Path.cwd())
        if problem is not None:
            raise ToolError(problem)

    def get_ext_filename(self, fullname: str) -> str:
        name: str = super().get_ext_filename(fullname)  # type: ignore[no-untyped-call]
        abi = self._stable_abi_of(fullname)
        if abi is not None:
            # Named for the floor, not for the building interpreter: setuptools takes 3.15's
            # first stable-ABI suffix (.abi3-x86_64-linux-gnu.so), which 3.9-3.14 never import.
            suffix = abi.file_suffix(str(sysconfig.get_config_var("EXT_SUFFIX") or ".so"))
            name = str(Path(*fullname.split("."))) + suffix
        target = portable_target()
        if target is None:
            return name
        from cffi_build_plugin.portable.target import target_ext_filename

        return target_ext_filename(name, target)

    def _stable_abi_of(self, fullname: str) -> StableAbi | None:
        results = state_of(self).results_so_far
        if results is None or results.stable_abi is None:
            return None
        ext = self.ext_map.get(fullname)
        ours = any(e is ext for _, e in results.api)
        return results.stable_abi if ours and getattr(ext, "py_limited_api", False) else None

    def build_extension(self, ext: Extension) -> None:
        module = next((m for m, e in state_of(self).builder_results().api if e is ext), None)
        if module is None:
            super().build_extension(ext)
            self._finish(ext, ext.name)
            return
        force = self.force
        try:
            # For the cffi modules alone; modules build at once only when all are cffi's.
            self.force = force or getattr(self, "_force_ours", False)
            super().build_extension(ext)
            self._finish(ext, module.full_name)
        except _Refused:
            raise
        except (CompileError, LinkError) as exc:
            keep_private_folder()  # the generated C and objects the message's command reads
            message = failure_message(
                f"cffi module {module.full_name} (builder {module.planned.spec})", exc,
                generated=os.fspath(next(iter(ext.sources))), cwd=Path.cwd())
            # Of the same kind: setuptools still lets an optional module fail softly.
            raise (CompileError if isinstance(exc, CompileError) else LinkError)(
                message) from None
        finally:
            self.force = force

    def _finish(self, ext: Extension, name: str) -> None:
        """Portable mode's after-link fixes and checks; a refused module is removed, and
        fails like a link error (an optional one is then left out, not shipped)."""
        target = portable_target()
        if target is None:
            return
        built = Path(self.get_ext_fullpath(ext.name))
        dirs = [*ext.library_dirs, *ext.runtime_library_dirs, *self.library_dirs,
                *self.compiler.library_dirs]
        from cffi_build_plugin.portable.target import finish_module

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
        results = state_of(self).builder_results()
        inplace, self.inplace = self.inplace, False
        try:
            for module, ext in results.api:
                built = Path(self.get_ext_fullpath(ext.name))
                if ext.optional and not built.exists():
                    reason = "its C code did not compile (see the compiler output above)"
                    results.failed[str(module.planned.spec)] = reason
                    log.warning("optional cffi module %s (%s) skipped: %s",
                                module.full_name, module.planned.spec, reason)
        finally:
            self.inplace = inplace


