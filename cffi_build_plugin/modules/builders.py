"""Running builder scripts as cffi does, but from the project root, siblings importable."""

from __future__ import annotations

import ast
import contextlib
import os
import sys
import traceback
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType
from typing import Any, Literal, Union

from cffi_build_plugin._messages import article, short_repr
from cffi_build_plugin._paths import is_inside, project_frames
from cffi_build_plugin.errors import BuilderError

from .builder_names import did_you_mean
from .plan import PlannedModule
from .unguarded_calls import skipping_output_calls

__all__ = ["BuiltModule", "is_running_builders", "run_builders"]

class _Depth:
    """How many builders are running (a builder may run inside another's Distribution)."""

    value = 0


def is_running_builders() -> bool:
    """True while a builder runs: a Distribution it creates must not re-enter the plugin."""
    return _Depth.value > 0


@dataclass
class BuiltModule:
    """A builder's FFI after set_source(), with the module's full dotted name."""

    planned: PlannedModule
    ffi: Any
    #: The name as given to set_source().
    declared_name: str
    #: The importable name: the declared one inside ``package``/``ext_package``.
    full_name: str
    source: str | None
    source_extension: str
    kwds: dict[str, Any] = field(default_factory=dict)

    @property
    def mode(self) -> Literal["API", "ABI"]:
        return "ABI" if self.source is None else "API"


@contextlib.contextmanager
def _builder_context(root: Path, builder: Path) -> Iterator[None]:
    """cwd = project root, the builder's folder importable, its imports forgotten after, no
    bytecode written, no ``ffibuilder.compile()`` at load time."""
    old_cwd = Path.cwd()
    old_path = list(sys.path)
    old_modules = set(sys.modules)
    old_bytecode = sys.dont_write_bytecode
    _Depth.value += 1
    try:
        # A sibling the builder imports (`_cdefs.py`) would leave __pycache__ in the tree.
        sys.dont_write_bytecode = True
        os.chdir(root)
        sys.path.insert(0, str(builder.parent))
        with skipping_output_calls(root, builder):
            yield
    finally:
        _Depth.value -= 1
        sys.dont_write_bytecode = old_bytecode
        os.chdir(old_cwd)
        sys.path[:] = old_path
        # Sibling modules (a `_cdefs.py` next to each of two builders) must not leak from one
        # builder into the next one.
        for name in set(sys.modules) - old_modules:
            file = getattr(sys.modules[name], "__file__", None)
            if file and is_inside(Path(file), root):
                del sys.modules[name]


def _builder_traceback(tb: TracebackType | None, root: Path) -> str:
    """The frames of the user's own files, not ours nor cffi's."""
    lines = []
    for rel, f in project_frames(traceback.extract_tb(tb), root):
        lines.append(f'  File "{rel}", line {f.lineno}, in {f.name}')
        if f.line:
            lines.append(f"    {f.line}")
    return "\n".join(lines)


_Namespace = dict[str, Any]
_Loaded = Union[_Namespace, BuilderError]


def _own_package(root: Path, module: str | None, packages: Iterable[str]) -> str | None:
    """The project's own package a failed import named, if it did: one setuptools packages,
    or a folder at the root or in src/."""
    top = (module or "").partition(".")[0]
    if not top:
        return None
    if top in {p.partition(".")[0] for p in packages}:
        return top
    for folder in (root, root / "src"):
        if (folder / top).is_dir() or (folder / f"{top}.py").is_file():
            return top
    return None


def _imported_name(line: str | None, missing: str) -> str:
    """The dotted name the import statement on *line* asked for (``mypkg._cdefs`` when
    Python says ``No module named 'mypkg'``)."""
    try:
        stmt = ast.parse((line or "").strip()).body[0]
    except (SyntaxError, IndexError):
        return missing
    if isinstance(stmt, ast.ImportFrom) and stmt.module:
        names = [stmt.module]
    elif isinstance(stmt, ast.Import):
        names = [alias.name for alias in stmt.names]
    else:
        return missing
    return next((n for n in names if n == missing or n.startswith(missing + ".")), missing)


def _own_import_hint(exc: ImportError, root: Path, builder_dir: Path,
                     packages: Iterable[str]) -> str:
    """Why `from mypkg._cdefs import CDEF` fails in a builder, and the import that works."""
    package = _own_package(root, exc.name, packages)
    if package is None or exc.name is None:
        return ""
    frames = project_frames(traceback.extract_tb(exc.__traceback__), root)
    where, wanted = "", exc.name
    if frames:
        rel, innermost = frames[-1]
        where = f" (in {rel}, line {innermost.lineno})"
        wanted = _imported_name(innermost.line, exc.name)
    last = wanted.rpartition(".")[2]
    folder = builder_dir.resolve().relative_to(root.resolve()).as_posix()
    folder = "the project root" if folder == "." else f"{folder}/"
    sibling = (builder_dir / f"{last}.py").is_file() or (builder_dir / last).is_dir()
    fix = (f"`from {last} import ...` works: the builder's folder ({folder}) is on sys.path "
           "while it runs" if sibling and wanted != package else
           f"put what the builder needs in a module next to it ({folder}) and import that by "
           "its own name: the builder's folder is on sys.path while it runs")
    return (f"\n  builders run before {package} is built or installed, so a builder cannot "
            f"import {wanted}{where}; {fix}")


def _execute(root: Path, rel_path: str, packages: Iterable[str] = ()) -> _Namespace:
    path = (root / rel_path).resolve()
    spec_hint = f"builder file {rel_path}"
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise BuilderError(f"{spec_hint}: cannot be read ({exc.strerror})") from None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise BuilderError(
            f"{spec_hint}: not UTF-8 ({exc.reason} at byte {exc.start}); save it as UTF-8"
        ) from None
    try:
        code = compile(text + "\n", str(path), "exec")
    except SyntaxError as exc:
        raise BuilderError(f"{spec_hint}, line {exc.lineno}: {exc.msg}") from None
    # cffi runs builders with a __name__ other than "__main__", so their
    # `if __name__ == "__main__": ffibuilder.compile()` blocks stay inert.
    namespace: _Namespace = {"__name__": "__cffi__", "__file__": str(path)}
    with _builder_context(root, path):
        try:
            exec(code, namespace)  # noqa: S102 - running the builder is the point
        except SystemExit as exc:
            raise BuilderError(f"{spec_hint} called sys.exit({exc.code!r}) while loading") from None
        except BaseException as exc:
            if isinstance(exc, KeyboardInterrupt):
                raise
            if isinstance(exc, ImportError) and exc.name in {"cffi", "_cffi_backend"}:
                raise BuilderError(
                    f"{spec_hint} imports cffi, which is not installed where the build runs; "
                    "cffi-build-plugin depends on it on CPython, so reinstall the plugin with "
                    'its dependencies or add "cffi" to [build-system].requires'
                ) from None
            where = _builder_traceback(exc.__traceback__, root)
            hint = _own_import_hint(exc, root, path.parent, packages) \
                if isinstance(exc, ImportError) else ""
            raise BuilderError(
                f"{spec_hint} raised {type(exc).__name__}: {exc}\n{where}{hint}"
            ) from None
    return namespace


def _ffi_from(namespace: _Namespace, planned: PlannedModule, root: Path) -> Any:
    from cffi import FFI

    spec = planned.spec
    if spec.name not in namespace:
        ffis = [name for name, value in namespace.items() if isinstance(value, FFI)]
        others = [name for name in namespace if not name.startswith("__")]
        hint = did_you_mean(spec.name, ffis, others) or (
            "; name the module-level FFI object (or function returning one) that set_source() "
            "was called on")
        raise BuilderError(f"builder {spec}: {spec.path} defines no {spec.name!r}{hint}")
    obj = namespace[spec.name]
    called = not isinstance(obj, FFI) and callable(obj)
    if called:
        with _builder_context(root, (root / spec.path).resolve()):
            try:
                obj = obj()
            except Exception as exc:
                where = _builder_traceback(exc.__traceback__, root)
                raise BuilderError(
                    f"builder {spec}: calling {spec.name}() raised {type(exc).__name__}: "
                    f"{exc}\n{where}"
                ) from None
    if not isinstance(obj, FFI):
        shown = short_repr(obj, 40)
        what = (f"{spec.name}() returned {article(type(obj).__name__)} ({shown})" if called
                else f"{spec.name!r} is {article(type(obj).__name__)}")
        raise BuilderError(
            f"builder {spec}: {what}, not a cffi.FFI object; name the FFI object on which "
            "set_source() was called, or a function returning it"
        )
    if not hasattr(obj, "_assigned_source"):
        raise BuilderError(
            f"builder {spec}: set_source() was never called on {spec.name!r}; call "
            '`ffibuilder.set_source("pkg._mod", "#include ...")` (API mode) or '
            '`set_source("pkg._mod", None)` (ABI mode)'
        )
    return obj


def _relative_paths(kwds: dict[str, Any], root: Path) -> dict[str, Any]:
    """Absolute paths inside the project become root-relative: object files land under
    build_temp at a stable place and no absolute path ends up in the build."""
    out = dict(kwds)
    for key in ("sources", "include_dirs", "library_dirs", "depends", "extra_objects"):
        values = out.get(key)
        if not values:
            continue
        out[key] = [_root_relative(value, root) for value in values]
    return out


def _root_relative(value: Any, root: Path) -> Any:
    p = Path(os.fspath(value))
    if p.is_absolute() and is_inside(p, root):
        return p.resolve().relative_to(root.resolve()).as_posix()
    return value


def run_builders(
    root: Path, planned: Sequence[PlannedModule], ext_package: str | None,
    packages: Iterable[str] = (),
) -> list[BuiltModule | BuilderError]:
    """Run each builder file once (two specs may share a file); one result per module.
    *packages* (the project's) make an import of the project itself a clear error."""
    loaded: dict[str, _Loaded] = {}
    results: list[BuiltModule | BuilderError] = []
    for module in planned:
        path = module.spec.path
        if path not in loaded:
            try:
                loaded[path] = _execute(root, path, packages)
            except BuilderError as exc:
                loaded[path] = exc
        namespace = loaded[path]
        if isinstance(namespace, BuilderError):
            results.append(namespace)
            continue
        try:
            ffi = _ffi_from(namespace, module, root)
        except BuilderError as exc:
            results.append(exc)
            continue
        name, source, source_extension, kwds = ffi._assigned_source
        if getattr(ffi, "_windows_unicode", None):
            kwds = dict(kwds)
            ffi._apply_windows_unicode(kwds)
        if module.package and "." not in name:
            full = f"{module.package}.{name}"
        elif ext_package:
            full = f"{ext_package}.{name}"  # setuptools' own rule: ext_package prefixes all
        else:
            full = name
        results.append(BuiltModule(module, ffi, name, full, source, source_extension,
                                   _relative_paths(dict(kwds), root)))
    return results
