"""example_project's [tool.cibuildwheel], as cibuildwheel 4.x itself reads it: which wheels
each runner builds, and the options each build identifier gets."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import tomlkit

from cffi_build_plugin.init.cibuildwheel import ProjectFacts, cibuildwheel_table
from cffi_build_plugin.modules.abi import PythonBuild, stable_abi
from cffi_build_plugin.modules.discovery import discover
from tests.checks import cibuildwheel_identifiers, need_tool, validate_pyproject
from tests.conftest import EXAMPLE

PLATFORMS = ("linux", "macos", "windows")
# The six GitHub runners of the wheels workflow: (platform, arch).
RUNNERS = (("linux", "x86_64"), ("linux", "aarch64"), ("macos", "x86_64"), ("macos", "arm64"),
           ("windows", "AMD64"), ("windows", "ARM64"))


def identifiers(platform: str, archs: str | None = None) -> list[str]:
    return cibuildwheel_identifiers(EXAMPLE, platform, archs)


@pytest.mark.parametrize("platform", PLATFORMS)
def test_cpython_and_pypy_64_bit_only(platform: str) -> None:
    ids = identifiers(platform)
    pythons = {i.split("-")[0] for i in ids}
    assert {"cp39", "cp313", "cp314", "cp314t", "pp39", "pp310", "pp311"} <= pythons
    assert not [i for i in ids if re.search(r"i686|win32|armv7|ppc64le|s390x|riscv", i)]
    if platform == "linux":
        assert {i.split("-")[1].split("_")[0] for i in ids} == {"manylinux", "musllinux"}


@pytest.mark.parametrize(("platform", "arch"), RUNNERS)
def test_each_runner_has_cpython_wheels_to_build(platform: str, arch: str) -> None:
    ids = identifiers(platform, archs=arch)
    assert {"cp39", "cp314t"} <= {i.split("-")[0] for i in ids}
    suffix = arch.lower() if platform != "windows" else f"win_{arch.lower()}"
    assert all(i.endswith(suffix) for i in ids), ids


@pytest.mark.parametrize("platform", PLATFORMS)
def test_per_identifier_options(platform: str, monkeypatch: pytest.MonkeyPatch) -> None:
    need_tool("cibuildwheel")
    from cibuildwheel.options import CommandLineArguments, compute_options

    monkeypatch.chdir(EXAMPLE.parent)
    args = CommandLineArguments.defaults()
    args.platform = platform  # type: ignore[assignment]
    args.package_dir = EXAMPLE
    options = compute_options(platform, args, env={})  # type: ignore[arg-type]
    for identifier in identifiers(platform):
        build = options.build_options(identifier)
        # Repaired on every OS with the platform's tool, audited, tested with the project's suite.
        tool = {"linux": "auditwheel", "macos": "delocate-wheel", "windows": "delvewheel"}
        assert build.repair_command.startswith(tool[platform]), identifier
        assert "abi3audit" in " ".join(build.audit_command)
        assert build.test_sources == ["tests"]
        assert "pytest" in (build.test_command or "")
        assert build.test_extras == "[test]"
        # No limited-API override anywhere: the plugin decides per interpreter...
        settings = f"{build.config_settings} {build.environment.as_dictionary({})}"
        assert "limited" not in settings.lower(), (identifier, settings)
        # ...and decides, for each interpreter cibuildwheel builds, the wheel written down
        # here (a new identifier fails this test until its wheel is decided).
        python = identifier.split("-")[0]
        assert python in WHEEL_ABI, f"{identifier}: which wheel does it get?"
        assert _decided(python) == WHEEL_ABI[python], identifier


#: example_project (requires-python >= 3.9) per cibuildwheel identifier: the stable-ABI tag
#: of its wheel, None for a version-specific one.
WHEEL_ABI = {
    **{f"cp3{minor}": "cp39-abi3" for minor in range(9, 16)},
    "cp313t": None, "cp314t": None,  # free-threaded before 3.15: no stable ABI
    "cp315t": "cp315-abi3.abi3t",  # PEP 803
    **{f"pp3{minor}": None for minor in range(9, 13)},
}


def _decided(python: str, floor: tuple[int, int] = (3, 9)) -> str | None:
    pypy = python.startswith("pp")
    version = (3, int(python[3:].rstrip("t")))
    build = PythonBuild("pypy" if pypy else "cpython", version,
                        free_threaded=python.endswith("t"))
    abi = stable_abi(build, floor)
    return f"{abi.python_tag}-{abi.abi_tag}" if abi else None


def test_validate_pyproject_accepts_the_example_and_rejects_typos(tmp_path: Path) -> None:
    assert validate_pyproject(EXAMPLE / "pyproject.toml").returncode == 0
    text = (EXAMPLE / "pyproject.toml").read_text()
    for typo, key in ((text + '\n[tool.cffi-build-plugin]\nmodule = ["a.py:ffi"]\n', "module"),
                      (text.replace("archs = ", "arch = "), "arch")):
        bad = tmp_path / "pyproject.toml"
        bad.write_text(typo)
        proc = validate_pyproject(bad)
        assert proc.returncode != 0
        assert f"{{'{key}'}}" in proc.stdout + proc.stderr


def test_init_writes_the_same_options_as_the_example() -> None:
    # example_project's table is the one `init` generates: one source of truth.
    example = tomlkit.parse((EXAMPLE / "pyproject.toml").read_text()).unwrap()
    facts = ProjectFacts("cffi-example", discover(EXAMPLE).modules, (3, 9), has_tests=True,
                         test_extra="test")
    assert cibuildwheel_table(facts).unwrap() == example["tool"]["cibuildwheel"]


@pytest.mark.parametrize(("requires_python", "limited_api", "skip"), [
    (">=3.9", ("auto",), ["cp3{16..40}t-*"]),  # cp315t builds the abi3.abi3t wheel
    (">=3.15", ("auto",), ["cp3{15..40}t-*"]),  # cp315 (GIL) builds it
    (">=3.15", ("cp315",), ["cp3{15..40}t-*"]),
    (">=3.9", ("auto", False), None),  # version-specific everywhere: nothing is shared
])
def test_one_build_per_wheel_name(tmp_path: Path, requires_python: str,
                                  limited_api: tuple[object, ...], skip: list[str] | None
                                  ) -> None:
    """cibuildwheel's own identifiers and its own reuse rule (find_compatible_wheel) over the
    generated table: no identifier builds a wheel of a name already built, and every
    interpreter gets a wheel."""
    need_tool("cibuildwheel")
    from cibuildwheel.util.packaging import find_compatible_wheel

    floor = (3, int(requires_python.split(".")[1]))
    facts = ProjectFacts("demo", discover(EXAMPLE).modules, floor, has_tests=True,
                         test_extra=None, limited_api=limited_api)  # type: ignore[arg-type]
    table = cibuildwheel_table(facts)
    assert table.unwrap().get("skip") == skip
    doc = tomlkit.document()
    doc["project"] = {"name": "demo", "version": "1", "requires-python": requires_python}
    doc["tool"] = {"cibuildwheel": table}
    (tmp_path / "pyproject.toml").write_text(tomlkit.dumps(doc))
    built: list[Path] = []
    for identifier in cibuildwheel_identifiers(tmp_path, "linux", "x86_64"):
        if find_compatible_wheel(built, identifier) is not None:
            continue  # re-tested, not rebuilt
        python, platform = identifier.split("-", 1)
        abi = _decided(python, facts.stable_abi_floor or floor) if \
            facts.stable_abi_floor else None
        tag = abi or f"{python.rstrip('t')}-{python.replace('pp', 'pypy')}"
        name = Path(f"demo-1-{tag}-{platform}.whl")
        assert name not in built, f"{identifier} builds {name} again"
        built.append(name)
    assert any("abi3.abi3t" in w.name for w in built) == (skip is not None)


def _identifier_env(identifier: str) -> dict[str, str]:
    """What a cibuildwheel identifier tells a marker, spelt out here independently of
    init/skips.py."""
    python, platform = identifier.split("-", 1)
    pypy = python.startswith("pp")
    env = {"implementation_name": "pypy" if pypy else "cpython",
           "platform_python_implementation": "PyPy" if pypy else "CPython",
           "python_version": f"3.{python[3:].rstrip('t')}"}
    system = platform.split("_")[0]
    env["sys_platform"] = {"manylinux": "linux", "musllinux": "linux", "macosx": "darwin",
                           "win": "win32"}[system]
    env["platform_machine"] = {"amd64": "AMD64", "arm64": "ARM64"}.get(
        platform.split("_", 1)[1], platform.split("_", 1)[1]) if system == "win" else \
        platform.split("_", 1)[1]
    return env


@pytest.mark.parametrize("when", [
    "platform_python_implementation == 'CPython'",
    "platform_python_implementation == 'PyPy'",
    "python_version >= '3.12'",
    "sys_platform == 'win32' or platform_machine == 'arm64'",
    "platform_machine == 'aarch64' and implementation_name == 'cpython'",
])
def test_markers_skip_exactly_the_builds_with_no_compiled_module(tmp_path: Path,
                                                                 when: str) -> None:
    """cibuildwheel's own identifiers over the generated table: every build it keeps compiles
    the module (a pure wheel would stop it), every one it drops would not."""
    from packaging.markers import Marker

    modules = discover(EXAMPLE).modules
    facts = ProjectFacts("demo", modules, (3, 9), has_tests=True, test_extra=None,
                         conditional=frozenset(m.module_name for m in modules if m.module_name),
                         markers=(when,), compiled_markers=(when,) * len(modules))
    plain = ProjectFacts("demo", modules, (3, 9), has_tests=True, test_extra=None)
    for name, chosen in (("all", plain), ("kept", facts)):
        doc = tomlkit.document()
        doc["project"] = {"name": "demo", "version": "1", "requires-python": ">=3.9"}
        doc["tool"] = {"cibuildwheel": cibuildwheel_table(chosen)}
        (tmp_path / name).mkdir()
        (tmp_path / name / "pyproject.toml").write_text(tomlkit.dumps(doc))
    for platform in PLATFORMS:
        every = cibuildwheel_identifiers(tmp_path / "all", platform, "all")
        kept = cibuildwheel_identifiers(tmp_path / "kept", platform, "all")
        every = [i for i in every if re.search(r"x86_64|aarch64|arm64|amd64", i)]
        kept = [i for i in kept if re.search(r"x86_64|aarch64|arm64|amd64", i)]
        wanted = [i for i in every if Marker(when).evaluate(_identifier_env(i))]
        assert kept == wanted, (platform, sorted(set(every) - set(kept)))
