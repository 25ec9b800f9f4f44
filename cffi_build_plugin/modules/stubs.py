"""The text of a ``.pyi`` stub for a cffi module, from the FFI object its builder made.

Pure: it reads the declarations cffi parsed from the cdef (``ffi._parser._declarations``)
and never imports or runs the built module. It runs wherever the builder runs, PyPy 3.9's
bundled cffi 1.15 included, so it imports nothing at run time beyond the standard library
and cffi, and keeps to the model attributes cffi 1.15 to 2.x all have.

The stub uses the types typeshed's ``types-cffi`` publishes for ``_cffi_backend``: the
module's ``ffi`` is an ``FFI``, C data are ``FFI.CData``; the declarations of the cdef
become the members of a class ``_Lib``, the type of ``lib`` (API mode) or of what
``ffi.dlopen()`` returns (ABI mode).

What each C type becomes (a result, then a parameter where they differ):

* ``void`` result: ``None``;
* integers of every spelling (``size_t``, ``int32_t``, ``typedef int... t``), enums:
  ``int``; ``_Bool``: ``bool`` as a result, ``int`` as a parameter (cffi takes 0 and 1);
* ``float``, ``double``, ``typedef float... t``: ``float``; ``long double``: ``CData`` as a
  result (cffi keeps its precision in a cdata), ``float | CData`` as a parameter;
  ``float _Complex``, ``double _Complex``: ``complex``;
* ``char``: ``bytes`` (of length 1); ``wchar_t``, ``char16_t``, ``char32_t``: ``str``;
* pointers, arrays, structs and unions by value, function pointers: ``CData``. As a
  parameter, a function pointer is ``CData | Callable[..., Any]`` (types-cffi types what
  ``ffi.callback()`` returns as a callable; cffi itself wants the cdata); a pointer to
  ``char``, ``void`` or a one-byte integer also takes ``bytes``, and a pointer to
  ``wchar_t``, ``char16_t`` or ``char32_t`` also takes ``str``, as cffi does (``None`` is
  no NULL for cffi: pass ``ffi.NULL``);
* variadic functions take ``*args: Any`` after their fixed parameters; the cdef's
  parameter names are not kept by cffi, so parameters are ``_0, _1, ...``, positional-only.

Integer constants (``#define X 42``, ``#define X ...``, ``static const int X = 1;``,
enumerators) are plain ``int`` annotations; ``const`` globals (``static const T X;``) are
read-only properties; other globals are plain annotations of their type. Anything the
generator cannot type becomes ``Any`` with a comment naming its C type: it never raises
for a valid cdef.
"""

from __future__ import annotations

import keyword
from typing import Any

from cffi import model

__all__ = ["render_stub"]

#: Builtins the stub names. A member of ``_Lib`` with one of these names would hide it for
#: the annotations of the class body, so then they are spelt ``_builtins.X``.
_BUILTINS = ("bool", "bytes", "complex", "float", "int", "property", "str")
#: The stub's own module-level names that a member could hide inside the class body.
_CDATA = "_CData"
#: Module aliases the qualified spellings use: a member of these names is left out.
_RESERVED = ("_abc", "_builtins", "_typing", "_cffi_backend")

#: The longest line of a stub's class body before a signature is wrapped, one parameter a
#: line (as formatters do).
_WIDTH = 100

_CHAR_BYTES = frozenset({"char"})
_CHAR_TEXT = frozenset({"wchar_t", "char16_t", "char32_t"})
#: Integer types of one byte whatever the platform: cffi takes ``bytes`` for pointers to them.
_ONE_BYTE_INTS = frozenset({"signed char", "unsigned char", "int8_t", "uint8_t"})
#: cffi 1.x spells complex types ``float _Complex``; cffi 2 ``_cffi_float_complex_t``.
_C_NAMES = {"_cffi_float_complex_t": "float _Complex",
            "_cffi_double_complex_t": "double _Complex"}


class _Untypable(Exception):
    """A C type the generator has no Python type for."""


class _Names:
    """How the stub spells the types it uses, given the names of ``_Lib``'s members: a
    member hides a module-level name in the class body, so a clashing name is qualified."""

    def __init__(self, members: set[str]) -> None:
        self._members = members
        self.spellings: set[str] = set()

    def __call__(self, atom: str) -> str:
        """The spelling of *atom* ("int", "Any", "CData", ...) inside the class body."""
        plain = _CDATA if atom == "CData" else atom
        if plain not in self._members:
            spelling = plain
        elif atom in _BUILTINS:
            spelling = f"_builtins.{atom}"
        elif atom == "Any":
            spelling = "_typing.Any"
        elif atom == "Callable":
            spelling = "_abc.Callable"
        else:
            spelling = "_cffi_backend.FFI.CData"
        self.spellings.add(spelling)
        return spelling

    def imports(self) -> list[str]:
        lines = []
        if any(s.startswith("_builtins.") for s in self.spellings):
            lines.append("import builtins as _builtins")
        if "_cffi_backend.FFI.CData" in self.spellings:
            lines.append("import _cffi_backend")
        if "_abc.Callable" in self.spellings:
            lines.append("import collections.abc as _abc")
        if "_typing.Any" in self.spellings:
            lines.append("import typing as _typing")
        if "Callable" in self.spellings:
            lines.append("from collections.abc import Callable")
        if "Any" in self.spellings:
            lines.append("from typing import Any")
        return lines


def _c_name(tp: Any) -> str:
    try:
        name = str(tp._get_c_name())
    except Exception:  # only for a comment
        return type(tp).__name__
    for raw, spelled in _C_NAMES.items():
        name = name.replace(raw, spelled)
    return name


def _primitive(tp: Any, names: _Names, *, param: bool) -> str:
    """int, float, bool, complex, bytes or str for a primitive C type."""
    if isinstance(tp, model.UnknownIntegerType):
        return names("int")
    if isinstance(tp, model.UnknownFloatType):
        return names("float")
    name = tp.name
    if tp.is_char_type():
        atom = "bytes" if name in _CHAR_BYTES else "str"
    elif tp.is_integer_type():
        atom = "bool" if name == "_Bool" and not param else "int"
    elif tp.is_complex_type():
        atom = "complex"
    elif not tp.is_float_type():
        raise _Untypable(_c_name(tp))
    elif name != "long double":
        atom = "float"
    else:  # cffi returns a cdata, not to lose precision
        return f"{names('float')} | {names('CData')}" if param else names("CData")
    return names(atom)


def _pointer_param(tp: Any, names: _Names) -> str:
    """What a parameter of a pointer, array or function pointer type takes."""
    cdata = names("CData")
    item = tp.item if isinstance(tp, model.ArrayType) else getattr(tp, "totype", tp)
    if isinstance(item, model.BaseFunctionType):
        # types-cffi types ffi.callback() and @ffi.def_extern() as returning a callable.
        return f"{cdata} | {names('Callable')}[..., {names('Any')}]"
    name = getattr(item, "name", None) if isinstance(item, model.PrimitiveType) else None
    if isinstance(item, model.VoidType) or name in _CHAR_BYTES or name in _ONE_BYTE_INTS:
        return f"{names('bytes')} | {cdata}"
    if name in _CHAR_TEXT:
        return f"{names('str')} | {cdata}"
    return cdata


def _py_type(tp: Any, names: _Names, *, param: bool) -> str:
    """The Python type of a value of C type *tp*: a parameter's, else a result's or a
    global's."""
    if isinstance(tp, model.VoidType) and not param:
        return "None"
    if isinstance(tp, model.BasePrimitiveType):
        return _primitive(tp, names, param=param)
    if isinstance(tp, model.EnumType):
        return names("int")
    if param and isinstance(tp, (model.PointerType, model.ArrayType, model.FunctionPtrType)):
        return _pointer_param(tp, names)  # NamedPointerType is a PointerType
    if isinstance(tp, (model.PointerType, model.ArrayType, model.StructOrUnion,
                       model.BaseFunctionType)):
        return names("CData")
    raise _Untypable(_c_name(tp))


def _function(name: str, tp: Any, names: _Names) -> list[str]:
    params = ["self"]
    params += [f"_{i}: {_py_type(arg, names, param=True)}" for i, arg in enumerate(tp.args)]
    if tp.args:
        params.append("/")
    if tp.ellipsis:
        params.append(f"*args: {names('Any')}")
    result = _py_type(tp.result, names, param=False)
    line = f"def {name}({', '.join(params)}) -> {result}: ..."
    if len(line) + 4 <= _WIDTH:
        return [line]
    return [f"def {name}(", *(f"    {param}," for param in params), f") -> {result}: ..."]


def _read_only(name: str, type_text: str, names: _Names) -> list[str]:
    return [f"@{names('property')}", f"def {name}(self) -> {type_text}: ..."]


def _enumerators(declarations: dict[str, Any]) -> list[str]:
    seen: list[Any] = []
    found: list[str] = []
    for key, (tp, _quals) in declarations.items():
        kind = key.split(" ", 1)[0]
        if kind in ("enum", "anonymous", "typedef") and isinstance(tp, model.EnumType):
            if any(tp is other for other in seen):
                continue
            seen.append(tp)
            found += [str(e) for e in (tp.enumerators or ())]
    return found


def _members(declarations: dict[str, Any]) -> dict[str, tuple[str, Any, int]]:
    """Every name ``lib`` has, with the kind of its declaration, its C type and quals."""
    members: dict[str, tuple[str, Any, int]] = {}
    # First kind wins a name both declare (cffi allows a macro and an enumerator of one
    # name when their values agree).
    order = {"function": 0, "extern_python": 1, "extern_python_plus_c": 1,
             "dllexport_python": 1, "variable": 2, "constant": 3, "macro": 4}
    keyed = []
    for key, (tp, quals) in declarations.items():
        kind, _, name = key.partition(" ")
        if kind in order:
            keyed.append((order[kind], name, kind, tp, quals))
    keyed += [(5, name, "enumerator", None, 0) for name in _enumerators(declarations)]
    for _, name, kind, tp, quals in sorted(keyed, key=lambda k: (k[0], k[1])):
        members.setdefault(name, (kind, tp, quals))
    return members


def _render_member(name: str, kind: str, tp: Any, quals: int, names: _Names) -> list[str]:
    if kind == "function":
        return _function(name, tp, names)
    if kind in ("macro", "enumerator"):
        return [f"{name}: {names('int')}"]
    if kind in ("extern_python", "extern_python_plus_c", "dllexport_python"):
        # lib.NAME is the C function pointer that calls the @ffi.def_extern() function.
        return _read_only(name, names("CData"), names)
    type_text = _py_type(tp, names, param=False)
    if kind == "constant" or (quals & model.Q_CONST):
        return _read_only(name, type_text, names)
    return [f"{name}: {type_text}"]


_GROUPS = (
    ("Constants", ("macro", "enumerator", "constant")),
    ("Global variables", ("variable",)),
    ("extern \"Python\" functions (C function pointers)",
     ("extern_python", "extern_python_plus_c", "dllexport_python")),
    ("Functions", ("function",)),
)


def _lib_class(members: dict[str, tuple[str, Any, int]], names: _Names) -> list[str]:
    body: list[str] = []
    for title, kinds in _GROUPS:
        group = sorted(n for n, (kind, _, _) in members.items() if kind in kinds)
        if not group:
            continue
        body += ["", f"    # {title}"] if body else [f"    # {title}"]
        for name in group:
            kind, tp, quals = members[name]
            if not name.isidentifier() or keyword.iskeyword(name):
                body.append(f"    # {name}: not a Python identifier:"
                            f" use getattr(lib, {name!r})")
                continue
            if name in _RESERVED:
                body.append(f"    # {name}: clashes with a name of this stub; untyped")
                continue
            try:
                lines = _render_member(name, kind, tp, quals, names)
            except Exception:  # never fail on a valid cdef
                what = "this declaration" if tp is None else _c_name(tp)
                lines = [f"{name}: {names('Any')}  # cannot type {what!r}"]
            body += [f"    {line}" for line in lines]
    return ["class _Lib:", *body] if body else ["class _Lib: ..."]


def _type_names(declarations: dict[str, Any]) -> list[str]:
    found = set()
    for key in declarations:
        kind, _, name = key.partition(" ")
        if "$" in name:
            continue
        if kind == "typedef":
            found.add(name)
        elif kind in ("struct", "union", "enum"):
            found.add(f"{kind} {name}")
    return sorted(found)


def render_stub(ffi: Any, module_name: str, *, abi_mode: bool) -> str:
    """The text of the ``.pyi`` stub of the cffi module *module_name* built from *ffi* (a
    ``cffi.FFI`` after ``cdef()``): in API mode it declares ``ffi`` and ``lib``; in ABI mode
    (*abi_mode*) ``ffi``, whose ``dlopen()`` returns the typed library."""
    declarations: dict[str, Any] = dict(ffi._parser._declarations)
    members = _members(declarations)
    names = _Names(set(members))
    lib_class = _lib_class(members, names)

    lines = [f"# Generated by cffi-build-plugin from the cdef of {module_name}; do not edit."]
    type_names = _type_names(declarations)
    if type_names:
        lines += ["#", "# C types of the cdef, by name for ffi.new(), ffi.cast(), ffi.sizeof():"]
        lines += [f"#   {name}" for name in type_names]
    imports = names.imports()
    lines += ["", *imports, *([""] if imports else [])]
    lines += ["from _cffi_backend import FFI", "", f"{_CDATA} = FFI.CData", "", "",
              *lib_class, "", ""]
    if abi_mode:
        lines += [
            "class _FFI(FFI):",
            "    # types-cffi's FFI.dlopen() returns its final Lib class: this one is typed.",
            "    def dlopen(  # type: ignore[override]",
            f"        self, libpath: str | {_CDATA} | None = ..., flags: int = ..., /",
            "    ) -> _Lib: ...",
            "",
            "",
            "ffi: _FFI",
        ]
    else:
        lines += ["ffi: FFI", "lib: _Lib"]
    return "\n".join(lines) + "\n"
