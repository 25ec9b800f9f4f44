"""An editable install's check that its cffi modules are up to date, run when the first of them
is imported: copied, with its ``install(...)`` call, into the editable wheel (a ``.pth`` file
imports it at start-up), so it must stand alone: standard library only, imported lazily.

Up to date means every input the last build recorded (builders, the files they read, C
sources, headers) has the modification time it had then. If one changed, an environment
that can build (cffi-build-plugin, setuptools and cffi importable, as after ``pip install
--no-build-isolation -e .``) rebuilds in place, incrementally, before the import and says so
in one line; any other says what changed and the command to run, and imports the old module.
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
_NEEDED = ("cffi_build_plugin", "setuptools", "cffi")
#: Names in a folder that no builder's glob is after: build outputs, caches, editors' files.
_NOT_LISTED = (".so", ".pyd", ".pyi", ".pyc", ".o", ".obj", ".d", ".egg-info", "~")


def listing(folder: str) -> list[str]:
    """What a folder holds that may be a builder's input: a C file added to a folder a
    builder globs changes it."""
    return sorted(name for name in os.listdir(folder)
                  if not name.startswith(".") and name != "__pycache__"
                  and not name.endswith(_NOT_LISTED))


class EditableFinder:
    """A meta path finder that finds nothing: it only looks at the inputs when one of the
    project's cffi modules is first imported, and leaves the finding to the others."""

    def __init__(self, project: str, record: str, modules: Sequence[str],
                 command: Sequence[str], environment: dict[str, str]) -> None:
        self.project = project
        self.record = record
        self.modules = frozenset(modules)
        self.command = list(command)
        self.environment = environment
        self.checked = False

    def find_spec(self, fullname: str, path: object = None, target: object = None) -> None:
        if self.checked or fullname not in self.modules:
            return
        self.checked = True
        if os.environ.get(_REBUILDING):
            return
        changed = self.changed()
        if changed:
            self.act(fullname, changed)

    def changed(self) -> list[str]:
        """What differs from the last build: a stat per file, a listing per folder a
        builder listed, one small file read (no json: its import alone costs more)."""
        try:
            with open(self.record, encoding="utf-8") as f:
                lines = f.read().splitlines()
        except OSError:
            return [f"{self.record} (missing)"]
        changed = []
        for line in lines:
            kind, relative, *rest = line.split("\t")
            path = os.path.join(self.project, relative)
            if kind == "input":
                try:
                    same = str(os.stat(path).st_mtime_ns) == rest[0]
                except OSError:
                    same = False
                if not same:
                    changed.append(relative)
            elif kind == "folder":
                try:
                    same = listing(path) == rest
                except OSError:
                    same = False
                if not same:
                    changed.append(f"{relative}/ (files added or removed)")
            elif kind == "output" and not os.path.exists(path):
                changed.append(f"{relative} (missing)")
        return changed

    def act(self, fullname: str, changed: list[str]) -> None:
        what = changed[0] + (f" and {len(changed) - 1} more" if len(changed) > 1 else "")
        reinstall = f"pip install -e {self.project}"
        missing = self.cannot_rebuild()
        if missing:
            print(f"cffi-build-plugin: warning: {fullname} is out of date ({what} changed "
                  f"since it was built) and this environment cannot rebuild it ({missing}): "
                  f"run `{reinstall}`; importing the old module", file=sys.stderr)
            return
        self.rebuild(fullname, what, reinstall)

    def cannot_rebuild(self) -> str | None:
        if os.environ.get(REBUILD, "").strip().lower() in ("0", "false", "no", "off"):
            return f"{REBUILD} is off"
        import importlib.util

        absent = [name for name in _NEEDED if importlib.util.find_spec(name) is None]
        if absent:
            return (f"{', '.join(absent)} not installed here; "
                    "`pip install --no-build-isolation -e .` rebuilds on import")
        return None

    def rebuild(self, fullname: str, what: str, reinstall: str) -> None:
        import subprocess
        import time

        script = ["setup.py"] if os.path.exists(os.path.join(self.project, "setup.py")) \
            else ["-c", "import setuptools; setuptools.setup()"]
        env = {**os.environ, **self.environment, _REBUILDING: "1"}
        start = time.monotonic()
        proc = subprocess.run([sys.executable, *script, *self.command], cwd=self.project,
                              env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                              text=True, check=False)
        if proc.returncode != 0:
            sys.stderr.write(proc.stdout)
            raise ImportError(f"cffi-build-plugin: {what} changed, and rebuilding {fullname} "
                              f"in place failed (the build's output is above); fix it, or "
                              f"run `{reinstall}`", name=fullname)
        print(f"cffi-build-plugin: {what} changed; rebuilt the cffi modules of "
              f"{self.project} in place ({time.monotonic() - start:.1f} s)", file=sys.stderr)


def record_lines(inputs: dict[str, int], folders: dict[str, list[str]],
                 outputs: list[str]) -> str:
    """The record changed() reads: one line per input (its mtime), folder (its listing) and
    in-place output, tab-separated."""
    lines = [f"input\t{path}\t{mtime}" for path, mtime in sorted(inputs.items())]
    lines += ["\t".join(["folder", path, *names]) for path, names in sorted(folders.items())]
    lines += [f"output\t{path}" for path in sorted(outputs)]
    return "".join(f"{line}\n" for line in lines)


def install(project: str, record: str, modules: Sequence[str], command: Sequence[str],
            environment: dict[str, str]) -> None:
    sys.meta_path.insert(0, EditableFinder(project, record, modules, command, environment))
