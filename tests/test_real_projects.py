"""Real projects from PyPI, converted by ``cffi-build-plugin migrate``: pyvips (API mode over
the system libvips) and soundfile (ABI mode over libsndfile). Each is built from its sdist as
its own setup.py builds it and, converted, with the plugin; both wheels run the project's own
tests in fresh venvs, and every test that passes with the original build must pass with ours.
The results go side by side into build/real-projects-results.md (``python -m
devtools.real_projects`` prints the same table)."""

from __future__ import annotations

import ctypes.util
import os
import shutil
from pathlib import Path

import pytest

from devtools.venvs import run
from tests.conftest import Tools, need, unavailable
from tests.real_projects import (
    CASES,
    RESULTS_MD,
    Build,
    Case,
    Counts,
    DownloadError,
    Result,
    Sdist,
    compare_outcomes,
    fetch_sdist,
    interpreter,
    node_id,
    parse_junit,
    run_case,
    write_table,
)
from tests.wheels import PLATFORM

#: What our wheels leave out that the original ones ship: builder scripts.
DROPPED = {"pyvips": ["pyvips/pyvips_build.py"], "soundfile": []}
#: What our wheel adds: each cffi module's typed stub (both projects build top-level modules).
ADDED = {"pyvips": ["_libvips.pyi"], "soundfile": ["_soundfile.pyi"]}


def _param(case: Case) -> object:
    marks = [pytest.mark.slow]
    if case.interpreter.startswith("pypy"):
        marks.append(pytest.mark.pypy)
    return pytest.param(case, id=case.id, marks=marks)


def _system_library(case: Case) -> None:
    """The Debian packages scripts/setup-machine.sh installs, or unavailable()."""
    if case.sdist.name == "pyvips":
        pkg_config = shutil.which("pkg-config")
        if pkg_config is None or run([pkg_config, "--exists", "vips"], check=False).returncode:
            unavailable("libvips' headers are not installed (Debian: libvips-dev)")
    elif ctypes.util.find_library("sndfile") is None:
        unavailable("libsndfile is not installed (Debian: libsndfile1)")


def _record(result: Result, factory: pytest.TempPathFactory) -> str:
    """Add *result* to this run's rows (shared by xdist's workers) and rewrite the table."""
    base = factory.getbasetemp()
    if os.environ.get("PYTEST_XDIST_WORKER"):
        base = base.parent  # pytest-N/popen-gwK: one folder per run
    rows = base / "real-projects"
    rows.mkdir(exist_ok=True)
    (rows / f"{result.case}.json").write_text(result.to_json())
    results = [Result.from_json(p.read_text()) for p in sorted(rows.glob("*.json"))]
    return write_table(results, rows / "results.md", RESULTS_MD)


@pytest.mark.parametrize("case", [_param(c) for c in CASES])
def test_real_project(case: Case, tools: Tools, env: dict[str, str], tmp_path: Path,
                      tmp_path_factory: pytest.TempPathFactory) -> None:
    interp = need(interpreter(case.interpreter), case.interpreter)
    _system_library(case)
    try:
        fetch_sdist(case.sdist)
    except DownloadError as exc:
        unavailable(str(exc))
    result = run_case(case, interp, tools(interp), tmp_path, env)
    print(_record(result, tmp_path_factory))  # shown with -rP, or when the test fails
    assert not result.ours.error, result.ours.error

    expected_tag = f"{case.ours_tag}-{'any' if case.ours_tag == 'py3-none' else PLATFORM}"
    assert result.ours.tag == expected_tag, result.migrate_output
    if case.sdist.name == "pyvips":
        assert result.ours.probe == "True"  # pyvips.API_mode: the compiled _libvips loaded
    else:  # the generated ABI-mode module, and the libsndfile it opened
        assert result.ours.probe.startswith("_cffi_backend 1."), result.ours.probe
    if not result.original.error:
        assert result.ours.probe == result.original.probe
    ours = Counts.of(result.ours.effective())
    assert ours.passed > 0, result.ours.outcomes
    if result.original.error:
        # Nothing to compare with: ours must pass all it runs.
        assert ours.failed == ours.errors == 0, result.ours.outcomes
        return
    assert result.metadata_diffs == []
    assert result.files_only_original == DROPPED[case.sdist.name]
    assert result.files_only_ours == ADDED[case.sdist.name]
    assert compare_outcomes(result.original.effective(), result.ours.effective()) == []


# --- the helpers themselves (fast) ---------------------------------------------------------

def test_parse_junit_and_compare(tmp_path: Path) -> None:
    report = tmp_path / "junit.xml"
    report.write_text("""<?xml version="1.0" encoding="utf-8"?>
<testsuites><testsuite name="pytest">
<testcase classname="tests.test_a" name="test_ok" time="0.1"/>
<testcase classname="tests.test_a" name="test_bad"><failure message="x"/></testcase>
<testcase classname="tests.test_a" name="test_skip"><skipped message="no"/></testcase>
<testcase classname="tests.test_a" name="test_teardown"/>
<testcase classname="tests.test_a" name="test_teardown"><error message="t"/></testcase>
<testcase classname="" name="tests.test_b"><error message="collection"/></testcase>
</testsuite></testsuites>""")
    outcomes = parse_junit(report)
    assert outcomes == {
        "tests.test_a::test_ok": "passed",
        "tests.test_a::test_bad": "failed",
        "tests.test_a::test_skip": "skipped",
        "tests.test_a::test_teardown": "error",
        "::tests.test_b": "error",
    }
    ours = {**outcomes, "tests.test_a::test_ok": "skipped", "tests.test_a::test_bad": "passed"}
    assert compare_outcomes(outcomes, ours) == ["tests.test_a::test_ok: skipped"]
    assert compare_outcomes(outcomes, {}) == ["tests.test_a::test_ok: not run"]


def test_a_cached_sdist_with_another_hash_is_refused(tmp_path: Path) -> None:
    sdist = Sdist("demo", "1.0", "https://files.example/demo-1.0.tar.gz", "0" * 64)
    (tmp_path / "demo-1.0.tar.gz").write_bytes(b"not the pinned file")
    with pytest.raises(RuntimeError, match="expected 0000"):
        fetch_sdist(sdist, tmp_path)


def test_node_id(tmp_path: Path) -> None:
    (tmp_path / "tests" / "sub").mkdir(parents=True)
    (tmp_path / "tests" / "test_a.py").touch()
    (tmp_path / "tests" / "sub" / "test_b.py").touch()
    assert node_id(tmp_path, "tests.test_a.TestX::test_y[1-2]") == \
        "tests/test_a.py::TestX::test_y[1-2]"
    assert node_id(tmp_path, "tests.sub.test_b::test_z") == "tests/sub/test_b.py::test_z"


def test_results_table_and_its_json_round_trip(tmp_path: Path) -> None:
    original = Build("p-1-cp39-cp39-linux_x86_64.whl", "cp39-cp39-linux_x86_64",
                     {"t::a": "passed", "t::b": "failed", "t::c": "skipped"}, probe="True")
    ours = Build("p-1-cp37-abi3-linux_x86_64.whl", "cp37-abi3-linux_x86_64",
                 {"t::a": "passed", "t::b": "failed", "t::c": "error"}, ["t::b"], "True")
    result = Result("pyvips-3.2.0-cpython3.9", "pyvips", "3.2.0", "cpython3.9", original,
                    ours, files_only_original=["pyvips/pyvips_build.py"])
    assert Result.from_json(result.to_json()) == result
    assert Counts.of(ours.effective()) == Counts(passed=2, errors=1)
    text = write_table([result], tmp_path / "table.md")
    assert (tmp_path / "table.md").read_text() == text
    assert ("| pyvips | 3.2.0 | cpython3.9 | 1/1/1/0 | 1/1/0/1 (+1 passed on rerun) "
            "| cp39-cp39-linux_x86_64 | cp37-abi3-linux_x86_64 |") in text
    assert "ours: passed when run again: t::b" in text
    assert "only in the original wheel: pyvips/pyvips_build.py" in text
