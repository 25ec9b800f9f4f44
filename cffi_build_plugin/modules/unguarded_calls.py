"""A builder that calls ``ffibuilder.compile()`` when loaded, without the
``if __name__ == "__main__":`` guard: the call is skipped, so its .c, .o and .so files never
land in the source tree (and from there in the sdist), and the build says where it is."""

from __future__ import annotations

import contextlib
import logging
import traceback
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from cffi_build_plugin._paths import is_inside

__all__ = ["OUTPUT_METHODS", "skipping_output_calls"]

log = logging.getLogger("cffi_build_plugin")

#: FFI methods that write build outputs (into the current folder: the project root).
OUTPUT_METHODS = ("compile", "emit_c_code", "emit_python_code", "distutils_extension")


def _caller(root: Path) -> str:
    """``file, line N`` of the innermost frame of the project's own code."""
    here = Path(__file__).resolve()
    for frame in reversed(traceback.extract_stack()[:-2]):
        path = Path(frame.filename).resolve()
        if path != here and is_inside(path, root):
            rel = path.relative_to(root.resolve()).as_posix()
            return f"{rel}, line {frame.lineno}"
    return "a builder"


def _skipped(method: str, root: Path) -> Any:
    def call(self: Any, *args: Any, **kwargs: Any) -> None:
        log.warning(
            "%s: %s() runs while the build loads the builder; skipped, since the build "
            "compiles the module itself and the call would leave its outputs in the source "
            'tree: put it under `if __name__ == "__main__":`', _caller(root), method)

    return call


@contextlib.contextmanager
def skipping_output_calls(root: Path) -> Iterator[None]:
    """While builders run, FFI's output methods only say where they were called."""
    try:
        from cffi import FFI
    except ImportError:  # the builder's own `import cffi` reports it
        yield
        return
    saved = {name: FFI.__dict__[name] for name in OUTPUT_METHODS if name in FFI.__dict__}
    for name in saved:
        setattr(FFI, name, _skipped(name, root))
    try:
        yield
    finally:
        for name, method in saved.items():
            setattr(FFI, name, method)
