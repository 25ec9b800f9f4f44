"""A builder that calls ``ffibuilder.compile()`` when loaded, without the
``if __name__ == "__main__":`` guard: the call is skipped, so its .c, .o and .so files never
land in the source tree (and from there in the sdist), and the build says where it is. A call
the builder makes on purpose (a probe compiled in a temporary folder, C written to build/,
a helper function of the project compiling) runs as usual."""

from __future__ import annotations

import contextlib
import inspect
import logging
import sys
import traceback
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from cffi_build_plugin._paths import is_inside, project_frames

__all__ = ["OUTPUT_METHODS", "skipping_output_calls"]

log = logging.getLogger("cffi_build_plugin")

#: FFI methods that write build outputs, and the argument naming where (relative to the
#: current folder: the project root while builders run).
OUTPUT_METHODS = {"compile": "tmpdir", "emit_c_code": "filename",
                  "emit_python_code": "filename", "distutils_extension": "tmpdir"}


def _unguarded_call(root: Path, builder: Path) -> str | None:
    """``file, line N`` when the innermost frame of the project's code is the builder's own
    top level; None for a call from a function (a probe the builder makes on purpose)."""
    frames = project_frames(traceback.extract_stack(sys._getframe(2)), root)
    if not frames:
        return None
    rel, frame = frames[-1]
    if frame.name != "<module>" or Path(frame.filename).resolve() != builder.resolve():
        return None
    return f"{rel}, line {frame.lineno}"


def _lands_in_sources(target: object, root: Path) -> bool:
    """Whether an output path (a file or a folder) lies in the project outside build/."""
    if not isinstance(target, (str, Path)):
        return False
    path = (root / target).resolve()
    return is_inside(path, root) and not is_inside(path, root / "build")


def _guarded(method: Callable[..., Any], where_arg: str, root: Path, builder: Path
             ) -> Callable[..., Any]:
    signature = inspect.signature(method)

    def call(self: Any, *args: Any, **kwargs: Any) -> Any:
        try:
            bound = signature.bind(self, *args, **kwargs)
        except TypeError:
            return method(self, *args, **kwargs)  # cffi's own error says what is wrong
        bound.apply_defaults()
        where = _unguarded_call(root, builder)
        if where is None or not _lands_in_sources(bound.arguments.get(where_arg), root):
            return method(self, *args, **kwargs)
        log.warning(
            "%s: %s() runs while the build loads the builder; skipped, since the build "
            "compiles the module itself and the call would leave its outputs in the source "
            'tree: put it under `if __name__ == "__main__":`', where, method.__name__)
        return None

    return call


@contextlib.contextmanager
def skipping_output_calls(root: Path, builder: Path) -> Iterator[None]:
    """While *builder* runs, FFI's output methods called at its top level, writing into the
    source tree, only say where they were called."""
    try:
        from cffi import FFI
    except ImportError:  # the builder's own `import cffi` reports it
        yield
        return
    saved = {name: FFI.__dict__[name] for name in OUTPUT_METHODS if name in FFI.__dict__}
    for name, method in saved.items():
        setattr(FFI, name, _guarded(method, OUTPUT_METHODS[name], root, builder))
    try:
        yield
    finally:
        for name, method in saved.items():
            setattr(FFI, name, method)
