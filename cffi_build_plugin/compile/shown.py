"""The compiler's commands as a user would type them, in the build's log and in its errors.

What runs is not quite what the user set up: the plugin may run a compile through
``_launcher.py`` (with its lock file) and through ccache (with its settings and ``-MD``).
Within ``showing()``, the line setuptools logs for such a command shows the compiler's own
command instead, and the last command a thread ran that failed is kept, as shown, for the
error message.
"""

from __future__ import annotations

import logging
import os
import shlex
import subprocess
import threading
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import Any

__all__ = ["Replacements", "failed_command", "shell_line", "showing", "shown"]

#: The start of a command that runs (the plugin's compile command) -> the start to show (the
#: compiler's own command: what CC and the interpreter's flags give, minus dropped -g flags).
Replacements = Mapping[tuple[str, ...], Sequence[str]]

_thread = threading.local()


def shell_line(command: Sequence[str]) -> str:
    """*command* as one line to paste into a POSIX shell."""
    return shlex.join(command)


def shown(command: Sequence[str], replacements: Replacements) -> list[str]:
    """*command* as the user would type it."""
    for runs, instead in replacements.items():
        if tuple(command[:len(runs)]) == runs:
            return [*instead, *command[len(runs):]]
    return list(command)


def failed_command() -> list[str] | None:
    """The command this thread ran last, as shown, if it failed; forgotten once asked for."""
    command: list[str] | None = getattr(_thread, "failed", None)
    _thread.failed = None
    return command


class _ShownLogLine(logging.Filter):
    """setuptools logs each command before running it (``subprocess.list2cmdline(cmd)``):
    for the one this thread is running, the line shows it as the user would type it."""

    def filter(self, record: logging.LogRecord) -> bool:
        running: tuple[str, str] | None = getattr(_thread, "running", None)
        if running is not None and not record.args and record.msg == running[0]:
            record.msg = running[1]
        return True


def _wrapped(run: Callable[..., Any], replacements: Replacements) -> Callable[..., Any]:
    def run_shown(cmd: Sequence[Any], *args: Any, **kwargs: Any) -> Any:
        command = [os.fsdecode(arg) for arg in cmd]
        display = shown(command, replacements)
        outer = getattr(_thread, "running", None)
        _thread.running = (subprocess.list2cmdline(command), shell_line(display))
        _thread.failed = None
        try:
            return run(cmd, *args, **kwargs)
        except Exception:
            _thread.failed = display
            raise
        finally:
            _thread.running = outer

    return run_shown


@contextmanager
def showing(compiler: Any, replacements: Replacements) -> Iterator[None]:
    """Within the block, *compiler*'s commands are logged and kept as the user would type
    them. setuptools runs them through the compiler's ``spawn()`` (up to 82) or ``call()``
    (83 on), and logs them to the root logger or a logger of the compiler's module: the
    filter sits on the handlers, where every logged line passes."""
    names = [name for name in ("spawn", "call") if callable(getattr(compiler, name, None))]
    own = {name: vars(compiler)[name] for name in names if name in vars(compiler)}
    for name in names:
        setattr(compiler, name, _wrapped(getattr(compiler, name), replacements))
    handlers = list(logging.getLogger().handlers)
    line_filter = _ShownLogLine()
    for handler in handlers:
        handler.addFilter(line_filter)
    try:
        yield
    finally:
        for handler in handlers:
            handler.removeFilter(line_filter)
        for name in names:
            if name in own:
                setattr(compiler, name, own[name])
            else:
                delattr(compiler, name)
