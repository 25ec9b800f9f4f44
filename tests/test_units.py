"""In-process unit tests of pure logic no other fast test reached: the checks on what builders
returned (modules/checks.py), SOURCE_DATE_EPOCH and the normalised sdist
(setuptools/reproducible.py), and the git excludes of editable builds (setuptools/git_ignore.py).
"""

from __future__ import annotations

import io
import shutil
import subprocess
import tarfile
from pathlib import Path

import pytest

from cffi_build_plugin.errors import ConfigError
from cffi_build_plugin.modules.builders import BuiltModule
from cffi_build_plugin.modules.checks import check_inputs_exist, check_modes, check_module_names
from cffi_build_plugin.modules.discovery import BuilderSpec, DeclaredModule
from cffi_build_plugin.modules.plan import PlannedModule
from cffi_build_plugin.setuptools.git_ignore import HEADER, ignore_in_git
from cffi_build_plugin.setuptools.reproducible import normalize_sdist, source_date_epoch

# -- modules/checks.py --------------------------------------------------------------------------


def built(spec: str, name: str, *, source: str | None = "int f(void);",
          declared_mode: str | None = None, **kwds: object) -> BuiltModule:
    parsed = BuilderSpec.parse(spec)
    declared = (DeclaredModule(parsed, name, declared_mode)  # type: ignore[arg-type]
                if declared_mode else None)
    planned = PlannedModule(parsed, "config", declared=declared)
    return BuiltModule(planned, object(), name, name, source, ".c", dict(kwds))


def test_a_builder_read_as_abi_mode_must_not_produce_c_source() -> None:
    assert check_modes([built("a.py:f", "pkg._a", declared_mode="ABI", source=None),
                        built("b.py:f", "pkg._b", declared_mode="API"),
                        built("c.py:f", "pkg._c")]) == []
    (problem,) = check_modes([built("a.py:f", "pkg._a", declared_mode="ABI")])
    assert problem.startswith("builder a.py:f reads as ABI mode (set_source(..., None)) but "
                              "produced C source")


def test_module_names_are_dotted_unique_and_inside_the_packages() -> None:
    assert check_module_names([built("a.py:f", "pkg._a"), built("b.py:f", "pkg.sub._b"),
                               built("c.py:f", "_top")], ["pkg", "pkg.sub"]) == []
    problems = check_module_names([built("a.py:f", "..pkg._a"), built("b.py:f", "pkg._b"),
                                   built("c.py:f", "pkg._b"), built("d.py:f", "other._d")],
                                  ["pkg"])
    assert problems == [
        "builder a.py:f: set_source() names the module '..pkg._a', which is not a dotted Python "
        'module name (like "mypkg._native")',
        "builders b.py:f and c.py:f both declare the module pkg._b; give each set_source() its "
        "own module name",
        "builder d.py:f: module other._d would go into package 'other', which this project does "
        "not have (its packages: pkg); fix the name in set_source() or the module's package "
        "setting",
    ]
    assert "(its packages: none)" in check_module_names([built("a.py:f", "p._a")], [])[0]


def test_a_module_name_with_a_trailing_newline_is_not_dotted() -> None:
    assert check_module_names([built("a.py:f", "pkg._a\n")], ["pkg"]) != []


def test_sources_and_project_include_dirs_must_exist(tmp_path: Path) -> None:
    (tmp_path / "src").mkdir()
    (tmp_path / "src/a.c").write_text("")
    (tmp_path / "include").mkdir()
    fine = built("a.py:f", "pkg._a", sources=["src/a.c"],
                 include_dirs=["include", "/usr/include/no-such-system-dir"])
    abi = built("b.py:f", "pkg._b", source=None, sources=["missing.c"])  # ABI: nothing compiled
    assert check_inputs_exist([fine, abi], tmp_path) == []
    broken = built("c.py:f", "pkg._c", sources=["src/a.c", "src/b.c"],
                   include_dirs=["inc", "src/a.c"])
    assert check_inputs_exist([broken], tmp_path) == [
        "builder c.py:f: source file 'src/b.c' does not exist (relative paths are taken from "
        "the project root)",
        "builder c.py:f: include dir 'inc' does not exist (relative paths are taken from the "
        "project root)",
        "builder c.py:f: include dir 'src/a.c' does not exist (relative paths are taken from "
        "the project root)",
    ]


# -- setuptools/reproducible.py -----------------------------------------------------------------


@pytest.mark.parametrize(("value", "expected"), [
    (None, None), ("", None), ("  ", None), ("0", 0), (" 1700000000\n", 1700000000)])
def test_source_date_epoch(monkeypatch: pytest.MonkeyPatch, value: str | None,
                           expected: int | None) -> None:
    if value is None:
        monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    else:
        monkeypatch.setenv("SOURCE_DATE_EPOCH", value)
    assert source_date_epoch() == expected


@pytest.mark.parametrize("value", ["yesterday", "-1", "1.5", "\u0661\u0662"])
def test_source_date_epoch_that_is_no_whole_number_is_a_config_error(
        monkeypatch: pytest.MonkeyPatch, value: str) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", value)
    with pytest.raises(ConfigError) as info:
        source_date_epoch()
    assert info.value.problems == [
        "SOURCE_DATE_EPOCH: expected a whole number of seconds since 1970 (for example the last "
        f"commit's: git log -1 --format=%ct), got {value!r}"]


def _sdist(path: Path, mtime: int, owner: str) -> Path:
    """A .tar.gz whose members come in no order, with their own times, owners and modes."""
    with tarfile.open(path, "w:gz") as tar:
        for name, mode, data in [("p-1/setup.py", 0o664, b"x"), ("p-1/configure", 0o775, b"#!"),
                                 ("p-1", 0o775, None), ("p-1/a/b.c", 0o600, b"int b;")]:
            info = tarfile.TarInfo(name)
            info.mtime, info.uname, info.gname, info.uid, info.gid = mtime, owner, owner, 7, 8
            info.mode = mode
            if data is None:
                info.type = tarfile.DIRTYPE
                tar.addfile(info)
            else:
                info.size = len(data)
                tar.addfile(info, io.BytesIO(data))
    return path


def test_normalized_sdists_of_the_same_files_are_the_same_bytes(tmp_path: Path) -> None:
    one = _sdist(tmp_path / "one.tar.gz", 1111, "ada")
    two = _sdist(tmp_path / "two.tar.gz", 2222, "bob")
    assert one.read_bytes() != two.read_bytes()
    for archive in (one, two):
        normalize_sdist(archive, 1700000000)
    assert one.read_bytes() == two.read_bytes()
    assert not list(tmp_path.glob("*.partial"))
    with tarfile.open(one) as tar:
        members = tar.getmembers()
        assert [m.name for m in members] == ["p-1", "p-1/a/b.c", "p-1/configure", "p-1/setup.py"]
        assert {(m.mtime, m.uid, m.gid, m.uname, m.gname) for m in members} == {
            (1700000000, 0, 0, "", "")}
        assert {m.name: m.mode for m in members} == {
            "p-1": 0o755, "p-1/a/b.c": 0o644, "p-1/configure": 0o755, "p-1/setup.py": 0o644}
        assert tar.extractfile("p-1/a/b.c").read() == b"int b;"  # type: ignore[union-attr]
    # The gzip header: no file name, the epoch as its time.
    header = one.read_bytes()[:10]
    assert header[3] & 0x08 == 0  # FNAME not set
    assert int.from_bytes(header[4:8], "little") == 1700000000


# -- setuptools/git_ignore.py -------------------------------------------------------------------


def _git(*args: str, cwd: Path) -> None:
    subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True)


@pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")
def test_untracked_built_modules_are_excluded_once(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    (repo / "pkg").mkdir(parents=True)
    _git("init", "-q", cwd=repo)
    (repo / ".gitignore").write_text("*.ignored.so\n")
    module, other = repo / "pkg/_a.abi3.so", repo / "pkg/_b.ignored.so"
    module.write_bytes(b"\x7fELF")
    other.write_bytes(b"\x7fELF")
    exclude = repo / ".git/info/exclude"
    exclude.write_text("# git's own comment")  # no final newline
    ignore_in_git([module, other, repo / "pkg/_missing.so"])
    assert exclude.read_text() == f"# git's own comment\n{HEADER}\n/pkg/_a.abi3.so\n"
    ignore_in_git([module, other])  # ignored now: nothing added twice
    assert exclude.read_text().count("/pkg/_a.abi3.so") == 1
    status = subprocess.run(["git", "status", "--porcelain"], cwd=repo, capture_output=True,
                            text=True, check=True).stdout
    assert "_a.abi3.so" not in status


def test_outside_a_work_tree_nothing_happens(tmp_path: Path) -> None:
    module = tmp_path / "_a.abi3.so"
    module.write_bytes(b"")
    ignore_in_git([module])
    ignore_in_git([])
    assert sorted(p.name for p in tmp_path.iterdir()) == ["_a.abi3.so"]
