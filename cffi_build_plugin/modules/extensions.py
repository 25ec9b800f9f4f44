"""Turning an API-mode builder into a setuptools Extension, and writing its C source."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any, Callable, Optional

from setuptools import Extension

from cffi_build_plugin._paths import is_inside
from cffi_build_plugin.compile.linking import extra_link_args

from .abi import StableAbi
from .builders import BuiltModule

__all__ = ["PLACEHOLDER", "generate_c_source", "generate_py_module", "make_extension"]

log = logging.getLogger("cffi_build_plugin")

#: Stands for the generated C file until build_ext knows its build_temp.
PLACEHOLDER = "$CFFI_BUILD_PLUGIN_GENERATED$"

PreRun = Optional[Callable[[Extension, Any], None]]


_HEADER_SUFFIXES = (".h", ".hh", ".hpp", ".hxx", ".inc", ".inl")


def _project_headers(include_dirs: list[str], root: Path) -> list[str]:
    """Headers in the project's own include dirs: a change to one must rebuild the module."""
    headers: set[str] = set()
    for include_dir in include_dirs:
        folder = (root / include_dir).resolve()
        if folder == root.resolve() or not folder.is_dir() or not is_inside(folder, root):
            continue
        headers.update(p.relative_to(root.resolve()).as_posix() for p in folder.rglob("*")
                       if p.suffix in _HEADER_SUFFIXES and p.is_file())
    return sorted(headers)


def make_extension(
    built: BuiltModule, ext_name: str, abi: StableAbi | None, root: Path
) -> Extension:
    """An Extension whose first source is generated later; *abi* None means no limited API."""
    kwds = dict(built.kwds)
    depends = list(kwds.pop("depends", []))
    depends += [h for h in _project_headers(list(kwds.get("include_dirs", [])), root)
                if h not in depends]
    sources = [PLACEHOLDER, *kwds.pop("sources", [])]
    macros = list(kwds.pop("define_macros", []))
    kwds.pop("py_limited_api", None)  # decided by the caller, see state.py
    kwds["extra_link_args"] = [*kwds.get("extra_link_args", []), *extra_link_args()]
    if abi is not None:
        kwds["py_limited_api"] = True
        # cffi's header defines a bare Py_LIMITED_API; naming the floor lets the compiler
        # and abi3audit hold any hand-written C to the version in the wheel tag.
        macros.extend(abi.macros)
    else:
        kwds["py_limited_api"] = False
        macros.append(("_CFFI_NO_LIMITED_API", None))
    return Extension(
        ext_name,
        sources,
        define_macros=macros,
        depends=depends,
        optional=built.planned.optional,
        **kwds,
    )


def generate_c_source(
    built: BuiltModule, ext: Extension, build_temp: str, pre_run: PreRun = None
) -> None:
    """Write cffi's C for *built* under *build_temp* and put it in place of the placeholder.

    cffi leaves an unchanged file untouched, so an up-to-date extension is not recompiled.
    """
    sources = list(ext.sources)
    if not sources or sources[0] != PLACEHOLDER:
        return
    from cffi import recompiler

    if pre_run is not None:
        pre_run(ext, built.ffi)  # cffi's hook: build_ext subclasses may define pre_run(ext, ffi)
    c_file = Path(build_temp, built.full_name + built.source_extension)
    c_file.parent.mkdir(parents=True, exist_ok=True)
    log.info("generating cffi module %s", c_file)
    assert built.source is not None  # API mode: checked when the builder ran
    recompiler.make_c_source(built.ffi, built.full_name, built.source, str(c_file))
    ext.sources = [str(c_file), *sources[1:]]


def generate_py_module(built: BuiltModule, py_file: Path) -> None:
    """Write cffi's ABI-mode module for *built* to *py_file*."""
    from cffi import recompiler

    py_file.parent.mkdir(parents=True, exist_ok=True)
    log.info("generating cffi module %s", py_file)
    recompiler.make_py_source(built.ffi, built.full_name, str(py_file))
