"""`check` and `wheel --target` as a user meets them: a wheel linking a system library before
and after auditwheel repair, folders and missing files, the `[zig]` extra alone, progress,
PEP 600 aliases and refused targets."""

from __future__ import annotations

import os
import shutil
import sys
import zipfile
from pathlib import Path

import pytest

from devtools.interpreters import Interpreter
from devtools.venvs import auditwheel_repair, make_venv, run
from tests.conftest import Tools, copy_project
from tests.wheels import build_wheel, platforms

linux_only = pytest.mark.skipif(not sys.platform.startswith("linux"),
                                reason="ELF checks and portable mode are Linux-only")


def cli(*args: object, python: object = sys.executable, env: dict[str, str] | None = None):
    return run([python, "-m", "cffi_build_plugin", *args], env=env, check=False)


def _pure_wheel(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    wheel = folder / "pure-1.0-py3-none-any.whl"
    with zipfile.ZipFile(wheel, "w") as zf:
        zf.writestr("pure/__init__.py", "")
        zf.writestr("pure-1.0.dist-info/METADATA", "Metadata-Version: 2.1\nName: pure\n"
                                                    "Version: 1.0\n")
    return wheel


def test_check_takes_folders_and_names_missing_files(tmp_path: Path) -> None:
    wheel = _pure_wheel(tmp_path / "dist")
    out = cli("check", tmp_path / "dist")
    assert (out.returncode, out.stdout.split()[:2]) == (0, ["OK", str(wheel)]), out.stderr
    empty = tmp_path / "empty"
    empty.mkdir()
    out = cli("check", wheel, tmp_path / "missing.whl", empty)
    assert out.returncode == 2, out.stdout + out.stderr
    assert f"no such file: {tmp_path / 'missing.whl'}" in out.stderr
    assert f"no wheels (*.whl) in the folder {empty}" in out.stderr
    (tmp_path / "notes.txt").write_text("")
    out = cli("check", tmp_path / "notes.txt")
    assert out.returncode == 1
    assert "not a wheel file name" in out.stdout


@pytest.mark.parametrize(("given", "expected"), [
    ("manylinux_2_17_amd64", "names the architecture 'amd64'; portable mode builds x86_64 and "
                             "aarch64; did you mean manylinux_2_17_x86_64?"),
    ("manylinux2014_x86-64", "is not a manylinux_X_Y_ARCH or musllinux_X_Y_ARCH platform tag; "
                             "did you mean manylinux2014_x86_64?"),
    ("manylinux2010_x86_64", "asks for glibc 2.12, older than 2.17, the oldest zig targets; "
                             "did you mean manylinux_2_17_x86_64?"),
    ("musllinux_1_1_aarch64", "asks for a musl other than 1.2, the one zig ships; did you "
                              "mean musllinux_1_2_aarch64?"),
])
def test_a_refused_target_names_the_option_and_the_nearest_valid_one(
        given: str, expected: str, tmp_path: Path) -> None:
    out = cli("wheel", tmp_path, "--target", given)
    assert out.returncode == 9, out.stdout + out.stderr
    assert f"--target = {given!r} {expected}" in out.stderr
    assert "CFFI_BUILD_PLUGIN_TARGET" not in out.stderr


@pytest.mark.slow
@linux_only
def test_check_says_which_system_library_a_wheel_needs_until_repaired(
        py311: Interpreter, tools: Tools, env: dict[str, str], tmp_path: Path) -> None:
    # libbz2 exports its functions without symbol versions, like most libraries that are
    # not glibc: before, check blamed glibc for each of them.
    wheel = build_wheel(tools(py311), copy_project("system-lib", tmp_path / "src"),
                        tmp_path / "dist", env)
    out = cli("check", wheel)
    assert out.returncode == 1
    module = "bzlink/_bz.abi3.so"
    assert (f"{module}: needs libbz2.so.1.0 from the system (2 symbols); auditwheel repair "
            "will bundle it") in out.stdout
    assert "glibc symbol version" not in out.stdout
    assert "BZ2_" not in out.stdout
    assert "tagged linux_x86_64, which PyPI refuses: run auditwheel repair" in out.stdout

    # Tagged manylinux by hand, the library still outside: not what the tag promises.
    hand = tmp_path / "hand" / wheel.name.replace("linux_x86_64", "manylinux_2_17_x86_64")
    hand.parent.mkdir()
    shutil.copy(wheel, hand)
    out = cli("check", hand)
    assert out.returncode == 1
    assert (f"{module}: needs libbz2.so.1.0 from the system (2 symbols), which "
            "manylinux_2_17_x86_64 does not promise") in out.stdout

    repaired = auditwheel_repair(wheel, tmp_path / "repaired", env)
    assert any(p.startswith("manylinux") for p in platforms(repaired))
    out = cli("check", tmp_path / "repaired")
    assert (out.returncode, out.stdout.split()[:2]) == (0, ["OK", str(repaired)]), out.stdout
    assert "libbz2" not in out.stdout


@pytest.mark.slow
@linux_only
def test_wheel_target_with_the_zig_extra_alone(
        py39: Interpreter, py311: Interpreter, env: dict[str, str], tmp_path: Path) -> None:
    """What README tells users to install: `cffi-build-plugin[zig]`. ziglang (400 MB) comes
    from this venv through CFFI_BUILD_PLUGIN_ZIG, everything else from the extra."""
    from cffi_build_plugin.portable.target import find_zig

    never = tmp_path / "no-ziglang.txt"
    never.write_text("ziglang; python_version < '0'\n")  # uv: an override that removes it
    python = make_venv(py311, tmp_path / "venv", ["cffi-build-plugin[zig]", "--override",
                                                  str(never)], env=env)
    bindir = str(python.parent)
    user = {**env, "PATH": os.pathsep.join([bindir, "/usr/bin", "/bin"]),
            "PYTHONDONTWRITEBYTECODE": "1"}
    user.pop("CFFI_BUILD_PLUGIN_ZIG", None)
    project = copy_project("flat-api", tmp_path / "src")

    # Without zig, the error names what the user typed.
    out = cli("wheel", project, "--target", "manylinux_2_17_x86_64", python=python, env=user)
    assert out.returncode == 8, out.stdout + out.stderr
    assert "--target asks for a portable build, which compiles with zig" in out.stderr
    assert "CFFI_BUILD_PLUGIN_TARGET" not in out.stderr

    user["CFFI_BUILD_PLUGIN_ZIG"] = " ".join(find_zig())
    out = cli("wheel", project, "--target", "manylinux2014_x86_64", "--python",
              py39.executable, "--python", py311.executable, "-o", tmp_path / "out",
              python=python, env=user)
    assert out.returncode == 0, out.stdout + out.stderr
    (wheel,) = (tmp_path / "out").glob("*.whl")
    assert not (tmp_path / "out" / "rejected").exists()
    # The alias means manylinux_2_17; auditwheel writes both names (and older ones the
    # module also qualifies for).
    assert {"manylinux_2_17_x86_64", "manylinux2014_x86_64"} <= platforms(wheel)
    assert f"OK      {wheel}" in out.stdout
    assert "abi3audit" not in out.stdout  # the extra brought it, and it ran
    progress = [line for line in out.stderr.splitlines() if line.startswith("[")]
    assert progress[0] == (f"[1/2] CPython 3.9 ({py39.executable}): building for "
                           "manylinux_2_17_x86_64")
    assert progress[1].startswith(f"[1/2] CPython 3.9: {wheel.name} in ")
    assert progress[1].endswith(" s (OK)")
    assert progress[2] == f"[2/2] CPython 3.11: covered by {wheel.name}"
    assert "byte-compiling is disabled" not in out.stderr

    # A missing optional audit tool is a note, never a rejection.
    run([Path(sys.executable).with_name("uv"), "pip", "uninstall", "-q", "--python", python,
         "abi3audit"], env=env)
    out = cli("check", wheel, python=python, env=user)
    assert out.returncode == 0, out.stdout
    assert "(not audited for abi3 (abi3audit is not installed): pip install abi3audit)" in \
        out.stdout
