"""`cffi-build-plugin list`: reads, never runs, what a project declares."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

from cffi_build_plugin.cli import main
from tests.conftest import EXAMPLE


def _cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "cffi_build_plugin", *args],
                          capture_output=True, text=True, check=False)


def test_list_example_project_exactly():
    proc = _cli("list", "--json", str(EXAMPLE))
    assert proc.returncode == 0, proc.stderr
    data = json.loads(proc.stdout)
    assert data["opted_in"] is True
    assert data["source"] == "discovery"
    assert [(m["module"], m["mode"], m["builder"]) for m in data["modules"]] == [
        ("cffi_example._cvec", "API", "src/cffi_example/_build_cvec.py:ffibuilder"),
        ("cffi_example._fast", "API", "src/cffi_example/_build_fast.py:ffibuilder"),
        ("cffi_example._libc", "ABI", "src/cffi_example/_build_libc.py:ffibuilder"),
    ]


def test_list_table_output(capsys):
    assert main(["list", str(EXAMPLE)]) == 0
    out = capsys.readouterr().out
    assert "cffi_example._cvec  API   src/cffi_example/_build_cvec.py:ffibuilder" in out
    assert "tests/: not package code" in out


def test_list_never_executes_candidates(tmp_path: Path):
    (tmp_path / "pyproject.toml").write_text(
        '[build-system]\nrequires = ["setuptools", "cffi-build-plugin"]\n')
    (tmp_path / "pkg").mkdir()
    (tmp_path / "pkg/build_evil.py").write_text(textwrap.dedent("""
        import sys
        open("EXECUTED", "w").write("the builder ran")
        sys.exit(3)
        from cffi import FFI
        ffibuilder = FFI()
        ffibuilder.set_source("pkg._evil", "int x;")
    """))
    proc = subprocess.run([sys.executable, "-m", "cffi_build_plugin", "list", "."],
                          cwd=tmp_path, capture_output=True, text=True, check=False)
    assert proc.returncode == 0, proc.stderr
    assert "pkg._evil  API   pkg/build_evil.py:ffibuilder" in proc.stdout
    assert not (tmp_path / "EXECUTED").exists()


def test_list_reports_config_errors_without_traceback(tmp_path: Path):
    (tmp_path / "pyproject.toml").write_text(
        '[tool.cffi-build-plugin]\nmodules = ["missing.py:ffi"]\nexclud = []\n')
    proc = _cli("list", str(tmp_path))
    assert proc.returncode == 3  # ConfigError
    assert proc.stderr.startswith("ERROR invalid configuration in ")
    assert 'tool.cffi-build-plugin.exclud: unknown key. Did you mean "exclude"?' in proc.stderr
    assert "Traceback" not in proc.stderr


def test_missing_builder_file_named(tmp_path: Path):
    (tmp_path / "pyproject.toml").write_text(
        '[tool.cffi-build-plugin]\nmodules = ["src/missing.py:ffi"]\n')
    proc = _cli("list", str(tmp_path))
    assert proc.returncode == 3  # ConfigError
    assert ("tool.cffi-build-plugin.modules[0].builder: 'src/missing.py' does not exist"
            in proc.stderr)


def test_console_script_and_version():
    exe = Path(sys.executable).with_name("cffi-build-plugin")
    proc = subprocess.run([str(exe), "--version"], capture_output=True, text=True, check=False)
    assert proc.stdout.startswith("cffi-build-plugin 0.")
