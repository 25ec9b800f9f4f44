"""What `init` writes into pyproject.toml: the [tool.cibuildwheel] table, tailored to the cffi
modules a project declares (and the facts about the project the workflow is made from)."""

from __future__ import annotations

from dataclasses import dataclass

import tomlkit
from tomlkit.items import Table

from cffi_build_plugin.config.settings import LimitedApi
from cffi_build_plugin.modules.abi import ABI3T_SINCE, PythonVersion
from cffi_build_plugin.modules.discovery import DeclaredModule

from .skips import skip_patterns
from .system_packages import BUILT_IN, SystemPackages, packages_for

__all__ = ["ProjectFacts", "cibuildwheel_table", "known_libraries", "unmapped_libraries"]

#: PyPy releases cibuildwheel builds for only under enable = ["pypy-eol"].
_PYPY_EOL_BELOW = (3, 11)


@dataclass(frozen=True)
class ProjectFacts:
    """What the generated setup depends on, read from the project without running it."""

    name: str
    modules: tuple[DeclaredModule, ...]
    python_floor: PythonVersion | None
    has_tests: bool
    test_extra: str | None
    #: Every planned module could be read; otherwise *modules* is only part of them.
    all_declared: bool = True
    #: The API modules' py-limited-api choices (a False one makes every wheel
    #: version-specific).
    limited_api: tuple[LimitedApi, ...] = ("auto",)
    #: Modules built only where their ``when`` marker holds: not imported by every wheel.
    conditional: frozenset[str] = frozenset()
    #: Every module's ``when`` marker, where it has one.
    markers: tuple[str, ...] = ()
    #: The ``when`` of each module that may be API mode (None: built everywhere).
    compiled_markers: tuple[str | None, ...] = ()
    #: setup.py may build extensions of its own (every wheel then holds compiled code).
    own_extensions: bool = False

    @property
    def imports(self) -> list[str]:
        """The module names every wheel holds, for an import test."""
        return sorted({m.module_name for m in self.modules
                       if m.module_name and m.module_name not in self.conditional})

    @property
    def stable_abi_floor(self) -> PythonVersion | None:
        """The floor of the GIL CPython wheels' stable ABI; None when they are
        version-specific. Unknown (no requires-python) counts as below 3.15."""
        if not self.limited_api or any(c is False for c in self.limited_api):
            return None
        fixed = [(3, int(c[3:])) for c in self.limited_api if isinstance(c, str) and c != "auto"]
        return max([*fixed, self.python_floor or (3, 9)])

    @property
    def abi_only(self) -> bool:
        """Only ABI-mode modules, no extension of setup.py's own: pure wheels."""
        return (self.all_declared and bool(self.modules) and not self.own_extensions
                and all(m.mode == "ABI" for m in self.modules))

    @property
    def pure(self) -> bool:
        """One py3-none-any wheel, no cibuildwheel: only ABI-mode modules, none of them
        with a ``when`` marker (that wheel would be right for some interpreters only)."""
        return self.abi_only and not self.markers

    @property
    def sdist_only(self) -> bool:
        """ABI-mode modules with markers: each interpreter builds its own pure wheel
        (cp311-none-any), which cibuildwheel refuses; every one installs from the sdist."""
        return self.abi_only and bool(self.markers)

    @property
    def pure_builds(self) -> list[str]:
        """cibuildwheel skip selectors for the builds no compiled module is built in."""
        if self.own_extensions or not self.all_declared or not self.markers:
            return []
        return skip_patterns(self.compiled_markers)


def _linked_libraries(facts: ProjectFacts) -> tuple[list[str], list[str]]:
    """(known, unknown) library names the API-mode modules link, system ones left out."""
    names = dict.fromkeys(lib for m in facts.modules if m.mode != "ABI" for lib in m.libraries)
    wanted = [lib for lib in names if lib not in BUILT_IN]
    return ([lib for lib in wanted if packages_for(lib)],
            [lib for lib in wanted if not packages_for(lib)])


def known_libraries(facts: ProjectFacts) -> list[str]:
    """The libraries the table installs packages for."""
    return _linked_libraries(facts)[0]


def unmapped_libraries(facts: ProjectFacts) -> tuple[dict[str, list[str]], list[str]]:
    """What the table cannot install: each library no package is known for, with the builders
    that link it, and the builders whose libraries= is computed."""
    _, unknown = _linked_libraries(facts)
    users = {lib: [str(m.spec) for m in facts.modules if m.mode != "ABI" and lib in m.libraries]
             for lib in unknown}
    computed = [str(m.spec) for m in facts.modules if m.mode != "ABI" and m.libraries_unknown]
    return users, computed


def _test_command(facts: ProjectFacts, table: Table) -> None:
    if facts.has_tests:
        if facts.test_extra:
            table["test-extras"] = [facts.test_extra]
        else:
            table["test-requires"] = ["pytest"]
        table["test-sources"] = ["tests"]
        table["test-command"] = "python -m pytest tests"
        return
    imports = facts.imports
    if not imports or not facts.all_declared:
        table.add(tomlkit.comment(
            "TODO: no tests/ folder and module names init cannot read: set test-command so "
            "every wheel is imported and tried."))
        return
    table.add(tomlkit.comment("No tests/ folder: at least import every cffi module."))
    table["test-command"] = f'python -c "import {", ".join(imports)}"'


def _skip_duplicate_abi3t(facts: ProjectFacts, table: Table) -> list[str]:
    """One build makes the abi3.abi3t wheel (PEP 803) that free-threaded CPython 3.15+ and
    GIL CPython 3.15+ share. cibuildwheel re-tests an abi3 wheel on later GIL versions but
    builds every free-threaded identifier again, and stops at the second wheel of the same
    name: skip the free-threaded ones whose wheel an earlier build already made."""
    floor = facts.stable_abi_floor
    if facts.pure or floor is None:
        return []
    if floor >= ABI3T_SINCE:
        first, builder = floor[1], f"cp{floor[0]}{floor[1]} (GIL)"
    else:
        first, builder = ABI3T_SINCE[1] + 1, f"cp{ABI3T_SINCE[0]}{ABI3T_SINCE[1]}t"
    table.add(tomlkit.comment(
        f"{builder} builds the one abi3.abi3t wheel (PEP 803) for GIL and free-threaded "
        "CPython 3.15+:"))
    table.add(tomlkit.comment(
        "later free-threaded builds would make the same file again, which cibuildwheel "
        "refuses."))
    return [f"cp3{{{first}..40}}t-*"]


def _skip_pure_builds(facts: ProjectFacts, table: Table) -> list[str]:
    """The builds the markers leave with no compiled module: cibuildwheel stops on their
    pure wheel; those interpreters install from the sdist."""
    patterns = facts.pure_builds
    if patterns:
        table.add(tomlkit.comment(
            "The when markers build no compiled module here: the wheel would be pure, which "
            "cibuildwheel"))
        table.add(tomlkit.comment(
            "refuses; these interpreters install from the sdist (a pure build, no compiler)."))
    return patterns


def _vcpkg_install(packages: list[SystemPackages], triplet: str) -> str:
    return "vcpkg install " + " ".join(f"{p.vcpkg}:{triplet}" for p in packages)


def cibuildwheel_table(facts: ProjectFacts) -> Table:
    """``[tool.cibuildwheel]``: CPython and PyPy, 64-bit, tested, no limited-API override."""
    table = tomlkit.table()
    eol = facts.python_floor is None or facts.python_floor < _PYPY_EOL_BELOW
    for line in ("Written by `cffi-build-plugin init`. No limited-API setting is needed: the",
                 "plugin tags GIL CPython wheels abi3 (one per platform, re-tested on later",
                 "versions), free-threaded 3.15+ ones abi3.abi3t, and PyPy and older",
                 "free-threaded wheels version-specific by itself."):
        table.add(tomlkit.comment(line))
    table.add(tomlkit.comment(
        'PyPy is opt-in: "pypy" gives 3.11+' + (', "pypy-eol" the 3.9 and 3.10 that '
                                                  "requires-python admits." if eol else ".")))
    table["enable"] = ["pypy", "pypy-eol"] if eol else ["pypy"]
    table.add(tomlkit.comment('64-bit only: no i686 Linux, no 32-bit Windows ("auto" adds them).'))
    table["archs"] = ["auto64"]
    skip = _skip_duplicate_abi3t(facts, table) + _skip_pure_builds(facts, table)
    if skip:
        table["skip"] = skip
    table["build-frontend"] = "build"
    _test_command(facts, table)
    known, unknown = _linked_libraries(facts)
    unknown_note = [m for m in facts.modules if m.libraries_unknown]
    # Comments before the sub-tables, or TOML would file them under the last one.
    for lib in unknown:
        table.add(tomlkit.comment(
            f"TODO: a module links {lib!r}; install its development files in before-all "
            "(cffi-build-plugin cannot tell which package provides it)."))
    for module in unknown_note:
        table.add(tomlkit.comment(
            f"TODO: {module.spec} computes libraries=; install what it links in before-all."))
    if known:
        packages = [p for p in map(packages_for, known) if p]
        epel = "yum install -y epel-release && " if any(p.epel for p in packages) else ""
        linux = tomlkit.table()
        linux["before-all"] = epel + "yum install -y " + " ".join(p.yum for p in packages)
        table["linux"] = linux
        macos = tomlkit.table()
        macos.add(tomlkit.comment(
            "Homebrew's bottles target the runner's macOS: so must the wheels. Keg-only "
            "formulas need"))
        macos.add(tomlkit.comment(
            "$(brew --prefix <formula>)/include and lib in the builder's include_dirs and "
            "library_dirs."))
        macos["environment"] = {"MACOSX_DEPLOYMENT_TARGET": "15.0"}
        macos["before-all"] = "brew install " + " ".join(p.brew for p in packages)
        table["macos"] = macos
        windows = tomlkit.table()
        windows.add(tomlkit.comment(
            "Builders must add vcpkg's installed/<triplet>/include and lib to include_dirs and "
            "library_dirs;"))
        windows.add(tomlkit.comment(
            "delvewheel then needs --add-path <vcpkg>/installed/<triplet>/bin in "
            "repair-wheel-command."))
        windows["before-all"] = _vcpkg_install(packages, "x64-windows")
        table["windows"] = windows
        musl = tomlkit.table()
        musl["select"] = "*-musllinux*"
        musl["before-all"] = "apk add " + " ".join(p.apk for p in packages)
        arm = tomlkit.table()
        arm["select"] = "*-win_arm64"
        arm["before-all"] = _vcpkg_install(packages, "arm64-windows")
        overrides = tomlkit.aot()
        overrides.append(musl)
        overrides.append(arm)
        table["overrides"] = overrides
    return table
