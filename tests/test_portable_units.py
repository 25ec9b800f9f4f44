"""Portable mode's logic: target tags, zig's command lines, module file names."""

from __future__ import annotations

import pytest

from cffi_build_plugin.errors import TargetError
from cffi_build_plugin.portable.target import (
    Target,
    compiler_executables,
    parse_target,
    target_ext_filename,
)


def test_targets():
    t = parse_target("manylinux_2_17_aarch64")
    assert t == Target("glibc", (2, 17), "aarch64")
    assert (t.zig_target, t.libc_soname) == ("aarch64-linux-gnu.2.17", "libc.so.6")
    assert parse_target("manylinux2014_aarch64") == t  # PEP 600's alias
    m = parse_target("musllinux_1_2_x86_64")
    assert (m.zig_target, m.libc_soname, m.tag) == (
        "x86_64-linux-musl", "libc.musl-x86_64.so.1", "musllinux_1_2_x86_64")


@pytest.mark.parametrize(("value", "message"), [
    ("linux_x86_64", "is not a manylinux_X_Y_ARCH or musllinux_X_Y_ARCH platform tag"),
    ("manylinux_2_17_ppc64le", "names the architecture 'ppc64le'"),
    ("manylinux_2_5_x86_64", "older than 2.17"),
    ("musllinux_1_1_x86_64", "musl other than 1.2"),
])
def test_bad_targets_say_what_would_be_right(value, message):
    with pytest.raises(TargetError) as err:
        parse_target(value)
    assert message in str(err.value)
    assert f"CFFI_BUILD_PLUGIN_TARGET = {value!r}" in str(err.value)
    assert "for example manylinux_2_17_x86_64" in str(err.value)


def test_zig_gets_a_target_an_optimisation_level_and_no_sanitizer(monkeypatch):
    monkeypatch.setenv("CFLAGS", "-DUSER_FLAG")
    exes = compiler_executables(["zig"], parse_target("manylinux_2_17_x86_64"))
    for key in ("compiler_so", "linker_so", "compiler_so_cxx", "linker_so_cxx"):
        assert exes[key][1:4] in (["cc", "-target", "x86_64-linux-gnu.2.17"],
                                  ["c++", "-target", "x86_64-linux-gnu.2.17"])
        assert "-fno-sanitize=undefined" in exes[key]
    assert "-O3" in exes["compiler_so"]
    assert exes["compiler_so"][-1] == "-DUSER_FLAG"  # the user's CFLAGS come last
    assert "-g" not in exes["compiler_so"]
    assert "-g" in compiler_executables(["zig"], parse_target("manylinux_2_17_x86_64"),
                                        debug_info=True)["compiler_so"]


def test_cross_builds_name_modules_for_the_target(monkeypatch):
    import sysconfig

    monkeypatch.setattr(sysconfig, "get_config_var",
                        lambda name: "x86_64-linux-gnu" if name == "MULTIARCH" else None)
    arm = parse_target("manylinux_2_17_aarch64")
    assert target_ext_filename("pkg/_m.pypy39-pp73-x86_64-linux-gnu.so", arm) == \
        "pkg/_m.pypy39-pp73-aarch64-linux-gnu.so"
    assert target_ext_filename("pkg/_m.abi3.so", arm) == "pkg/_m.abi3.so"
    musl = parse_target("musllinux_1_2_x86_64")
    assert target_ext_filename("pkg/_m.cpython-311-x86_64-linux-gnu.so", musl) == \
        "pkg/_m.cpython-311-x86_64-linux-musl.so"


def test_zig_commands_fit_this_setuptools_compiler(monkeypatch):
    # Every key must be one the compiler class knows (setuptools < 72.2 has no *_cxx ones),
    # and C++ links must find a zig c++ where distutils swaps the linker's head.
    from setuptools._distutils.ccompiler import new_compiler

    from cffi_build_plugin.portable import target as portable

    monkeypatch.setattr(portable, "find_zig", lambda: ["zig"])
    compiler = new_compiler()
    portable.use_zig(compiler, parse_target("manylinux_2_17_x86_64"))
    assert compiler.linker_so[:4] == ["zig", "cc", "-target", "x86_64-linux-gnu.2.17"]
    if "linker_exe_cxx" in type(compiler).executables:
        assert compiler.linker_exe_cxx == ["zig", "c++", "-target", "x86_64-linux-gnu.2.17"]


def test_libc_levels():
    from cffi_build_plugin.check.wheel import _newer

    assert _newer("manylinux_2_17_x86_64", "manylinux_2_36_x86_64")
    assert not _newer("manylinux_2_17_x86_64", "manylinux_2_5_x86_64")
    assert not _newer("manylinux2014_x86_64", "manylinux_2_17_x86_64")
    assert _newer("musllinux_1_2_x86_64", "manylinux_2_5_x86_64")


def test_one_abi3_wheel_covers_later_gil_cpythons_only(tmp_path):
    from cffi_build_plugin.portable.wheels import BuildInterpreter, _covered

    abi3 = tmp_path / "x-1.0-cp310-abi3-manylinux_2_17_x86_64.whl"
    assert _covered(BuildInterpreter("py", "cpython", (3, 12), False), [abi3])
    assert not _covered(BuildInterpreter("py", "cpython", (3, 9), False), [abi3])
    assert not _covered(BuildInterpreter("py", "cpython", (3, 14), True), [abi3])
    assert not _covered(BuildInterpreter("py", "pypy", (3, 10), False), [abi3])
    specific = tmp_path / "x-1.0-cp310-cp310-manylinux_2_17_x86_64.whl"
    assert not _covered(BuildInterpreter("py", "cpython", (3, 12), False), [specific])
