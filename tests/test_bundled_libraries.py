"""An ABI-mode wheel that ships a shared library is tagged for its platform, not pure."""

from __future__ import annotations

import _ctypes
import shutil
import sysconfig
from pathlib import Path

import pytest

from cffi_build_plugin.setuptools.bundled_libraries import native_libraries
from tests.wheels import build_wheel, names, run_in_fresh_venv, tag


def test_native_libraries_are_found_by_name_and_content(tmp_path: Path) -> None:
    lib = tmp_path / "pkg" / "libs"
    lib.mkdir(parents=True)
    shutil.copy(_ctypes.__file__, lib / "libreal.so.1")
    (lib / "notes.so").write_text("a text file with a misleading name\n")
    (lib / "data.bin").write_bytes(b"\x7fELF rest")  # ELF bytes, but not named like a library
    # An extension module is tied to its interpreter: never a bundled library.
    shutil.copy(_ctypes.__file__, lib / "_ext.cpython-311-x86_64-linux-gnu.so")
    shutil.copy(_ctypes.__file__, lib / "_ext.abi3.so")
    (lib / "helper.dll").write_bytes(b"MZ\x90\x00 a Windows DLL, data on Linux")
    assert native_libraries(tmp_path) == [lib / "libreal.so.1"]
    assert native_libraries(tmp_path / "missing") == []


@pytest.mark.slow
def test_abi_mode_wheel_bundling_a_library_is_tagged_for_the_platform(
    py311, tools, env, project_copy, tmp_path
):
    project = project_copy("abi-only")
    shutil.copy(_ctypes.__file__, project / "src" / "abionly" / "libbundled.so")
    with (project / "pyproject.toml").open("a") as f:
        f.write('\n[tool.setuptools.package-data]\nabionly = ["*.so"]\n')
    wheel = build_wheel(tools(py311), project, tmp_path / "out", env)
    platform = sysconfig.get_platform().replace("-", "_").replace(".", "_")
    assert tag(wheel) == f"py3-none-{platform}"
    # At the wheel's root (platlib), not under .data/purelib.
    assert names(wheel) == {"abionly/__init__.py", "abionly/_crt.py", "abionly/_crt.pyi",
                            "abionly/libbundled.so"}
    code = "import abionly; print(abionly.strlen(b'four'))"
    assert run_in_fresh_venv(py311, wheel, code, tmp_path, env).strip() == "4"
