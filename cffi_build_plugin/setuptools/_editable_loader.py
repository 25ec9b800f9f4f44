"""An editable install's check that its cffi modules are up to date, run when the first of them
is imported: copied, with its ``install(...)`` call, into the editable wheel (a ``.pth`` file
imports it at start-up), so it must stand alone: standard library only, imported lazily.

Up to date means every input the last build recorded (builders, the files they read, C
sources, headers) has the modification time it had then. If one changed, an environment
that can build (cffi-build-plugin, setuptools, cffi and the project's [build-system].requires
installed, as after ``pip install --no-build-isolation -e .``) rebuilds in place,
incrementally, before the import and says so in one line, one process at a time (a lock file
in the build folder); any other, or a rebuild that fails, says what changed and the command
to run, and imports the old module. The check's own failures are a warning, never an
ImportError.
"""

from __future__ import annotations

import os
import sys

TYPE_CHECKING = False  # importing typing at every start-up would cost milliseconds
if TYPE_CHECKING:
    from collections.abc import Sequence

#: Set in the rebuild's own process: its builders may import the package.
_REBUILDING = "_CFFI_BUILD_PLUGIN_REBUILDING"
#: A flag: 0/false/no/off turns rebuilding on import off (a changed input then only warns).
REBUILD = "CFFI_BUILD_PLUGIN_EDITABLE_REBUILD"
#: Distributions a rebuild needs besides the project's [build-system].requires.
_NEEDED = ("cffi-build-plugin", "setuptools", "cffi")
#: Names in a folder that no builder's glob is after: build outputs, caches, editors' files.
_NOT_LISTED = (".so", ".pyd", ".pyi", ".pyc", ".o", ".obj", ".d", ".egg-info", "~")
#: In the build folder: held by the process that checks and rebuilds.
LOCK_NAME = ".cffi-build-plugin-rebuild.lock"


def listing(folder: str) -> list[str]:
    """What a folder holds that may be a builder's input: a C file added to a folder a
    builder globs changes it."""
    return sorted(name for name in os.listdir(folder)
                  if not name.startswith(".") and name != "__pycache__"
                  and not name.endswith(_NOT_LISTED))


def changes(project: str, record: str) -> list[str]:
    """What differs from the build *record* describes: a stat per file, a listing per
    folder a builder listed, one small file read (no json: its import alone costs more).
    A record that cannot be read or parsed counts as a change (the rebuild rewrites it)."""
    try:
        with open(record, encoding="utf-8") as f:
            lines = f.read().splitlines()
    except (OSError, UnicodeError):
        return [f"{record} (missing)"]
    changed = []
    for number, line in enumerate(lines, 1):
        kind, _, rest = line.partition("\t")
        fields = rest.split("\t")
        relative = fields[0]
        if not relative or kind not in ("input", "folder", "output") or \
                (kind == "input" and len(fields) != 2):
            return [f"{record} (line {number} is not a record's)"]
        path = os.path.join(project, relative)
        if kind == "input":
            try:
                same = str(os.stat(path).st_mtime_ns) == fields[1]
            except OSError:
                same = False
            if not same:
                changed.append(relative)
        elif kind == "folder":
            try:
                same = listing(path) == fields[1:]
            except OSError:
                same = False
            if not same:
                changed.append(f"{relative}/ (files added or removed)")
        elif not os.path.exists(path):
            changed.append(f"{relative} (missing)")
    return changed


def _warn(message: str) -> None:
    print(f"cffi-build-plugin: warning: {message}", file=sys.stderr)


class _Lock:
    """An exclusive lock on a file, held by one process at a time (pytest-xdist workers,
    multiprocessing's children importing at once); the operating system drops it when its
    holder dies."""

    def __init__(self, path: str) -> None:
        os.makedirs(os.path.dirname(path), exist_ok=True)
        self.fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o666)

    def __enter__(self) -> None:
        if os.name == "nt":
            import msvcrt

            while True:
                try:
                    msvcrt.locking(self.fd, msvcrt.LK_LOCK, 1)  # type: ignore[attr-defined]
                    return
                except OSError:  # LK_LOCK gives up after 10 s: keep waiting
                    continue
        import fcntl

        fcntl.flock(self.fd, fcntl.LOCK_EX)

    def __exit__(self, *exc: object) -> None:
        try:
            if os.name == "nt":
                import msvcrt

                os.lseek(self.fd, 0, os.SEEK_SET)
                msvcrt.locking(self.fd, msvcrt.LK_UNLCK, 1)  # type: ignore[attr-defined]
        finally:
            os.close(self.fd)  # drops flock's lock


class EditableFinder:
    """A meta path finder that finds nothing: it only looks at the inputs when one of the
    project's cffi modules is first imported, and leaves the finding to the others. Its own
    failures are a warning, never the import's."""

    def __init__(self, project: str, record: str, modules: Sequence[str],
                 command: Sequence[str], environment: dict[str, str],
                 requires: Sequence[str] = ()) -> None:
        self.project = project
        self.record = record
        self.modules = frozenset(modules)
        self.command = list(command)
        self.environment = environment
        self.requires = list(requires)
        self.checked = False

    def find_spec(self, fullname: str, path: object = None, target: object = None) -> None:
        if self.checked or fullname not in self.modules:
            return
        self.checked = True
        if os.environ.get(_REBUILDING):
            return
        try:
            self.check(fullname)
        except Exception as exc:  # the import must go on whatever happened
            _warn(f"could not check whether {fullname} is up to date ({type(exc).__name__}: "
                  f"{exc}); importing it as it is")

    def changed(self) -> list[str]:
        return changes(self.project, self.record)

    def check(self, fullname: str) -> None:
        if not os.path.isdir(self.project):
            _warn(f"{fullname} was installed in editable mode from {self.project}, which is "
                  "gone: install the project again from where it is now (`pip install -e "
                  "PATH`); importing the module as it was built")
            return
        changed = self.changed()
        if not changed:
            return
        problem = self.cannot_rebuild()
        if problem:
            _warn(f"{fullname} is out of date ({self.what(changed)} changed since it was "
                  f"built) and this environment cannot rebuild it ({problem}): run "
                  f"`{self.reinstall()}`; importing the old module")
            return
        with _Lock(os.path.join(os.path.dirname(self.record), LOCK_NAME)):
            changed = self.changed()  # another process may have rebuilt while we waited
            if changed:
                self.rebuild(fullname, self.what(changed))

    @staticmethod
    def what(changed: list[str]) -> str:
        return changed[0] + (f" and {len(changed) - 1} more" if len(changed) > 1 else "")

    def reinstall(self, isolated: bool = True) -> str:
        import shlex

        flag = "" if isolated else "--no-build-isolation "
        return f"pip install {flag}-e {shlex.quote(self.project)}"

    def cannot_rebuild(self) -> str | None:
        if os.environ.get(REBUILD, "").strip().lower() in ("0", "false", "no", "off"):
            return f"{REBUILD} is off"
        if not sys.executable or not os.access(sys.executable, os.X_OK):
            return f"this interpreter's executable ({sys.executable!r}) cannot be run"
        absent = _not_installed([*_NEEDED, *self.requires])
        if absent:
            return (f"{', '.join(absent)} not installed here; after `pip install "
                    f"{' '.join(absent)}`, `{self.reinstall(isolated=False)}` rebuilds on "
                    "import")
        return None

    def rebuild_command(self) -> list[str]:
        script = ["setup.py"] if os.path.exists(os.path.join(self.project, "setup.py")) \
            else ["-c", "import setuptools; setuptools.setup()"]
        return [sys.executable, *script, *self.command]

    def rebuild(self, fullname: str, what: str) -> None:
        import subprocess
        import time

        env = {**os.environ, **self.environment, _REBUILDING: "1"}
        start = time.monotonic()
        command = self.rebuild_command()
        proc = subprocess.run(command, cwd=self.project, env=env, stdout=subprocess.PIPE,
                              stderr=subprocess.STDOUT, text=True, errors="replace",
                              check=False)
        if proc.returncode != 0:
            import shlex

            lines = proc.stdout.rstrip().splitlines()
            errors = [line for line in lines if "error" in line.lower()][-12:] or lines[-12:]
            summary = "".join(f"    {line}\n" for line in errors)
            settings = " ".join(f"{k}={shlex.quote(v)}" for k, v in self.environment.items())
            typed = f"cd {shlex.quote(self.project)} && {settings + ' ' if settings else ''}" \
                    f"{shlex.join(command)}"
            _warn(f"{what} changed, and rebuilding {fullname} failed:\n{summary}"
                  f"  (to see it all: `{typed}`); importing the old module, which is stale")
            return
        print(f"cffi-build-plugin: {what} changed; rebuilt the cffi modules of "
              f"{self.project} in place ({time.monotonic() - start:.1f} s)", file=sys.stderr)


def _not_installed(requirements: Sequence[str]) -> list[str]:
    """The distributions of *requirements* (PEP 508 strings) not installed here; one whose
    marker cannot be evaluated (no packaging) is assumed present."""
    import re
    from importlib import metadata

    absent: list[str] = []
    for requirement in requirements:
        match = re.match(r"\s*([A-Za-z0-9][A-Za-z0-9._-]*)", requirement)
        marker = requirement.partition(";")[2].strip()
        if match is None or (marker and not _marker_holds(marker)):
            continue
        name = match.group(1)
        if name in absent:
            continue
        for candidate in (name, re.sub(r"[-_.]+", "_", name)):
            try:
                metadata.distribution(candidate)
                break
            except metadata.PackageNotFoundError:
                pass
        else:
            absent.append(name)
    return absent


def _marker_holds(marker: str) -> bool:
    try:
        from packaging.markers import Marker

        return bool(Marker(marker).evaluate())
    except Exception:  # no packaging, or a marker it rejects
        return False


def record_lines(inputs: dict[str, int], folders: dict[str, list[str]],
                 outputs: list[str]) -> str:
    """The record changed() reads: one line per input (its mtime), folder (its listing) and
    in-place output, tab-separated."""
    lines = [f"input\t{path}\t{mtime}" for path, mtime in sorted(inputs.items())]
    lines += ["\t".join(["folder", path, *names]) for path, names in sorted(folders.items())]
    lines += [f"output\t{path}" for path in sorted(outputs)]
    return "".join(f"{line}\n" for line in lines)


def install(project: str, record: str, modules: Sequence[str], command: Sequence[str],
            environment: dict[str, str], requires: Sequence[str] = ()) -> None:
    sys.meta_path.insert(0, EditableFinder(project, record, modules, command, environment,
                                           requires))
