"""Writing each built module's typed stub (modules/stubs.py renders it) beside the module: in
build/lib for the wheel, in the source tree for in-place and editable builds. A stub never
fails a build: one that cannot be written is a warning."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from pathlib import Path

from cffi_build_plugin.modules.builders import BuiltModule

__all__ = ["stub_path", "write_stubs"]

log = logging.getLogger("cffi_build_plugin")

_noted: set[Path] = set()  # folders whose missing py.typed the log has named (once each)


def stub_path(module_file: Path, full_name: str) -> Path:
    """``pkg/_native.abi3.so`` or ``pkg/_native.py`` -> ``pkg/_native.pyi``."""
    return module_file.parent / f"{full_name.rpartition('.')[2]}.pyi"


def write_stubs(modules: Iterable[tuple[BuiltModule, Path]]) -> list[Path]:
    """A stub beside each (module, the file it was built to) whose module asks for one;
    returns the stubs written."""
    from cffi_build_plugin.modules.stubs import render_stub

    written: list[Path] = []
    untyped: set[Path] = set()
    for module, module_file in modules:
        if not module.planned.stubs:
            continue
        stub = stub_path(module_file, module.full_name)
        try:
            text = render_stub(module.ffi, module.full_name, abi_mode=module.mode == "ABI")
            stub.parent.mkdir(parents=True, exist_ok=True)
            if not stub.exists() or stub.read_text("utf-8") != text:
                stub.write_text(text, "utf-8")
        except Exception as exc:  # a stub must never fail the build
            log.warning("cffi module %s: its stub was not written (%s: %s)",
                        module.full_name, type(exc).__name__, exc)
            continue
        written.append(stub)
        if "." in module.full_name and not (stub.parent / "py.typed").exists():
            untyped.add(stub.parent)
    for folder in sorted(untyped - _noted):
        _noted.add(folder)
        log.info("%s has no py.typed: type checkers read the cffi modules' stubs only once the "
                 "package ships one (PEP 561; an empty file beside __init__.py)", folder)
    return written
