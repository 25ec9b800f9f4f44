"""What the project's other files reach in setup.py: the names stripping must keep.

An entry point ``setup:make_docs`` (pyproject.toml, setup.cfg, setup.py's own strings), ``from
setup import make_docs`` or ``setup.make_docs`` in a Makefile, tox.ini or any script, ``import
setup`` (then any name may be used), and commands that run setup.py itself (``python setup.py
build_ext``). Only text files of the kinds that run code are read, each below a size limit,
in a bounded walk that skips VCS, virtual environment and build folders; README-like prose
is not read (its ``python setup.py install`` is advice, not a use).
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

__all__ = ["OutsideReferences", "Reference", "find_outside_references"]

#: File names and suffixes that hold code or configuration that can reach setup.py.
_NAMES = frozenset({"Makefile", "makefile", "GNUmakefile", "justfile", "Justfile",
                    "tox.ini", "noxfile.py", "Dockerfile", "Containerfile"})
_SUFFIXES = frozenset({".py", ".cfg", ".toml", ".ini", ".sh", ".bash", ".mk", ".yml",
                       ".yaml", ".bat", ".cmd", ".ps1", ".just", ".pyw"})
_SKIP_DIRS = frozenset({".git", ".hg", ".svn", ".tox", ".nox", ".venv", "venv", ".env", "env",
                        "build", "dist", "node_modules", "__pycache__", ".eggs", ".mypy_cache",
                        ".pytest_cache", ".ruff_cache", "site-packages", "htmlcov", "wheelhouse"})
_MAX_BYTES = 512 * 1024
_MAX_FILES = 5000
#: Files looked at (read or not): a tree of data files ends the walk too.
_MAX_SEEN = 50000

#: setuptools' own commands, and the global options scripts run setup.py for.
_COMMANDS = frozenset({
    "build", "build_ext", "build_py", "build_clib", "build_scripts", "sdist", "bdist",
    "bdist_wheel", "bdist_egg", "bdist_rpm", "bdist_dumb", "develop", "install", "egg_info",
    "clean", "test", "check", "upload", "register", "dist_info", "editable_wheel", "rotate",
    "saveopts", "setopt", "alias", "install_lib", "install_headers", "install_scripts",
    "install_data", "install_egg_info", "--version", "--name", "--fullname", "--description",
    "--author", "--url", "--license", "--classifiers", "--requires", "--provides",
    "--long-description", "--help-commands",
})

_ENTRY = re.compile(r"(?<![\w.\-/])setup:([A-Za-z_]\w*)")
_FROM = re.compile(r"\bfrom[ \t]+setup[ \t]+import[ \t]+(\([^)]*\)|[^\n;#\"']+)")
_IMPORT = re.compile(r"\bimport[ \t]+([\w.]+(?:[ \t]+as[ \t]+\w+)?(?:[ \t]*,[ \t]*[\w.]+"
                     r"(?:[ \t]+as[ \t]+\w+)?)*)")
_FROM_BEFORE = re.compile(r"\bfrom[ \t]+[\w.]+[ \t]*$")
_ATTRIBUTE = re.compile(r"(?<![\w.])setup\.(?!py\b|cfg\b)([A-Za-z_]\w*)")
_DYNAMIC_IMPORT = re.compile(r"""(?:import_module|__import__)\(\s*["']setup["']""")
_SEPARATOR = r"""["']?(?:[ \t]*,[ \t]*["']|[ \t]+)"""
#: ``python setup.py -q build_ext``, ``"setup.py", "sdist"``: setup.py, short options, a command.
_RUNS = re.compile(rf"(?<![\w\-])setup\.py{_SEPARATOR}(?:-[A-Za-z]+{_SEPARATOR})*"
                   r"(--[\w-]+|[A-Za-z_]\w*)")


@dataclass(frozen=True)
class Reference:
    """One place outside setup() that reaches setup.py."""

    #: The file, relative to the project, and its line.
    file: str
    line: int
    #: "names it", "imports it", "runs it", ...
    how: str
    #: The line's text, shortened.
    text: str

    def describe(self) -> str:
        return f"{self.file}:{self.line} {self.how} ({self.text})"


@dataclass
class OutsideReferences:
    """What the project reaches in setup.py from outside its setup() call."""

    #: name → the places that use it.
    names: dict[str, list[Reference]] = field(default_factory=dict)
    #: Places that import setup.py whole (``import setup``): any name may be used.
    whole: list[Reference] = field(default_factory=list)
    #: Places that run setup.py as a script (``python setup.py build_ext``).
    runs: list[Reference] = field(default_factory=list)

    def add(self, name: str, reference: Reference) -> None:
        self.names.setdefault(name, []).append(reference)


def _files(root: Path, setup_py: Path) -> Iterator[Path]:
    count = seen = 0
    for folder, dirs, files in os.walk(root):
        dirs[:] = sorted(d for d in dirs if d not in _SKIP_DIRS and not d.endswith(
            (".egg-info", ".dist-info")))
        seen += len(files)
        if seen > _MAX_SEEN:
            return
        for name in sorted(files):
            path = Path(folder) / name
            if path == setup_py or not (name in _NAMES or path.suffix in _SUFFIXES):
                continue
            count += 1
            if count > _MAX_FILES:
                return
            yield path


def _read(path: Path) -> str | None:
    try:
        if path.stat().st_size > _MAX_BYTES:
            return None
        return path.read_bytes().decode("utf-8")
    except (OSError, UnicodeDecodeError):
        return None


def _line_of(text: str, offset: int) -> tuple[int, str]:
    number = text.count("\n", 0, offset) + 1
    start = text.rfind("\n", 0, offset) + 1
    end = text.find("\n", offset)
    line = text[start:end if end >= 0 else len(text)].strip()
    return number, line if len(line) <= 70 else line[:67] + "..."


def _imported_names(spec: str) -> list[str]:
    names = []
    for part in spec.strip("() \t\n").replace("\n", " ").split(","):
        words = part.split()
        if words:
            names.append(words[0])
    return names


def _imports(text: str, ref: Callable[[int, str], Reference], out: OutsideReferences) -> None:
    """``from setup import a, b`` (those names; ``*``: all), ``import setup`` and
    ``importlib.import_module("setup")`` (all)."""
    for match in _FROM.finditer(text):
        for name in _imported_names(match.group(1)):
            if name == "*":
                out.whole.append(ref(match.start(), "imports every name"))
            else:
                out.add(name, ref(match.start(), "imports it"))
    for match in _IMPORT.finditer(text):
        before = text[text.rfind("\n", 0, match.start()) + 1:match.start()]
        if _FROM_BEFORE.search(before):
            continue  # `from x import setup`: setuptools' function, not setup.py
        if any(m.split()[0] == "setup" for m in match.group(1).split(",")):
            out.whole.append(ref(match.start(), "imports it whole"))
    for match in _DYNAMIC_IMPORT.finditer(text):
        out.whole.append(ref(match.start(), "imports it whole"))


def scan_text(text: str, where: str, out: OutsideReferences, *, own: bool = False,
              commands: frozenset[str] = frozenset()) -> None:
    """Add what *text* (the file *where*) reaches in setup.py to *out*; *own*: setup.py's own
    text, where only entry points (``setup:name``, in strings) count; *commands*: setup.py's
    custom commands, which a script may run as well as setuptools' own."""
    if "setup" not in text:
        return

    def ref(offset: int, how: str) -> Reference:
        line, shown = _line_of(text, offset)
        return Reference(where, line, how, shown)

    for match in _ENTRY.finditer(text):
        out.add(match.group(1), ref(match.start(), "names it"))
    if own:
        return
    _imports(text, ref, out)
    for match in _ATTRIBUTE.finditer(text):
        out.add(match.group(1), ref(match.start(), "uses it"))
    for match in _RUNS.finditer(text):
        if match.group(1) in _COMMANDS or match.group(1) in commands:
            out.runs.append(ref(match.start(), "runs setup.py"))


def find_outside_references(root: Path, setup_py: Path, setup_py_text: str,
                            commands: frozenset[str] = frozenset()) -> OutsideReferences:
    """What the project's files (and setup.py's own entry-point strings) reach in setup.py;
    *commands*: setup.py's custom commands (cmdclass), which a script may run too."""
    out = OutsideReferences()
    scan_text(setup_py_text, setup_py.name, out, own=True)
    for path in _files(root, setup_py):
        text = _read(path)
        if text is not None:
            scan_text(text, path.relative_to(root).as_posix(), out, commands=commands)
    return out
