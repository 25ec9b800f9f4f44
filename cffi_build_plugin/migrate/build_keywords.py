"""``setup()``'s build keywords: cffi_modules (with a `when` marker where setup.py tests the
interpreter), setup_requires, ext_package and ext_modules; and the wheel-tag hacks of
cmdclass and options, dropped."""

from __future__ import annotations

import ast
import re
from typing import Any

from cffi_build_plugin.errors import MigrateError
from cffi_build_plugin.modules.runtime_dependency import with_pypy_marker

from .conditional_modules import ConditionalModules, UnreadableCondition
from .keyword_conversion import KeywordConverter, as_str_list, computed_reason
from .setup_py_reader import cmdclass_entries
from .setup_py_values import Unresolved
from .tag_overrides import tag_hack_kind

__all__ = ["BuildKeywords"]


class BuildKeywords(KeywordConverter):
    """One method per build keyword."""

    def setup_requires(self, key: str) -> None:
        items = as_str_list(self.values[key])
        if items is None:
            self.stay(key, computed_reason(self.values[key]))
            return
        self.out.build_requires += [with_pypy_marker(r) for r in items]
        self.out.report.append("setup_requires → [build-system].requires")

    def cffi_modules(self, key: str) -> None:
        """The builders, with a marker each where setup.py picks them by interpreter or
        platform. cffi_modules cannot stay in setup.py (cffi itself would build them there,
        beside the plugin): what migrate cannot write out is an error saying what to do."""
        static = self.script.call.keywords.get(key)
        if isinstance(static, UnreadableCondition):
            raise MigrateError(str(self.script.path), [
                f"setup.py:{static.line}: cffi_modules changes under `{static.test}`: "
                f"{static.why}; migrate writes tests of the interpreter, platform and Python "
                "version (sys.version, platform.python_implementation(), "
                "sys.implementation.name, sys.platform, os.name, platform.system(), "
                "sys.version_info) as markers. Write the modules in pyproject.toml yourself, "
                "[tool.cffi-build-plugin] modules = [{ builder = \"path/to/build.py:ffi\", "
                "when = \"<PEP 508 marker>\" }], take cffi_modules out of setup.py, then run "
                "migrate again"])
        if isinstance(static, ConditionalModules):  # read, so it wins over --exec's value
            self.out.report += _reading_lines(static, self.executed, str(self.script.path))
            for module in static.modules:
                self.out.modules.append(module.builder)
                if module.when is not None:
                    self.out.when[module.builder] = (module.when, module.line)
            if self.executed:
                self.out.report.append(
                    "cffi_modules: read from setup.py's tests, not recorded by --exec (a run "
                    "gives only this interpreter's list)")
            return
        value = self.values[key]
        items = as_str_list(value)
        if items is None:
            raise MigrateError(str(self.script.path), [
                f"setup.py:{_line(value, self.script.call.node.lineno)}: cffi_modules is "
                f"computed ({computed_reason(value)}): pyproject.toml needs the builders "
                "written out; pass --exec to record them, or write [tool.cffi-build-plugin] "
                "modules yourself and take cffi_modules out of setup.py"])
        self.out.modules += items

    def cmdclass(self, key: str) -> None:
        entries = cmdclass_entries(self.script)
        if entries is None:
            self.stay(key, "custom commands, built in a way migrate does not read")
            return
        kept: dict[str, str] = {}
        for command, class_name in entries.items():
            cls = self.script.class_named(class_name)
            kind = tag_hack_kind(cls) if cls is not None else None
            if kind is None:
                kept[command] = class_name
                continue
            assert cls is not None
            if kind == "abi3":
                floors = {n.value for n in ast.walk(cls) if isinstance(n, ast.Constant)
                          and isinstance(n.value, str) and re.fullmatch(r"cp3\d+", n.value)}
                if len(floors) == 1:
                    self.limited_api(floors.pop(), f"the abi3 floor of {class_name}")
            fixed = {
                "abi3": "an abi3 tag by hand; cffi-build-plugin tags abi3 wheels itself",
                "none": "a Python-independent tag by hand; cffi-build-plugin tags an "
                        "ABI-mode wheel py3-none-any, or py3-none-<platform> when it bundles "
                        "a shared library",
                "platform": "a platform tag by hand; cffi-build-plugin tags a wheel for its "
                            "platform when it holds compiled modules or a bundled shared "
                            "library",
            }[kind]
            self.out.report.append(
                f"dropped cmdclass[{command!r}] = {class_name} (lines {cls.lineno}-"
                f"{cls.end_lineno}): it gives wheels {fixed}")
        if kept:
            self.stay(key, "custom commands: " + ", ".join(
                f"{c} = {n}" for c, n in kept.items()))
            if len(kept) < len(entries):
                self.out.replace[key] = "{" + ", ".join(
                    f"{c!r}: {n}" for c, n in kept.items()) + "}"

    def options(self, key: str) -> None:
        value = self.values[key]
        if not isinstance(value, dict):
            self.stay(key, computed_reason(value))
            return
        rest = {cmd: dict(opts) for cmd, opts in value.items() if isinstance(opts, dict)}
        wheel = rest.get("bdist_wheel", {})
        dropped = "py_limited_api" in wheel
        if dropped:
            self.limited_api(wheel.pop("py_limited_api"),
                             "options['bdist_wheel']['py_limited_api']")
        rest = {cmd: opts for cmd, opts in rest.items() if opts}
        if rest:
            self.stay(key, "command options: " + ", ".join(sorted(rest)))
            if dropped:
                self.out.replace[key] = repr(rest)

    def limited_api(self, value: Any, where: str) -> None:
        """An abi3 floor set by hand becomes the plugin's py-limited-api, so the wheel keeps
        its oldest CPython."""
        if isinstance(value, str) and re.fullmatch(r"cp3\d+", value):
            self.out.limited_api = value
            self.out.report.append(
                f"dropped {where} = {value!r}: the plugin tags abi3 wheels itself, and "
                f"[tool.cffi-build-plugin] py-limited-api = {value!r} keeps the oldest CPython "
                "they install on")
        else:
            self.out.report.append(f"dropped {where} = {value!r}: the plugin tags abi3 wheels "
                                   "itself")


    def ext_package(self, key: str) -> None:
        """The cffi modules' package from now on (the plugin reads no setup.py); it stays
        in setup.py too while C extensions built there are named inside it."""
        value = self.values[key]
        if not isinstance(value, str) or not value.strip():
            self.stay(key, "expected a package name")
            return
        self.out.ext_package = value.strip()
        if "ext_modules" in self.values:
            self.stay(key, "the C extensions in ext_modules are named inside it (the cffi "
                           f"modules get [tool.cffi-build-plugin]'s package = {value!r})")

    def ext_modules(self, key: str) -> None:
        static = self.script.call.keywords.get(key)
        how = f" (computed: {computed_reason(static)}; that code stays as written)" \
            if isinstance(static, Unresolved) else ""
        self.stay(key, "C extensions that are not cffi's: setuptools builds them from "
                       f"setup.py, next to the cffi modules{how}")


def _line(value: Any, default: int) -> int:
    return value.lines[0] if isinstance(value, Unresolved) else default


def _reading_lines(found: ConditionalModules, executed: bool, where: str) -> list[str]:
    """What setup.py's reads of the moved list become: they stay, with the list (report
    lines); under --exec, whose run gives this interpreter's list only, an error."""
    lines = []
    for line, marker in found.reads:
        test = {"always": "always true (every interpreter builds a module)",
                "never": "never true (no interpreter builds a module)"}.get(
            marker, f"true where {marker}")
        lines.append(f"setup.py:{line} reads cffi_modules, which is {test} there")
    if executed and lines:
        raise MigrateError(where, [
            f"{lines[0]}: --exec runs setup.py on this interpreter only, so what that line "
            "computes would be recorded for every interpreter; run migrate without --exec "
            "(setup.py keeps that line and the list it reads), or write the line without "
            "cffi_modules (the interpreter test itself, a requirement as \"name; <marker>\"), "
            "then run migrate again"])
    return [f"{text}: setup.py keeps that line and the list's assignments it reads"
            for text in lines]
