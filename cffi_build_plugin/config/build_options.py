"""Build options: per-build choices a project declares and its builders read.

``[tool.cffi-build-plugin.options]`` declares each option with its default, whose type (bool,
int, str) is the option's type. One build sets an option with the PEP 517 config setting
``cffi-build-plugin.options.NAME=VALUE`` or the environment variable
``CFFI_BUILD_PLUGIN_OPTION_NAME=VALUE``; the config setting wins over the environment, which
wins over the default. Builders read the result with ``cffi_build_plugin.options()``. Whatever
is addressed to us but matches no declaration is an error, never ignored: a misspelt option
that silently builds the default is the bug this exists to prevent.
"""

from __future__ import annotations

import contextlib
import difflib
import json
import os
import re
import sys
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextvars import ContextVar
from dataclasses import dataclass
from pathlib import Path
from types import FrameType, MappingProxyType
from typing import Literal, NoReturn, TypeVar

from cffi_build_plugin._messages import article, short_repr
from cffi_build_plugin.errors import ConfigError, OptionError

from .environment import OPTION_PREFIX, env_value, parse_flag
from .project import Project, load_project
from .settings import OptionValue

__all__ = [
    "CONFIG_PREFIX",
    "ENV_PREFIX",
    "BuildOptions",
    "Option",
    "Origin",
    "building_with",
    "env_name",
    "hook_config_settings",
    "options",
    "project_options",
    "resolve",
]

#: The config-settings keys of an option: ``cffi-build-plugin.options.<name>``.
CONFIG_PREFIX = "cffi-build-plugin.options."
#: The environment variables of an option: ``CFFI_BUILD_PLUGIN_OPTION_<NAME>``.
ENV_PREFIX = OPTION_PREFIX.name
_TOOL = "cffi-build-plugin"
_TABLE = "[tool.cffi-build-plugin.options]"
_BACKEND = "setuptools.build_meta"

_DECIMAL = re.compile(r"[+-]?[0-9]+")
_TYPES: dict[type, str] = {bool: "boolean", int: "integer", str: "string"}
_GETTERS: dict[type, str] = {bool: "flag", int: "number", str: "text"}
_T = TypeVar("_T", bool, int, str)


def env_name(name: str) -> str:
    """The environment variable of option *name*: use-system-lib ->
    CFFI_BUILD_PLUGIN_OPTION_USE_SYSTEM_LIB."""
    return ENV_PREFIX + name.upper().replace("-", "_")


def _canonical(name: str) -> str:
    return name.replace("_", "-")


def _type_name(value: OptionValue) -> str:
    return _TYPES[type(value)]


def _toml(value: OptionValue) -> str:
    """A value as pyproject.toml would spell it: true, 3, "text"."""
    return json.dumps(value, ensure_ascii=False)


@dataclass(frozen=True)
class Origin:
    """Where an option's value came from."""

    kind: Literal["default", "environment", "config-settings"]
    #: The environment variable or config-settings key; None for the default.
    key: str | None = None

    def __str__(self) -> str:
        if self.kind == "environment":
            return f"environment variable {self.key}"
        if self.kind == "config-settings":
            return f"config setting {self.key}"
        return "default"


_DEFAULT = Origin("default")


@dataclass(frozen=True)
class Option:
    """One declared option, its value for this build and where that came from."""

    name: str
    value: OptionValue
    default: OptionValue
    origin: Origin = _DEFAULT

    @property
    def type_name(self) -> str:
        """boolean, integer or string: the default's type."""
        return _type_name(self.default)


class BuildOptions(Mapping[str, OptionValue]):
    """The build options of one build: an immutable mapping of option name to value.

    Names are the declared ones (``use-system-lib``); a lookup may spell ``-`` as ``_``. The
    typed getters fail with an error naming the option and the fix, where ``[]`` raises a bare
    KeyError.
    """

    __slots__ = ("_declared_in", "_options")

    _options: Mapping[str, Option]
    _declared_in: str

    def __init__(self, options: Iterable[Option] = (), declared_in: str = "pyproject.toml"
                 ) -> None:
        object.__setattr__(self, "_options", MappingProxyType({o.name: o for o in options}))
        object.__setattr__(self, "_declared_in", declared_in)

    def __setattr__(self, name: str, value: object) -> NoReturn:
        raise AttributeError(f"{type(self).__name__} is read-only")

    def __getitem__(self, name: str) -> OptionValue:
        return self._options[_canonical(name)].value

    def __iter__(self) -> Iterator[str]:
        return iter(self._options)

    def __len__(self) -> int:
        return len(self._options)

    def __repr__(self) -> str:
        return f"{type(self).__name__}({dict(self)!r})"

    @property
    def declared_in(self) -> str:
        """The pyproject.toml the options were declared in (or would be)."""
        return self._declared_in

    def entries(self) -> tuple[Option, ...]:
        """Every declared option, with its default and origin, in declaration order."""
        return tuple(self._options.values())

    def option(self, name: str) -> Option:
        """Everything known about option *name*; OptionError if it is not declared."""
        found = self._options.get(_canonical(name))
        if found is None:
            self._undeclared(name)
        return found

    def origin(self, name: str) -> Origin:
        """Where the value of option *name* came from (default, variable, config setting)."""
        return self.option(name).origin

    def flag(self, name: str) -> bool:
        """The value of boolean option *name*."""
        return self._typed(name, bool)

    def number(self, name: str) -> int:
        """The value of integer option *name*."""
        return self._typed(name, int)

    def text(self, name: str) -> str:
        """The value of string option *name*."""
        return self._typed(name, str)

    def _typed(self, name: str, kind: type[_T]) -> _T:
        option = self.option(name)
        value = option.value
        if type(value) is not kind:
            raise OptionError(
                f'build option "{option.name}" is {article(option.type_name)} (its default in '
                f"{_TABLE} is {_toml(option.default)}): read it with "
                f'options().{_GETTERS[type(value)]}("{option.name}"), not '
                f"{_GETTERS[kind]}()")
        assert isinstance(value, kind)
        return value

    def _undeclared(self, name: str) -> NoReturn:
        wanted = _canonical(name)
        declared = list(self._options)
        hint = difflib.get_close_matches(wanted, declared, n=1, cutoff=0.6)
        did_you_mean = f' Did you mean "{hint[0]}"?' if hint else ""
        known = (f" Declared options: {', '.join(declared)}." if declared
                 else " This project declares no build options.")
        raise OptionError(
            f'build option "{name}" is not declared.{did_you_mean}{known} To add it, declare '
            f"it in {_TABLE} of {self._declared_in} with its default ({wanted} = false, 0 or "
            '"..."; the default\'s type is the option\'s type)')


# -- resolving: default, environment, config settings --------------------------------------------


def _parse(raw: str, default: OptionValue) -> OptionValue | None:
    """*raw* (from -C or the environment) as the default's type; None if it is not one."""
    if isinstance(default, bool):
        return parse_flag(raw)
    if isinstance(default, int):
        text = raw.strip()
        return int(text) if _DECIMAL.fullmatch(text) else None
    return raw


def _expected(default: OptionValue) -> str:
    if isinstance(default, bool):
        return "true or false (or 1/0, yes/no, on/off)"
    return "a whole number in decimal (like 3 or -1)"


class _OptionValues:
    """Collects the values and every problem, so one error lists them all."""

    def __init__(self, declared: Sequence[tuple[str, OptionValue]], declared_in: str) -> None:
        self.defaults = dict(declared)
        self.declared_in = declared_in
        self.values: dict[str, tuple[OptionValue, Origin]] = {
            name: (default, _DEFAULT) for name, default in declared}
        self.config_problems: list[str] = []
        self.env_problems: list[str] = []

    def _known(self) -> str:
        if not self.defaults:
            return (f" This project declares no build options: declare them in {_TABLE} of "
                    f"{self.declared_in} (name = default value).")
        return (f" Declared options (in {_TABLE} of {self.declared_in}): "
                f"{', '.join(self.defaults)}.")

    def _hint(self, name: str, spell: Callable[[str], str]) -> str:
        close = difflib.get_close_matches(name.lower(), list(self.defaults), n=1, cutoff=0.6)
        return f' Did you mean "{spell(close[0])}"?' if close else ""

    def _set(self, name: str, raw: str, origin: Origin, where: str,
             problems: list[str]) -> None:
        default = self.defaults[name]
        value = _parse(raw, default)
        if value is None:
            problems.append(
                f'{where}: expected {_expected(default)} for build option "{name}" (it is '
                f"{article(_type_name(default))}, default {_toml(default)}), got {short_repr(raw)}")
            return
        self.values[name] = (value, origin)

    def environment(self, environ: Mapping[str, str]) -> None:
        for variable in sorted(environ):
            if not variable.startswith(ENV_PREFIX):
                continue
            raw = env_value(variable, environ)
            if raw is None:
                continue
            name = _canonical(variable[len(ENV_PREFIX):].lower())
            if name not in self.defaults or env_name(name) != variable:
                hint = self._hint(name, env_name)
                self.env_problems.append(
                    f'{variable}: unknown build option "{name}".{hint}{self._known()}')
                continue
            self._set(name, raw, Origin("environment", variable), variable, self.env_problems)

    def config_settings(self, settings: Mapping[str, object]) -> None:
        for key, raw in settings.items():
            if not isinstance(key, str):
                continue
            head, _, rest = key.partition(".")
            if _canonical(head) != _TOOL:
                continue  # another tool's (--build-option, editable_mode, ...)
            where = f"-C {key}"
            section, dot, name = rest.partition(".")
            if _canonical(section) != "options" or not dot or not name:
                wanted = name if dot else section
                hint = f' Did you mean "{CONFIG_PREFIX}{wanted}"?' if wanted else ""
                self.config_problems.append(
                    f"{where}: not a config setting of cffi-build-plugin (its only ones are "
                    f"build options: {CONFIG_PREFIX}NAME=VALUE).{hint}{self._known()}")
                continue
            name = _canonical(name)
            if name not in self.defaults:
                hint = self._hint(name, lambda n: CONFIG_PREFIX + n)
                self.config_problems.append(
                    f'{where}: unknown build option "{name}".{hint}{self._known()}')
                continue
            # A key given twice arrives as a list (pip >= 23.1, build): the last one wins, as
            # it does with older pip, which passes only the last.
            value = raw[-1] if isinstance(raw, list) and raw else raw
            if not isinstance(value, str):
                self.config_problems.append(
                    f"{where}: expected a string value (KEY=VALUE), got {short_repr(raw)}")
                continue
            self._set(name, value, Origin("config-settings", key), where, self.config_problems)

    def result(self) -> BuildOptions:
        problems = self.config_problems + self.env_problems
        if problems:
            sources = [s for s, p in (("the config settings (-C)", self.config_problems),
                                      ("the environment", self.env_problems)) if p]
            raise ConfigError(" and ".join(sources), problems)
        return BuildOptions(
            (Option(name, value, self.defaults[name], origin)
             for name, (value, origin) in self.values.items()),
            self.declared_in)


def resolve(declared: Sequence[tuple[str, OptionValue]], environ: Mapping[str, str],
            config_settings: Mapping[str, object] | None,
            declared_in: str = "pyproject.toml") -> BuildOptions:
    """The options' values: a config setting wins over the environment, which wins over the
    default. Anything addressed to us that matches no declared option, and any value that is
    not of the option's type, is a ConfigError listing every such problem."""
    resolver = _OptionValues(declared, declared_in)
    resolver.environment(environ)
    resolver.config_settings(config_settings or {})
    return resolver.result()


def hook_config_settings() -> Mapping[str, object] | None:
    """The ``config_settings`` of the PEP 517 hook this process is running, or None outside
    one (setup.py run by hand, ``cffi-build-plugin list``, a builder run as a script).

    Why the stack: setuptools.build_meta turns a few config-settings keys into command-line
    arguments and hands the rest to no plugin. But the plugin runs inside the hook's call, in
    the backend's process, and every hook of setuptools.build_meta, like the helpers it passes
    them on to, names the argument ``config_settings`` as PEP 517 does (checked in setuptools
    70.1, our floor, and 84.x). So the innermost frame of that module with such a local holds
    them. (A frame's module is its globals' __name__: run_setup's local __name__ = "__main__"
    does not count.)
    """
    frame: FrameType | None = sys._getframe(1)
    while frame is not None:
        if frame.f_globals.get("__name__") == _BACKEND and "config_settings" in frame.f_locals:
            settings = frame.f_locals["config_settings"]
            return settings if isinstance(settings, Mapping) else {}
        frame = frame.f_back
    return None


def project_options(project: Project,
                    config_settings: Mapping[str, object] | None) -> BuildOptions:
    """The options of a build of *project*, from its declaration, the environment and
    *config_settings*."""
    return resolve(project.settings.options, os.environ, config_settings, str(project.pyproject))


# -- what builders call ---------------------------------------------------------------------------

_ACTIVE: ContextVar[BuildOptions | None] = ContextVar("cffi_build_plugin_options", default=None)


@contextlib.contextmanager
def building_with(build_options: BuildOptions) -> Iterator[None]:
    """While builders run: options() returns *build_options*, the ones the build resolved."""
    token = _ACTIVE.set(build_options)
    try:
        yield
    finally:
        _ACTIVE.reset(token)


def options() -> BuildOptions:
    """This build's options, for builders: ``options().flag("use-system-lib")``.

    While the plugin runs builders, the options it resolved for the build. Anywhere else (a
    builder run as ``python build.py``), the current directory's pyproject.toml (builders
    run from the project root), the environment and, inside a PEP 517 hook, its config
    settings. Without a declaration, an empty mapping.
    """
    active = _ACTIVE.get()
    if active is not None:
        return active
    root = Path.cwd()
    project = load_project(root)
    if project is not None:
        return project_options(project, hook_config_settings())
    pyproject = root / "pyproject.toml"
    where = str(pyproject) if pyproject.exists() else (
        f"{pyproject} (there is none: outside a build, options() reads the pyproject.toml of "
        "the current directory, so run the builder from the project root)")
    return resolve((), os.environ, hook_config_settings(), where)
