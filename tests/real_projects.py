"""Real PyPI projects, built twice: as their sdist builds them, and converted by
``cffi-build-plugin migrate`` and built with the plugin. Both wheels run the project's own
test suite in fresh venvs; the results are recorded side by side.

Used by tests/test_real_projects.py (one test per project and interpreter) and by
``python -m devtools.real_projects`` (the same table, for release notes).
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sys
import tarfile
import tempfile
import urllib.request
import xml.etree.ElementTree as ET
import zipfile
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path

from devtools.interpreters import Interpreter, cpython, pypy
from devtools.venvs import ROOT, isolated_build, run, venv_python
from tests.metadata_compare import DistInfo, metadata_text_differences

__all__ = [
    "CASES",
    "RESULTS_MD",
    "Build",
    "Case",
    "Counts",
    "DownloadError",
    "Result",
    "Sdist",
    "compare_outcomes",
    "fetch_sdist",
    "interpreter",
    "node_id",
    "parse_junit",
    "results_table",
    "run_case",
    "write_table",
]

#: Where the table of the last run is written (build/ is git-ignored).
RESULTS_MD = ROOT / "build" / "real-projects-results.md"

@dataclass(frozen=True)
class Sdist:
    """A pinned sdist on PyPI: the hash is checked on every download."""

    name: str
    version: str
    url: str
    sha256: str

    @property
    def filename(self) -> str:
        return self.url.rsplit("/", 1)[1]


PYVIPS = Sdist(
    "pyvips", "3.2.0",
    "https://files.pythonhosted.org/packages/df/f3/"
    "90993aab504fa2e1f28fcc09aa16b6ea4f00e75a037d9136e737855833e2/pyvips-3.2.0.tar.gz",
    "5fa47cdce4e7f450747c118c12fde913e0710850c6015d8ec4f5af490003a347",
)
SOUNDFILE_0_13 = Sdist(
    "soundfile", "0.13.1",
    "https://files.pythonhosted.org/packages/e1/41/"
    "9b873a8c055582859b239be17902a85339bec6a30ad162f98c9b0288a2cc/soundfile-0.13.1.tar.gz",
    "b2c68dab1e30297317080a5b43df57e302584c49e2942defdde0acccc53f0e5b",
)
SOUNDFILE_0_14 = Sdist(  # requires-python >= 3.10
    "soundfile", "0.14.0",
    "https://files.pythonhosted.org/packages/d2/db/"
    "949331952a6fb1c5b12e9de80fd08747966c2039d1a61db4764fbd3981c2/soundfile-0.14.0.tar.gz",
    "ba1c1a2d618bca5c406647c83b89f07cc8810fa506a50622a6993ba130c1de11",
)

# Test dependencies, binary wheels only, pinned to releases that have wheels for the
# interpreter (numpy 2.0.2 is the last for 3.9 and has pp39 wheels; 2.1.3 has cp313 ones).
_PYTEST = "pytest==8.4.2"
_NUMPY_39 = "numpy==2.0.2"
_NUMPY_313 = "numpy==2.1.3"
_PILLOW = "pillow==11.0.0"  # pyvips' PIL tests; cp39, cp313 and pp39 wheels


@dataclass(frozen=True)
class Case:
    """One project built and tested with one interpreter."""

    sdist: Sdist
    interpreter: str  # Interpreter.name: cpython3.9, cpython3.13, pypy3.9
    test_deps: tuple[str, ...]
    ours_tag: str  # the interpreter-abi part of our wheel's tag
    #: Code whose output shows what was built: pyvips.API_mode, or soundfile's ffi.
    probe: str

    @property
    def id(self) -> str:
        return f"{self.sdist.name}-{self.sdist.version}-{self.interpreter}"


_PYVIPS_PROBE = "import pyvips; print(pyvips.API_mode)"
_SOUNDFILE_PROBE = ("import soundfile, _soundfile; "
                    "print(type(_soundfile.ffi).__module__, soundfile.__libsndfile_version__)")

CASES: tuple[Case, ...] = (
    # requires-python >= 3.7: one abi3 wheel whose floor is 3.7, from any CPython.
    Case(PYVIPS, "cpython3.9", (_PYTEST, _NUMPY_39, _PILLOW), "cp37-abi3", _PYVIPS_PROBE),
    Case(PYVIPS, "cpython3.13", (_PYTEST, _NUMPY_313, _PILLOW), "cp37-abi3", _PYVIPS_PROBE),
    Case(PYVIPS, "pypy3.9", (_PYTEST, _NUMPY_39, _PILLOW), "pp39-pypy39_pp73", _PYVIPS_PROBE),
    Case(SOUNDFILE_0_13, "cpython3.9", (_PYTEST, _NUMPY_39), "py3-none", _SOUNDFILE_PROBE),
    Case(SOUNDFILE_0_13, "pypy3.9", (_PYTEST, _NUMPY_39), "py3-none", _SOUNDFILE_PROBE),
    Case(SOUNDFILE_0_14, "cpython3.13", (_PYTEST, _NUMPY_313), "py3-none", _SOUNDFILE_PROBE),
)


def interpreter(name: str) -> Interpreter | None:
    """The interpreter a case names, if this machine has it."""
    if name.startswith("pypy"):
        return pypy()
    return cpython(int(name.split(".")[1]))


# --- sdists ------------------------------------------------------------------------------

def _cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "cffi-build-plugin" / "sdists"


class DownloadError(RuntimeError):
    """PyPI could not be reached (a skip locally, a failure in CI)."""


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def fetch_sdist(sdist: Sdist, cache: Path | None = None) -> Path:
    """The sdist from the cache, else downloaded into it; its sha256 is always checked."""
    cache = cache or _cache_dir()
    cache.mkdir(parents=True, exist_ok=True)
    path = cache / sdist.filename
    if not path.exists():
        # A private name, then a rename: parallel workers never see half a file.
        fd, tmp_name = tempfile.mkstemp(dir=cache, prefix=f".{sdist.filename}.")
        tmp = Path(tmp_name)
        try:
            with os.fdopen(fd, "wb") as out, urllib.request.urlopen(sdist.url, timeout=60) as r:
                shutil.copyfileobj(r, out)
        except OSError as exc:
            tmp.unlink(missing_ok=True)
            raise DownloadError(f"cannot download {sdist.url}: {exc}") from exc
        if _sha256(tmp) != sdist.sha256:
            tmp.unlink()
            raise RuntimeError(f"{sdist.url}: sha256 is not the pinned {sdist.sha256}")
        tmp.chmod(0o644)
        tmp.replace(path)
    digest = _sha256(path)
    if digest != sdist.sha256:
        raise RuntimeError(f"{path}: sha256 {digest}, expected {sdist.sha256}; delete it")
    return path


def unpack(archive: Path, dest: Path) -> Path:
    """The sdist's top folder, unpacked under *dest*."""
    dest.mkdir(parents=True, exist_ok=True)
    with tarfile.open(archive) as tf:
        if hasattr(tarfile, "data_filter"):
            tf.extractall(dest, filter="data")
        else:  # pragma: no cover - Python < 3.11.4
            tf.extractall(dest)  # a pinned, hash-checked archive
    (top,) = dest.iterdir()
    return top


# --- the project's tests, run from outside its source tree --------------------------------

# pyvips' sdist ships tests/ but not upstream's tests/conftest.py, tests/helpers/ and
# tests/images/, so five of its eight test files cannot even be collected. These stand-ins
# restore the helpers (upstream's, trimmed to the names the tests import) and make images of
# the sizes the tests check with libvips itself. The same files serve both builds.
_PYVIPS_CONFTEST = '''\
# Written by cffi-build-plugin's tests/real_projects.py (not part of pyvips' sdist).
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.append(os.path.join(HERE, "helpers"))

SVG = """<svg xmlns="http://www.w3.org/2000/svg" width="64" height="48">
<rect width="64" height="48" fill="#3366cc"/><circle cx="32" cy="24" r="16" fill="#ffcc00"/>
</svg>
"""


def _sample(pyvips, width, height):
    xy = pyvips.Image.xyz(width, height)
    x, y = xy[0], xy[1]
    bands = (x * 255 / width).bandjoin([y * 255 / height, (x + y) % 256])
    return bands.cast("uchar").copy(interpretation="srgb")


def _make_images():
    import pyvips

    images = os.path.join(HERE, "images")
    if os.path.isdir(images):
        return
    os.mkdir(images)
    # Upstream's sample.jpg is 1024x768 sRGB and sample.webp 550x368.
    _sample(pyvips, 1024, 768).write_to_file(os.path.join(images, "sample.jpg"))
    if pyvips.type_find("VipsOperation", "webpsave") != 0:
        _sample(pyvips, 550, 368).write_to_file(os.path.join(images, "sample.webp"))
    with open(os.path.join(images, "logo.svg"), "w") as f:
        f.write(SVG)


_make_images()
'''

_PYVIPS_HELPERS = '''\
# From pyvips' repository, tests/helpers/helpers.py (MIT licence), which its sdist does not
# ship; trimmed to the names the sdist's tests import.
import os
import tempfile

import pytest

import pyvips

IMAGES = os.path.join(os.path.dirname(__file__), os.pardir, 'images')
JPEG_FILE = os.path.join(IMAGES, "sample.jpg")
WEBP_FILE = os.path.join(IMAGES, "sample.webp")
SVG_FILE = os.path.join(IMAGES, "logo.svg")
UHDR_FILE = os.path.join(IMAGES, "ultra-hdr.jpg")


def zip_expand(x, y):
    if isinstance(x, list) and len(x) == 1:
        x = x[0]
    if isinstance(y, list) and len(y) == 1:
        y = y[0]
    if isinstance(x, list) and isinstance(y, list):
        return list(zip(x, y))
    elif isinstance(x, list):
        return [[i, y] for i in x]
    elif isinstance(y, list):
        return [[x, j] for j in y]
    else:
        return [[x, y]]


def temp_filename(directory, suffix):
    temp_name = next(tempfile._get_candidate_names())
    return os.path.join(directory, temp_name + suffix)


def have(name):
    return pyvips.type_find("VipsOperation", name) != 0


def skip_if_no(operator_name):
    return pytest.mark.skipif(not have(operator_name),
                              reason='no {}, skipping test'.format(operator_name))


def assert_almost_equal_objects(a, b, threshold=0.0001, msg=''):
    assert all([pytest.approx(x, abs=threshold) == y
                for x, y in zip_expand(a, b)]), msg
'''


def prepare_tests(sdist: Sdist, source: Path, dest: Path) -> Path:
    """A folder holding a copy of the sdist's ``tests/`` (with its data files), outside the
    source tree, so only the installed package can be imported (soundfile.py sits at
    soundfile's sdist root). soundfile's tests open ``tests/mono.wav`` relative to the
    current directory, so the suite runs from this folder."""
    dest.mkdir(parents=True)
    shutil.copytree(source / "tests", dest / "tests",
                    ignore=shutil.ignore_patterns("__pycache__"))
    # Pins pytest's rootdir here: no ini file of a parent folder or of the project applies.
    (dest / "pytest.ini").write_text("[pytest]\n")
    if sdist.name == "pyvips":
        (dest / "tests" / "conftest.py").write_text(_PYVIPS_CONFTEST)
        (dest / "tests" / "helpers").mkdir()
        (dest / "tests" / "helpers" / "helpers.py").write_text(_PYVIPS_HELPERS)
    return dest


OUTCOMES = ("passed", "failed", "skipped", "error")


def parse_junit(path: Path) -> dict[str, str]:
    """Each test id (``classname::name``) of a ``--junitxml`` report and its outcome: one of
    passed, failed, skipped, error. A collection error is a test of its own."""
    outcomes: dict[str, str] = {}
    for case in ET.parse(path).getroot().iter("testcase"):
        test_id = f"{case.get('classname', '')}::{case.get('name', '')}"
        tags = {child.tag for child in case}
        if "error" in tags:
            outcome = "error"
        elif "failure" in tags:
            outcome = "failed"
        elif "skipped" in tags:
            outcome = "skipped"
        else:
            outcome = "passed"
        # A test that passed and then failed in teardown is reported twice: keep the worst.
        previous = outcomes.get(test_id)
        if previous is None or OUTCOMES.index(outcome) > OUTCOMES.index(previous):
            outcomes[test_id] = outcome
    return outcomes


@dataclass(frozen=True)
class Counts:
    passed: int = 0
    failed: int = 0
    skipped: int = 0
    errors: int = 0

    @classmethod
    def of(cls, outcomes: Mapping[str, str]) -> Counts:
        values = list(outcomes.values())
        return cls(values.count("passed"), values.count("failed"), values.count("skipped"),
                   values.count("error"))

    def __str__(self) -> str:
        return f"{self.passed}/{self.failed}/{self.skipped}/{self.errors}"


def compare_outcomes(original: Mapping[str, str], ours: Mapping[str, str]) -> list[str]:
    """The tests that pass with the original build but not with ours, with our outcome."""
    return [f"{test}: {ours.get(test, 'not run')}" for test, outcome in original.items()
            if outcome == "passed" and ours.get(test) != "passed"]


def node_id(folder: Path, test_id: str) -> str:
    """The pytest node id of a junit test id (``tests.test_x.Class::name``) of a suite run
    from *folder*: the longest dotted prefix of the class name that is a file there is the
    module, the rest are classes."""
    classname, name = test_id.split("::", 1)
    parts = classname.split(".")
    for i in range(len(parts), 0, -1):
        module = Path(*parts[:i]).with_suffix(".py")
        if (folder / module).is_file():
            return "::".join([module.as_posix(), *parts[i:], name])
    raise ValueError(f"no module of {test_id} in {folder}")


# --- wheels ------------------------------------------------------------------------------

def wheel_files(wheel: Path) -> set[str]:
    with zipfile.ZipFile(wheel) as zf:
        return {n for n in zf.namelist() if ".dist-info/" not in n and not n.endswith("/")}


def full_tag(wheel: Path) -> str:
    """The wheel's tag as its name spells it: cp37-abi3-linux_x86_64, py3-none-any."""
    return "-".join(wheel.name.removesuffix(".whl").rsplit("-", 3)[-3:])


# --- one case ----------------------------------------------------------------------------

@dataclass
class Build:
    """One wheel (or its failure) and what its tests did."""

    wheel: str | None = None
    tag: str = "-"
    outcomes: dict[str, str] = field(default_factory=dict)
    #: Tests that did not pass in the full run but passed when run again on their own.
    passed_on_rerun: list[str] = field(default_factory=list)
    probe: str = ""
    error: str = ""

    @property
    def counts(self) -> Counts:
        """The full run's counts (the table's), reruns aside."""
        return Counts.of(self.outcomes)

    def effective(self) -> dict[str, str]:
        """Each test's outcome, counting a pass on a rerun as a pass."""
        return {**self.outcomes, **dict.fromkeys(self.passed_on_rerun, "passed")}


@dataclass
class Result:
    case: str
    project: str
    version: str
    interpreter: str
    original: Build
    ours: Build
    migrate_output: str = ""
    metadata_diffs: list[str] = field(default_factory=list)
    files_only_original: list[str] = field(default_factory=list)
    files_only_ours: list[str] = field(default_factory=list)

    def to_json(self) -> str:
        return json.dumps(asdict(self), indent=1)

    @classmethod
    def from_json(cls, text: str) -> Result:
        data = json.loads(text)
        data["original"] = Build(**data["original"])
        data["ours"] = Build(**data["ours"])
        return cls(**data)


def _install(interp: Interpreter, venv: Path, packages: Sequence[str],
             env: Mapping[str, str]) -> Path:
    """A fresh venv of *interp* with *packages*, binary wheels only. PyPy's venvs use pip,
    which sees the cffi PyPy bundles (uv does not, and would build cffi from PyPI)."""
    if interp.is_pypy:
        run([interp.executable, "-m", "venv", venv], env=env)
        python = venv_python(venv)
        run([python, "-m", "pip", "install", "-q", "--only-binary", ":all:", *packages],
            env=env)
        where = run([python, "-c", "import cffi; print(cffi.__file__)"], env=env).stdout
        if "site-packages" in where:
            raise RuntimeError(f"cffi from PyPI was installed on PyPy: {where.strip()}")
        return python
    uv = shutil.which("uv") or str(Path(sys.executable).parent / "uv")
    run([uv, "venv", "-q", "--python", interp.executable, venv], env=env)
    python = venv_python(venv)
    run([uv, "pip", "install", "-q", "--python", python, "--only-binary", ":all:", *packages],
        env=env)
    return python


def _pytest(python: Path, folder: Path, junit: Path, env: Mapping[str, str],
            tests: Sequence[str] = ("tests",)) -> dict[str, str]:
    """Run pytest in *folder*; each test's outcome, from its junit report."""
    proc = run([python, "-m", "pytest", "-p", "no:cacheprovider", "-q", "-o",
                "junit_family=xunit2", f"--junitxml={junit}", *tests],
               cwd=folder, env=env, check=False)
    junit.with_suffix(".log").write_text(proc.stdout + proc.stderr)
    if not junit.exists():
        raise RuntimeError(f"pytest wrote no report ({proc.returncode}):\n"
                           f"{proc.stdout}\n{proc.stderr}")
    return parse_junit(junit)


@dataclass(frozen=True)
class _Suite:
    """Where a build's tests ran: its venv's python and the folder holding tests/."""

    python: Path
    folder: Path
    work: Path


def _test(case: Case, interp: Interpreter, wheel: Path, source: Path, work: Path,
          env: Mapping[str, str], build: Build) -> _Suite:
    """Install *wheel* with the test dependencies and run the sdist's tests; fills *build*."""
    python = _install(interp, work / "venv", [str(wheel), *case.test_deps], env)
    empty = work / "empty"
    empty.mkdir()
    build.probe = run([python, "-c", case.probe], cwd=empty, env=env).stdout.strip()
    folder = prepare_tests(case.sdist, source, work / "run")
    build.outcomes = _pytest(python, folder, work / "junit.xml", env)
    return _Suite(python, folder, work)


def _rerun(suite: _Suite, build: Build, tests: Iterable[str], env: Mapping[str, str]) -> None:
    """Run again, on their own and up to twice, the *tests* that did not pass in the full
    run: a few are timing-dependent (pyvips' test_progress counts libvips' progress
    signals, which a loaded machine may not send) and PyPy 3.9 has been seen to fail
    pytest's assertion rewriting of a whole file once ("expected some sort of stmt")."""
    for attempt in (1, 2):
        nodes = {}
        for test in sorted(tests):
            if build.effective().get(test) != "passed":
                try:
                    nodes[test] = node_id(suite.folder, test)
                except ValueError:  # a collection error: no test of its own to run
                    continue
        if not nodes:
            return
        again = _pytest(suite.python, suite.folder, suite.work / f"rerun-{attempt}.xml", env,
                        list(nodes.values()))
        build.passed_on_rerun += [t for t in nodes if again.get(t) == "passed"]


def _migrate(project: Path, python: Path, env: Mapping[str, str]) -> str:
    """``python -m cffi_build_plugin migrate PROJECT`` (which must succeed); its output."""
    proc = run([python, "-m", "cffi_build_plugin", "migrate", project], env=env)
    return proc.stdout + proc.stderr


def run_case(case: Case, interp: Interpreter, tool_python: Path, work: Path,
             env: Mapping[str, str], migrate_python: Path | None = None) -> Result:
    """Build *case*'s sdist both ways with *tool_python* (a venv with ``build``), test both.

    A build that fails (migrate, build, install, a test run that cannot start) is recorded
    in its ``error`` with the whole output, never raised: the original may fail, and a
    failure of ours is for the caller to report.
    """
    sdist = case.sdist
    source = unpack(fetch_sdist(sdist), work / "sdist")
    result = Result(case.id, sdist.name, sdist.version, case.interpreter, Build(), Build())

    # Original: the sdist as users build it, in an isolated environment.
    original = work / "original"
    original_wheel: Path | None = None
    original_suite: _Suite | None = None
    try:
        shutil.copytree(source, original / "src")
        isolated_build(tool_python, original / "src", original / "dist", env=env)
        (original_wheel,) = (original / "dist").glob("*.whl")
        result.original.wheel = original_wheel.name
        result.original.tag = full_tag(original_wheel)
        original_suite = _test(case, interp, original_wheel, source, original, env,
                               result.original)
    except Exception as exc:
        result.original.error = str(exc) or type(exc).__name__

    # Ours: migrate a copy, build it with the plugin (found through env's PIP_FIND_LINKS).
    ours = work / "ours"
    try:
        shutil.copytree(source, ours / "src")
        result.migrate_output = _migrate(ours / "src", migrate_python or Path(sys.executable),
                                         env)
        isolated_build(tool_python, ours / "src", ours / "dist", env=env)
        (wheel,) = (ours / "dist").glob("*.whl")
        result.ours.wheel, result.ours.tag = wheel.name, full_tag(wheel)
        if original_wheel is not None:
            result.metadata_diffs = metadata_text_differences(
                DistInfo.from_wheel(original_wheel).metadata, DistInfo.from_wheel(wheel).metadata)
            before, after = wheel_files(original_wheel), wheel_files(wheel)
            result.files_only_original = sorted(before - after)
            result.files_only_ours = sorted(after - before)
        ours_suite = _test(case, interp, wheel, source, ours, env, result.ours)
    except Exception as exc:
        result.ours.error = str(exc) or type(exc).__name__
        return result

    # Every test either build ran gets a second chance in both: flaky tests count for
    # neither side.
    tests = result.original.outcomes.keys() | result.ours.outcomes.keys()
    if original_suite is not None:
        _rerun(original_suite, result.original, tests, env)
    _rerun(ours_suite, result.ours, tests, env)
    return result


# --- the table ---------------------------------------------------------------------------

def _first_line(text: str) -> str:
    return (text.strip().splitlines() or [""])[0]


def _ordered(results: Iterable[Result]) -> list[Result]:
    order = {c.id: i for i, c in enumerate(CASES)}
    return sorted(results, key=lambda r: order.get(r.case, len(order)))


def _column(build: Build) -> str:
    if build.error:
        return "failed: " + _first_line(build.error)[:60]
    rerun = f" (+{len(build.passed_on_rerun)} passed on rerun)" if build.passed_on_rerun else ""
    return f"{build.counts}{rerun}"


def _some(names: Sequence[str], most: int = 8) -> str:
    shown = ", ".join(names[:most])
    return shown + (f" and {len(names) - most} more" if len(names) > most else "")


def results_table(results: Iterable[Result]) -> str:
    """A Markdown table: one row per case, the original build beside ours."""
    rows = _ordered(results)
    lines = [
        "| project | version | interpreter | original (passed/failed/skipped/errors) "
        "| ours (passed/failed/skipped/errors) | tag original | tag ours |",
        "| --- | --- | --- | --- | --- | --- | --- |",
    ]
    lines += [f"| {r.project} | {r.version} | {r.interpreter} | {_column(r.original)} "
              f"| {_column(r.ours)} | {r.original.tag} | {r.ours.tag} |" for r in rows]
    return "\n".join(lines) + "\n"


def _details(results: Sequence[Result]) -> str:
    """What the table cannot show: tests that did not pass, metadata and file differences."""
    out = []
    for r in results:
        notes = []
        for label, build in (("original", r.original), ("ours", r.ours)):
            bad = sorted(t for t, o in build.outcomes.items() if o in ("failed", "error"))
            if build.error:
                notes.append(f"{label} build: {_first_line(build.error)}")
            if bad:
                notes.append(f"{label}: not passing: {_some(bad)}")
            if build.passed_on_rerun:
                notes.append(f"{label}: passed when run again: {_some(build.passed_on_rerun)}")
        notes += [f"metadata: {d}" for d in r.metadata_diffs]
        if r.files_only_original:
            notes.append(f"only in the original wheel: {', '.join(r.files_only_original)}")
        if r.files_only_ours:
            notes.append(f"only in our wheel: {', '.join(r.files_only_ours)}")
        if notes:
            out.append(f"- {r.case}: " + "; ".join(notes))
    return ("\n" + "\n".join(out) + "\n") if out else ""


def write_table(results: Sequence[Result], *paths: Path) -> str:
    """The table and its notes, written to each of *paths* (atomically: parallel test
    workers rewrite it as their cases finish); returned too."""
    ordered = _ordered(results)
    text = results_table(ordered) + _details(ordered)
    for path in paths:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
        with os.fdopen(fd, "w") as f:
            f.write(text)
        Path(tmp).chmod(0o644)
        Path(tmp).replace(path)
    return text
