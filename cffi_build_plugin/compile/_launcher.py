"""Run one compiler command and write what it printed in one piece.

Compilers running in parallel would interleave their diagnostics line by line; each one runs
under this script instead, which holds the compiler's output until it exits and then writes it
under a lock. It runs as ``python -I -S _launcher.py LOCKFILE COMMAND...``
for every file compiled, so it imports nothing but ``os`` and ``fcntl`` (``subprocess`` alone
would double its start-up time). Unix only: MSVC is never launched through it.
"""

from __future__ import annotations

import os
import sys


def _write_all(fd: int, data: bytes) -> None:
    while data:
        data = data[os.write(fd, data):]


def _start(command: list[str], output: int) -> int:
    """Start *command* with stdout and stderr going to *output*; its pid."""
    if hasattr(os, "posix_spawnp"):
        return os.posix_spawnp(command[0], command, os.environ, file_actions=[
            (os.POSIX_SPAWN_DUP2, output, 1), (os.POSIX_SPAWN_DUP2, output, 2)])
    # PyPy 3.9 has no posix_spawnp. exec's failure is told through a second pipe, so that
    # it raises here as posix_spawnp's does.
    errors_in, errors_out = os.pipe()
    pid = os.fork()
    if pid == 0:
        try:
            os.dup2(output, 1)
            os.dup2(output, 2)
            os.execvp(command[0], command)  # noqa: S606 (a compiler command, as given)
        except OSError as exc:
            os.write(errors_out, f"{exc.errno} {exc.strerror}".encode())
        os._exit(127)
    os.close(errors_out)
    failure = os.read(errors_in, 1024)
    os.close(errors_in)
    if failure:
        os.waitpid(pid, 0)
        errno, _, strerror = failure.decode().partition(" ")
        raise OSError(int(errno), f"{strerror}: {command[0]!r}")
    return pid


def main(argv: list[str]) -> int:
    lock_path, command = argv[0], argv[1:]
    read_end, write_end = os.pipe()  # both close-on-exec; the child gets dup2'd copies
    try:
        pid = _start(command, write_end)
    except OSError as exc:
        _write_all(2, f"cannot run {command[0]}: {exc}\n".encode())
        return 127
    finally:
        os.close(write_end)
    chunks = []
    while chunk := os.read(read_end, 1 << 16):
        chunks.append(chunk)
    os.close(read_end)
    _, status = os.waitpid(pid, 0)
    if chunks:
        _write_locked(lock_path, b"".join(chunks))
    if os.WIFSIGNALED(status):
        # Die of the same signal, so the build reports a crashed compiler, not an exit code.
        import signal

        signal.signal(os.WTERMSIG(status), signal.SIG_DFL)
        os.kill(os.getpid(), os.WTERMSIG(status))
    return os.waitstatus_to_exitcode(status)


def _write_locked(lock_path: str, output: bytes) -> None:
    """To stderr in one piece; without the lock (a folder gone) rather than not at all."""
    import fcntl

    try:
        lock = os.open(lock_path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
    except OSError:
        _write_all(2, output)
        return
    try:
        fcntl.flock(lock, fcntl.LOCK_EX)
        _write_all(2, output)
    finally:
        os.close(lock)


if __name__ == "__main__":
    try:
        sys.exit(main(sys.argv[1:]))
    except KeyboardInterrupt:  # Ctrl-C reaches every compiler too: no traceback per file
        sys.exit(130)
