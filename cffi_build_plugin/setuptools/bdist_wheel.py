"""bdist_wheel: builds first, then tags the wheel from what was really built."""

from __future__ import annotations

import logging
import shutil
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from packaging.tags import interpreter_name, interpreter_version
from setuptools.command.bdist_wheel import bdist_wheel

from cffi_build_plugin.errors import TagError
from cffi_build_plugin.modules.abi import StableAbi
from cffi_build_plugin.modules.markers import INTERPRETER_VARIABLES, marker_variables
from cffi_build_plugin.modules.plan import PlannedModule

from .bundled_libraries import native_libraries
from .reproducible import source_date_epoch
from .state import state_of
from .target import portable_target

__all__ = ["BdistWheelMixin"]

log = logging.getLogger("cffi_build_plugin")

if TYPE_CHECKING:
    _BdistWheel = bdist_wheel
else:
    _BdistWheel = object


class BdistWheelMixin(_BdistWheel):
    """Builds first, then tags the wheel from what was really built."""

    def run(self) -> None:
        source_date_epoch()  # checked here, or bdist_wheel fails with a bare ValueError
        if not self.skip_build and portable_target() is not None:
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
        results = state.builder_results()
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
        if self.root_is_pure:
            self._tag_for_markers(state.plan.modules)
        target = portable_target()
        if target is not None and not self.root_is_pure:
            self.plat_name, self.plat_name_supplied = target.tag, True
        ours = state.our_extensions()
        only_ours = all(any(ext is o for o in ours) for ext in dist.ext_modules or [])
        if only_ours and not self.root_is_pure:
            self._set_limited_api(results.stable_abi)
        super().run()

    _python_independent = False
    _stable_abi: StableAbi | None = None
    _interpreter_only = False

    def _tag_for_markers(self, modules: Sequence[PlannedModule]) -> None:
        """A pure wheel serves every interpreter and platform, but a module's marker says
        where it belongs: built here or skipped here, the wheel is right for this
        interpreter only (and this platform when a marker reads the platform)."""
        markers = [m.when for m in modules if m.when is not None]
        if not markers:
            return
        self._interpreter_only = True
        platform = any(marker_variables(w) - INTERPRETER_VARIABLES for w in markers)
        if platform:
            self.root_is_pure = False
            # install then puts the modules at the wheel's (platlib) root, not .data/purelib.
            self.distribution.has_ext_modules = lambda: True  # type: ignore[method-assign]
        log.info("tagging the pure wheel for this interpreter%s: its cffi modules' when "
                 "markers decide per interpreter (%s)", " and platform" if platform else "",
                 "; ".join(markers))
        if platform:
            # Right for the pip that builds it from the sdist; not for an index: PyPI takes
            # no linux_* tag and auditwheel repairs no wheel without native code.
            log.warning("this pure wheel is tagged for this platform: right to install here, "
                        "not to publish (PyPI refuses linux_* tags); the interpreters whose "
                        "modules are all skipped install from the sdist, see docs/"
                        "configuration.md")

    def get_tag(self) -> tuple[str, str, str]:
        if self._stable_abi is not None:
            # Ours, not setuptools': older setuptools refuse the limited API on any
            # free-threaded build and know no abi3t; a GIL build aiming at 3.15+ is abi3t too.
            plat = self._platform_tag()
            return self._stable_abi.python_tag, self._stable_abi.abi_tag, plat
        tag: tuple[str, str, str] = super().get_tag()
        if self._interpreter_only:
            return f"{interpreter_name()}{interpreter_version()}", "none", tag[2]
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


