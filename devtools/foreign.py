"""Python interpreters this machine cannot run natively: an older glibc, and aarch64.

Each one is unpacked from Debian packages into a cache folder, once: a private apt
configuration (the machine's own sources and architectures are never touched) runs
``apt-get update`` and ``apt-get download``, and ``dpkg -x`` unpacks every ``.deb`` into
a root folder. No container runtime is involved:

* bullseye (glibc 2.31) runs through its own loader (ld-2.31.so) with ``--library-path``;
* arm64 runs under ``qemu-aarch64-static -L ROOT`` (binfmt_misc is not needed).

CPython gets cffi from its PyPI wheel on ``PYTHONPATH``; PyPy bundles its own cffi.
The cache is ``~/.cache/cffi-build-plugin/foreign/<name>`` unless
``CFFI_BUILD_PLUGIN_FOREIGN_CACHE`` names another folder; concurrent callers (pytest-xdist
workers) wait on a file lock, and a root appears only when complete (built aside, renamed).
"""

from __future__ import annotations

import fcntl
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import zipfile
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from .process import run

__all__ = [
    "CACHE_ENV",
    "MIRROR_ENV",
    "ForeignPython",
    "ForeignUnavailable",
    "bookworm_aarch64_cpython",
    "bookworm_aarch64_pypy",
    "bullseye_x86_64",
    "cache_dir",
    "check_apt_tools",
    "download_debs",
    "download_source",
    "ensure_home",
    "locked",
    "private_apt",
    "run_with_wheel",
]

CACHE_ENV = "CFFI_BUILD_PLUGIN_FOREIGN_CACHE"
MIRROR_ENV = "CFFI_BUILD_PLUGIN_DEBIAN_MIRROR"
CFFI = ("cffi==2.0.0", "pycparser==2.23")  # pycparser: ffi.cdef() parses with it
KEYRING = Path("/usr/share/keyrings/debian-archive-keyring.gpg")
QEMU = "qemu-aarch64-static"
RUN_TIMEOUT = 300.0  # seconds; under qemu a run takes 0.2-1 s (1.5-4 s while .pyc are written)


class ForeignUnavailable(Exception):
    """A foreign interpreter cannot be had here; *reason* says what is missing and how
    to get it."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class ForeignPython:
    """An unpacked interpreter: run ``[*argv, "-c", code]`` with *env* added."""

    name: str  # e.g. "bookworm-cpython3.11-aarch64"
    root: Path  # the unpacked Debian packages
    argv: tuple[str, ...]  # the command prefix that starts its python
    env: Mapping[str, str] = field(default_factory=dict, hash=False)
    cffi: Path | None = None  # a folder holding cffi for it; None: bundled (PyPy)


@dataclass(frozen=True)
class _Recipe:  # what to download for one ForeignPython
    name: str
    suite: str  # Debian release
    arch: str  # Debian architecture
    packages: tuple[str, ...]
    python: str  # the interpreter, relative to the root
    cffi_platform: str | None  # pip's --platform for the cffi wheel; None: PyPy's own
    python_version: str  # X.Y

    def key(self) -> str:
        """What the cached root was made from; a different recipe remakes it."""
        return repr((self.suite, self.arch, self.packages, self.python, self.cffi_platform, CFFI))


_Argv = Callable[[Path, _Recipe], tuple[str, ...]]  # the command prefix, given the root


_BULLSEYE = _Recipe(
    name="bullseye-cpython3.9-x86_64", suite="bullseye", arch="amd64",
    packages=("libc6", "libgcc-s1", "python3.9-minimal", "libpython3.9-minimal",
              "libpython3.9-stdlib", "libexpat1", "zlib1g", "libffi7"),
    python="usr/bin/python3.9", cffi_platform="manylinux_2_17_x86_64", python_version="3.9",
)
_BOOKWORM_CPYTHON = _Recipe(
    name="bookworm-cpython3.11-aarch64", suite="bookworm", arch="arm64",
    packages=("libc6", "libgcc-s1", "python3.11-minimal", "libpython3.11-minimal",
              "libpython3.11-stdlib", "libexpat1", "zlib1g", "libffi8"),
    python="usr/bin/python3.11", cffi_platform="manylinux_2_17_aarch64", python_version="3.11",
)
_BOOKWORM_PYPY = _Recipe(
    name="bookworm-pypy3.9-aarch64", suite="bookworm", arch="arm64",
    # pypy3's Pre-Depends: libpypy3.9-c.so and its extension modules link all of these.
    packages=("pypy3", "pypy3-lib", "libc6", "libgcc-s1", "libexpat1", "zlib1g", "libffi8",
              "libbz2-1.0", "libgdbm6", "liblzma5", "libncursesw6", "libtinfo6",
              "libsqlite3-0", "libssl3"),
    python="usr/bin/pypy3", cffi_platform=None, python_version="3.9",
)


def bullseye_x86_64() -> ForeignPython:
    """Debian 11's CPython 3.9 on glibc 2.31, started through its own loader."""
    if platform.machine() != "x86_64":
        raise ForeignUnavailable(f"{_BULLSEYE.name} runs on x86_64 hosts only")
    home = _ensure(_BULLSEYE, _loader_argv)
    return _foreign(_BULLSEYE, home, _loader_argv(home / "root", _BULLSEYE))


def bookworm_aarch64_cpython() -> ForeignPython:
    """Debian 12's arm64 CPython 3.11 under qemu-aarch64-static."""
    return _qemu_python(_BOOKWORM_CPYTHON)


def bookworm_aarch64_pypy() -> ForeignPython:
    """Debian 12's arm64 PyPy 3.9 (7.3.11, bundled cffi 1.15.1) under qemu-aarch64-static."""
    return _qemu_python(_BOOKWORM_PYPY)


def run_with_wheel(py: ForeignPython, wheel: Path, code: str,
                   workdir: Path) -> subprocess.CompletedProcess[str]:
    """Unpack *wheel* into ``workdir/site`` and run *code* there from an empty folder, with
    the wheel (and cffi) on PYTHONPATH; the finished process is returned, not checked."""
    site = workdir / "site"
    with zipfile.ZipFile(wheel) as zf:
        zf.extractall(site)
    cwd = workdir / "cwd"
    cwd.mkdir(parents=True, exist_ok=True)
    path = [str(site)] + ([str(py.cffi)] if py.cffi else [])
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTHON")}
    env.update(py.env)
    env["PYTHONPATH"] = os.pathsep.join(path)
    return run([*py.argv, "-c", code], cwd=cwd, env=env, check=False, timeout=RUN_TIMEOUT)


# -- making the roots ---------------------------------------------------------------------


def _qemu_python(recipe: _Recipe) -> ForeignPython:
    qemu = shutil.which(QEMU)
    if qemu is None:
        raise ForeignUnavailable(
            f"{QEMU} is missing for {recipe.name}: apt-get install qemu-user-static "
            "(scripts/setup-machine.sh installs it)"
        )

    def argv(root: Path, recipe: _Recipe) -> tuple[str, ...]:
        return (qemu, "-L", str(root), str(root / recipe.python))

    home = _ensure(recipe, argv)
    return _foreign(recipe, home, argv(home / "root", recipe))


def _loader_argv(root: Path, recipe: _Recipe) -> tuple[str, ...]:
    """Start the root's python with the root's own dynamic loader and libraries (lib64's
    loader link is absolute, so it would point at the host's)."""
    libdirs = [root / "lib/x86_64-linux-gnu", root / "usr/lib/x86_64-linux-gnu"]
    return (str(root / "lib/x86_64-linux-gnu/ld-linux-x86-64.so.2"), "--inhibit-cache",
            "--library-path", os.pathsep.join(map(str, libdirs)), str(root / recipe.python))


def _foreign(recipe: _Recipe, home: Path, argv: tuple[str, ...]) -> ForeignPython:
    cffi = home / "cffi" if recipe.cffi_platform else None
    return ForeignPython(name=recipe.name, root=home / "root", argv=argv, cffi=cffi)


def cache_dir() -> Path:
    """``$CFFI_BUILD_PLUGIN_FOREIGN_CACHE``, else ``~/.cache/cffi-build-plugin/foreign``."""
    override = os.environ.get(CACHE_ENV)
    if override:
        return Path(override).absolute()
    return Path.home() / ".cache/cffi-build-plugin/foreign"


_cache = cache_dir  # the name this module used first


@contextmanager
def locked(path: Path) -> Iterator[None]:
    """Hold an exclusive ``flock`` on *path* (made if missing) for the ``with`` block."""
    with path.open("a") as f:
        fcntl.flock(f, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(f, fcntl.LOCK_UN)


_locked = locked


def _ensure(recipe: _Recipe, argv: _Argv) -> Path:
    """The recipe's cache folder (``root/``, ``cffi/``, ``RECIPE``), made if needed."""
    return ensure_home(recipe.name, recipe.key(),
                       lambda new, work: _make(recipe, new, work, argv))


_unavailable: dict[str, ForeignUnavailable] = {}  # per process

Maker = Callable[[Path, Path], None]  # (the new home to fill, a scratch folder beside it)


def ensure_home(name: str, key: str, make: Maker) -> Path:
    """``cache_dir()/name``, made by *make* unless its ``RECIPE`` stamp already says *key*.

    Concurrent callers (pytest-xdist workers, several processes) wait on a file lock; the
    folder is filled aside (*make* gets a fresh folder and a scratch folder in the cache)
    and renamed into place only when complete, with the stamp written last. A
    :class:`ForeignUnavailable` from *make* is remembered for the rest of the process.
    """
    home = cache_dir() / name
    if _is_current(home, key):
        return home
    if name in _unavailable:  # do not wait for an unreachable mirror again
        raise _unavailable[name]
    try:
        _make_once(name, key, home, make)
    except ForeignUnavailable as exc:
        _unavailable[name] = exc
        raise
    return home


def check_apt_tools(what: str) -> None:
    """Raise :class:`ForeignUnavailable` unless apt-get, dpkg and Debian's keyring are here."""
    for tool, package in (("apt-get", "apt"), ("dpkg", "dpkg")):
        if shutil.which(tool) is None:
            raise ForeignUnavailable(
                f"{tool} is missing, needed to unpack {what}: this only works on "
                f"Debian or Ubuntu (package {package})"
            )
    if not KEYRING.exists():
        raise ForeignUnavailable(f"{KEYRING} is missing: apt-get install debian-archive-keyring")


def _make_once(name: str, key: str, home: Path, make: Maker) -> None:
    cache = home.parent
    check_apt_tools(name)
    cache.mkdir(parents=True, exist_ok=True)
    with locked(cache / f".{name}.lock"):
        if _is_current(home, key):  # another worker made it while we waited
            return
        work = Path(tempfile.mkdtemp(prefix=f".{name}-", dir=cache))
        try:
            new = work / "home"
            new.mkdir()
            make(new, work)
            (new / "RECIPE").write_text(key)
            if home.exists():  # made from an older recipe
                home.rename(work / "old")
            new.rename(home)
        finally:
            shutil.rmtree(work, ignore_errors=True)


def _is_current(home: Path, key: str) -> bool:
    stamp = home / "RECIPE"
    return stamp.is_file() and stamp.read_text() == key


def _make(recipe: _Recipe, home: Path, work: Path, argv: _Argv) -> None:
    debs = _download_debs(recipe, work)
    root = home / "root"
    root.mkdir(parents=True)
    for deb in debs:
        run(["dpkg", "-x", deb, root])
    (home / "PACKAGES").write_text("".join(f"{deb.name}\n" for deb in debs))
    if recipe.cffi_platform:
        _unpack_cffi(recipe, home / "cffi", work)
    smoke = run([*argv(root, recipe), "-c", "import sys; print(sys.version)"], check=False,
                timeout=RUN_TIMEOUT)
    if smoke.returncode != 0:
        raise RuntimeError(f"the unpacked {recipe.name} does not start:\n{smoke.stderr}")


def _download_debs(recipe: _Recipe, work: Path) -> list[Path]:
    return download_debs(work, recipe.name, recipe.packages, suites=(recipe.suite,),
                         arch=recipe.arch)


def private_apt(work: Path, what: str, *, suites: Sequence[str], arch: str = "amd64",
                deb_src: bool = False, default_release: str | None = None) -> dict[str, str]:
    """An environment whose ``APT_CONFIG`` is a private apt configuration in ``work/apt``
    (its own sources, lists, cache, an empty dpkg status -- else apt insists on the host's
    installed versions -- and one architecture), updated. *suites* are Debian releases
    (``main`` of each; ``deb-src`` lines too with *deb_src*); *default_release* pins one of
    them (``APT::Default-Release``). Expired Release files (sid's) are accepted. Raises
    :class:`ForeignUnavailable` when the mirror cannot be reached."""
    apt = work / "apt"
    for d in ("lists/partial", "cache/archives/partial"):
        (apt / d).mkdir(parents=True, exist_ok=True)
    (apt / "status").touch()
    mirror = _debian_mirror()
    kinds = ("deb", "deb-src") if deb_src else ("deb",)
    (apt / "sources.list").write_text("".join(
        f"{kind} [signed-by={KEYRING}] {mirror} {suite} main\n"
        for suite in suites for kind in kinds
    ))
    settings: dict[str, object] = {
        "Dir::Etc::sourcelist": apt / "sources.list",
        "Dir::Etc::sourceparts": apt / "sources.list.d",  # missing on purpose
        "Dir::Etc::preferences": apt / "preferences",  # missing: no host pinning
        "Dir::Etc::preferencesparts": apt / "preferences.d",  # ditto
        "Dir::State::Lists": apt / "lists",
        "Dir::Cache": apt / "cache",
        "Dir::State::status": apt / "status",
        "APT::Architecture": arch,
        "APT::Architectures": arch,
        "APT::Sandbox::User": "root",  # user _apt cannot enter a private home
        "Acquire::Check-Valid-Until": "false",  # sid's Release file may be expired
        "Acquire::Languages": "none",
    }
    if default_release:
        settings["APT::Default-Release"] = default_release
    (apt / "apt.conf").write_text("".join(f'{k} "{v}";\n' for k, v in settings.items()))
    env = {**os.environ, "APT_CONFIG": str(apt / "apt.conf")}
    update = run(["apt-get", "-q", "update"], env=env, check=False)
    if update.returncode != 0 or not any((apt / "lists").glob("*_Packages*")):
        raise ForeignUnavailable(
            f"the Debian mirror {mirror} ({', '.join(suites)}, {arch}) cannot be reached for "
            f"{what} (set {MIRROR_ENV} to another one):\n{_tail(update)}"
        )
    return env


def download_debs(work: Path, what: str, packages: Sequence[str], *, suites: Sequence[str],
                  arch: str = "amd64", default_release: str | None = None) -> list[Path]:
    """``apt-get download`` *packages* (``name``, ``name=version`` or ``name/suite``) into
    ``work/debs`` through :func:`private_apt`; the ``.deb`` files, sorted."""
    env = private_apt(work, what, suites=suites, arch=arch, default_release=default_release)
    debs = work / "debs"
    debs.mkdir()
    download = run(["apt-get", "-q", "download", *packages], cwd=debs, env=env, check=False,
                   timeout=RUN_TIMEOUT * 4)
    if download.returncode != 0:
        raise ForeignUnavailable(
            f"apt-get download from {_debian_mirror()} failed for {what}:\n{_tail(download)}"
        )
    return sorted(debs.glob("*.deb"))


def download_source(work: Path, what: str, source: str, *, suites: Sequence[str]) -> Path:
    """``apt-get source --download-only`` *source* (e.g. ``python3.13/trixie``) into
    ``work/src``, which is returned (the ``.dsc``, the orig tarball, Debian's changes)."""
    env = private_apt(work, what, suites=suites, deb_src=True)
    dest = work / "src"
    dest.mkdir()
    download = run(["apt-get", "-q", "source", "--download-only", source], cwd=dest, env=env,
                   check=False, timeout=RUN_TIMEOUT * 4)
    if download.returncode != 0:
        raise ForeignUnavailable(
            f"apt-get source from {_debian_mirror()} failed for {what}:\n{_tail(download)}"
        )
    return dest


def _debian_mirror() -> str:
    """$CFFI_BUILD_PLUGIN_DEBIAN_MIRROR, else the Debian mirror this machine's apt uses."""
    if os.environ.get(MIRROR_ENV):
        return os.environ[MIRROR_ENV]
    sources = [Path("/etc/apt/sources.list"), *sorted(Path("/etc/apt/sources.list.d").glob("*"))]
    for source in sources:
        if source.suffix not in {".list", ".sources"} or not source.is_file():
            continue
        for word in source.read_text(errors="replace").split():
            if word.startswith(("http://", "https://")) and word.rstrip("/").endswith("/debian"):
                return word.rstrip("/")
    return "http://deb.debian.org/debian"


def _unpack_cffi(recipe: _Recipe, dest: Path, work: Path) -> None:
    """cffi's (and pycparser's) wheels for the target, from the package index, unzipped."""
    wheels = work / "wheels"
    assert recipe.cffi_platform is not None
    abi = "cp" + recipe.python_version.replace(".", "")
    download = run(
        [sys.executable, "-m", "pip", "download", "-q", "--only-binary=:all:", "--no-deps",
         "--platform", recipe.cffi_platform, "--python-version", recipe.python_version,
         "--implementation", "cp", "--abi", abi, "--dest", wheels, *CFFI],
        check=False,
    )
    if download.returncode != 0:
        raise ForeignUnavailable(
            f"pip could not download {' '.join(CFFI)} for {recipe.name}:\n{_tail(download)}"
        )
    for wheel in sorted(wheels.glob("*.whl")):
        with zipfile.ZipFile(wheel) as zf:
            zf.extractall(dest)


def _tail(proc: subprocess.CompletedProcess[str], lines: int = 6) -> str:
    return "\n".join((proc.stdout + proc.stderr).strip().splitlines()[-lines:])
