"""The compiler's commands while our modules build, and how many run at once.

Compile commands run through ``_launcher.py`` (each compiler's messages in one piece, as they
run in parallel) and through ccache when there is one, in its depend mode on Linux; in an
in-place build each writes a dependency file (-MD), the headers it read, for the record of an
editable install; the interpreter's ``-g`` is dropped unless debug information is kept. The
log and the errors show them as the user would type them (shown.py). Link commands come from
linking.py. Everything is set once around ``build_extensions`` and put back afterwards:
``build_ext --parallel`` builds modules from several threads, so nothing is swapped per
module.
"""

from __future__ import annotations

import functools
import os
import re
import sys
from collections.abc import Iterable, Iterator, Mapping
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import Any

from .choices import CompileChoices, is_debug_flag
from .linking import link_commands
from .parallel import compiling_in_parallel
from .shown import Replacements, showing

__all__ = ["compile_commands", "compiling", "object_filenames", "without_debug_flags"]

_COMPILE = ("compiler_so", "compiler_so_cxx")
#: Compilers ccache knows, possibly cross-prefixed or versioned; anything else (distcc, a
#: wrapper script, an env(1) line) is left alone.
_KNOWN_COMPILER = re.compile(r"(.*-)?(gcc|g\+\+|cc|c\+\+|clang|clang\+\+)(-\d+(\.\d+)*)?")
LAUNCHER_NAME = "_launcher.py"
LAUNCHER = Path(__file__).with_name(LAUNCHER_NAME)


def without_debug_flags(command: list[str]) -> list[str]:
    return [arg for arg in command if not is_debug_flag(arg)]


def compile_commands(compiler: Any, choices: CompileChoices, *, lock_file: Path, basedir: Path,
                     launch: bool, platform: str = sys.platform,
                     depfiles: bool = False) -> dict[str, list[str]]:
    """The new compile commands of a Unix compiler (others are left as they are). *launch*:
    whether compilers may run at once, so that their messages need holding together;
    *depfiles*: whether each compile writes the headers it read to a dependency file."""
    if getattr(compiler, "compiler_type", None) != "unix":
        return {}
    launcher = [sys.executable, "-I", "-S", str(LAUNCHER), str(lock_file)] if launch else []
    commands = {}
    for name in _COMPILE:
        command = getattr(compiler, name, None)
        if not isinstance(command, list) or not command:
            continue
        if not choices.debug_info:
            command = without_debug_flags(command)
        head = Path(command[0]).name
        if choices.ccache and _KNOWN_COMPILER.fullmatch(head):
            command = [choices.ccache, *command]
        settings = _ccache_settings(basedir, platform) \
            if Path(command[0]).name == "ccache" else []  # ours, or the user's CC="ccache gcc"
        if depfiles or "CCACHE_DEPEND=1" in settings:
            # A dependency file beside each object (NAME.o -> NAME.d): the headers the file
            # read, for an editable install's record; ccache's depend mode needs it too.
            command = [*command, "-MD"]
        command = ["env", *settings, *command] if settings else command
        commands[name] = [*launcher, *command]
    return commands


def _ccache_settings(basedir: Path, platform: str) -> list[str]:
    """ccache reads its settings from the environment; env(1) sets them for it alone, unless
    the user set them already. BASEDIR: paths under the project become relative in what
    ccache hashes, so the same project unpacked elsewhere (an sdist build, another checkout)
    hits. DEPEND (Linux, where it was measured): a miss costs one compile with -MD, not a
    preprocessor run on top (most of a small module's compile time), and hits come from the
    files the compiler read."""
    settings = []
    if "CCACHE_BASEDIR" not in os.environ:
        settings.append(f"CCACHE_BASEDIR={basedir}")
    if platform.startswith("linux") and not {"CCACHE_DEPEND", "CCACHE_NODEPEND"} & set(os.environ):
        settings.append("CCACHE_DEPEND=1")
    return settings


def _shown_commands(compiler: Any, commands: Mapping[str, list[str]],
                    choices: CompileChoices) -> Replacements:
    """Each new compile command -> the compiler's own (without the -g flags it drops):
    without the launcher, the ccache added and its settings."""
    return {tuple(commands[name]): getattr(compiler, name) if choices.debug_info
            else without_debug_flags(getattr(compiler, name))
            for name in _COMPILE if name in commands}


def object_filenames(compiler: Any, sources: Iterable[str | os.PathLike[str]],
                     strip_dir: bool = False, output_dir: str | None = "") -> list[str]:
    """The objects *compiler* makes of *sources* while our modules build. Objects of C
    generated into the output folder (cffi's) go next to it, as NAME.c.o: setuptools keeps a
    source's path, made relative, below the output folder, so the folder's own path would
    appear twice (build/temp.X/build/temp.X/NAME.o, or /tmp/.../tmp/...). ``.c.o`` (as CMake
    names objects) keeps it apart from the object of a user's NAME.c."""
    sources = [os.fspath(source) for source in sources]
    objects: list[str] = type(compiler).object_filenames(
        compiler, sources, strip_dir=strip_dir, output_dir=output_dir)
    if strip_dir or not output_dir:
        return objects
    folder = Path(output_dir).resolve()
    return [source + compiler.obj_extension
            if Path(source).resolve().is_relative_to(folder) else obj
            for source, obj in zip(sources, objects)]


@contextmanager
def _swapped(compiler: Any, attributes: Mapping[str, object]) -> Iterator[None]:
    own = {name: vars(compiler)[name] for name in attributes if name in vars(compiler)}
    try:
        for name, value in attributes.items():
            setattr(compiler, name, value)
        yield
    finally:
        for name in attributes:
            if name in own:
                setattr(compiler, name, own[name])
            else:
                delattr(compiler, name)  # the class's again


def _include_dirs(compiler: Any) -> dict[str, list[str]]:
    """setuptools adds a venv's include/ folder, empty unless a package installed headers;
    an isolated build's venv has a random name, and ccache's direct mode would never hit
    again. Left out when it holds no file (venv makes it with an empty include/pythonX.Y),
    where leaving it out changes nothing."""
    venv_include = Path(sys.exec_prefix, "include")
    dirs = getattr(compiler, "include_dirs", None)
    if sys.exec_prefix == sys.base_exec_prefix or not isinstance(dirs, list) or \
            str(venv_include) not in dirs or \
            any(p.is_file() for p in venv_include.rglob("*")):
        return {}
    return {"include_dirs": [d for d in dirs if d != str(venv_include)]}


@contextmanager
def compiling(compiler: Any, choices: CompileChoices, build_temp: Path,
              sources: int, depfiles: bool = False) -> Iterator[None]:
    """Within the block, *compiler* builds our modules (*sources* C files in all) the way
    *choices* say, with a dependency file beside each object if *depfiles*."""
    build_temp.mkdir(parents=True, exist_ok=True)
    launch = choices.jobs > 1 and sources > 1
    commands = compile_commands(compiler, choices, basedir=Path.cwd(),
                                lock_file=build_temp.resolve() / ".cffi-build-plugin-output.lock",
                                launch=launch, depfiles=depfiles)
    shown = _shown_commands(compiler, commands, choices)
    attributes: dict[str, object] = {
        **commands, "object_filenames": functools.partial(object_filenames, compiler)}
    attributes.update(link_commands(compiler, debug_info=choices.debug_info))
    if choices.ccache:
        attributes.update(_include_dirs(compiler))
    with ExitStack() as stack:
        stack.enter_context(_swapped(compiler, attributes))
        if getattr(compiler, "compiler_type", None) == "unix":
            stack.enter_context(showing(compiler, shown))
            # File by file, so that a failure names its file and command; launched, so that
            # parallel messages stay whole, the files of a module at once.
            stack.enter_context(compiling_in_parallel(compiler, choices.jobs if launch else 1))
        yield
