"""build_py: writes ABI-mode modules; keeps builder scripts and their C inputs out of the
wheel."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from setuptools.command.build_py import build_py

from cffi_build_plugin.modules.extensions import generate_py_module

from .build_ext import abi_module_path
from .editable import builder_results, note_built, write_editable_check
from .git_ignore import ignore_in_git
from .state import state_of
from .stub_files import stub_path, write_stubs

__all__ = ["BuildPyMixin"]

if TYPE_CHECKING:
    _BuildPy = build_py
else:
    _BuildPy = object


class BuildPyMixin(_BuildPy):
    """Writes ABI-mode modules; keeps builder scripts and their C inputs out of the wheel."""

    def run(self) -> None:
        results = builder_results(self)
        super().run()
        written = [(m, abi_module_path(self, m, self.editable_mode)) for m in results.abi]
        for module, path in written:
            generate_py_module(module, path)
        stubs = write_stubs(written)
        if self.editable_mode:
            note_built(self, written)
            write_editable_check(self, results)
            ignore_in_git([*(path for _, path in written), *stubs])

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
            excluded = state_of(self).builder_results().wheel_exclusions
            self.data_files = [
                (package, src_dir, build_dir,
                 [f for f in files if Path(src_dir, f).resolve() not in excluded])
                for package, src_dir, build_dir, files in self.data_files
            ]
        super().build_package_data()

    def get_outputs(self, include_bytecode: bool = True) -> list[str]:
        outputs: list[str] = list(super().get_outputs(include_bytecode))
        results = state_of(self).results_so_far
        if results is not None and not self.editable_mode:
            for module in results.abi:
                path = abi_module_path(self, module, in_source=False)
                outputs.append(str(path))
                if module.planned.stubs:
                    outputs.append(str(stub_path(path, module.full_name)))
        return outputs


