"""auditwheel repair, as cibuildwheel runs it on Linux, on wheels the plugin built: they come
out manylinux-tagged, external libraries are grafted in, and the result installs anywhere."""

from __future__ import annotations

import shutil
import sys
import zipfile
from pathlib import Path

import pytest
from packaging.utils import parse_wheel_filename

from devtools.interpreters import Interpreter
from devtools.venvs import auditwheel_repair, run
from tests.conftest import EXAMPLE, Tools
from tests.wheels import (
    build_wheel,
    names,
    platforms,
    run_in_fresh_venv,
    run_project_tests,
)

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not sys.platform.startswith("linux"), reason="auditwheel is Linux-only"),
]
GREET = Path(__file__).parent / "packages" / "ext-lib" / "libgreet"


def _interpreter_abi(wheel: Path) -> set[tuple[str, str]]:
    _, _, _, tags = parse_wheel_filename(wheel.name)
    return {(t.interpreter, t.abi) for t in tags}


def _manylinux(wheel: Path) -> bool:
    return all(p.startswith("manylinux") for p in platforms(wheel))


@pytest.mark.parametrize("which", ["abi3", "pypy"])
def test_example_wheels_repair_to_manylinux_and_still_pass_their_tests(
    which: str, request: pytest.FixtureRequest, py313: Interpreter, pypy39: Interpreter,
    env: dict[str, str], tmp_path: Path,
) -> None:
    wheel: Path = request.getfixturevalue(f"{which}_wheel")
    repaired = auditwheel_repair(wheel, tmp_path / "repaired", env)
    # A module with no libc call still records libc.so.6, so auditwheel can judge it.
    assert _manylinux(repaired), repaired.name
    assert _interpreter_abi(repaired) == _interpreter_abi(wheel)  # still abi3 / still pp39
    assert names(repaired) == names(wheel)  # nothing external to graft
    run_project_tests(py313 if which == "abi3" else pypy39, repaired, EXAMPLE / "tests",
                      tmp_path, env)


def _install_libgreet(prefix: Path) -> Path:
    """Build libgreet.so.1 the way a system library is installed: lib/ and include/."""
    (prefix / "lib").mkdir(parents=True)
    (prefix / "include").mkdir()
    shutil.copy(GREET / "greet.h", prefix / "include")
    run(["gcc", "-shared", "-fPIC", "-O2", "-Wl,-soname,libgreet.so.1",
         "-o", prefix / "lib" / "libgreet.so.1", GREET / "greet.c"])
    (prefix / "lib" / "libgreet.so").symlink_to("libgreet.so.1")
    return prefix


CALL = "import extlib; print(extlib.answer(), extlib.name())"


@pytest.mark.parametrize("builder", ["py39", "pypy39"])
def test_external_library_is_grafted_and_found_after_the_original_is_gone(
    builder: str, request: pytest.FixtureRequest, py313: Interpreter, tools: Tools,
    env: dict[str, str], project_copy, tmp_path: Path,
) -> None:
    interp: Interpreter = request.getfixturevalue(builder)
    prefix = _install_libgreet(tmp_path / "prefix")
    build = {**env, "GREET_PREFIX": str(prefix)}
    wheel = build_wheel(tools(interp), project_copy("ext-lib"), tmp_path / "dist", build)
    repaired = auditwheel_repair(wheel, tmp_path / "repaired", env, library_path=prefix / "lib")

    assert _manylinux(repaired), repaired.name
    grafted = sorted(n for n in names(repaired) if n.startswith("extlib.libs/"))
    assert len(grafted) == 1, grafted
    assert grafted[0].startswith("extlib.libs/libgreet-"), grafted
    shutil.rmtree(prefix)

    runners = [py313] if builder == "py39" else [interp]  # the abi3 wheel on a newer CPython
    for runner in runners:
        assert run_in_fresh_venv(runner, repaired, CALL, tmp_path, env).split() == [
            "42", "libgreet"]
    # The unrepaired wheel needed the library where it was built: the graft is what works.
    with pytest.raises(RuntimeError, match=r"libgreet\.so\.1"):
        run_in_fresh_venv(interp, wheel, CALL, tmp_path, env)


def test_auditwheel_sees_libc_in_a_module_that_calls_no_libc_function(
    py311: Interpreter, tools: Tools, env: dict[str, str], project_copy, tmp_path: Path,
) -> None:
    # flat-api's module only returns a constant: with --as-needed it would record no libc.
    wheel = build_wheel(tools(py311), project_copy("flat-api"), tmp_path / "dist", env)
    shown = run([Path(sys.executable).with_name("auditwheel"), "show", wheel], env=env)
    assert 'following platform tag: "manylinux_' in " ".join(shown.stdout.split()), shown
    so = next(p for p in _unzip(wheel, tmp_path / "x").rglob("*.so"))
    dynamic = run(["readelf", "-d", so]).stdout
    assert "libc.so.6" in dynamic
    assert "PATH" not in dynamic  # neither RPATH nor RUNPATH: no build-machine paths


def _unzip(wheel: Path, dest: Path) -> Path:
    with zipfile.ZipFile(wheel) as zf:
        zf.extractall(dest)
    return dest
