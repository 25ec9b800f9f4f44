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


def main(argv: list[str]) -> int:
    lock_path, command = argv[0], argv[1:]
    read_end, write_end = os.pipe()  # both close-on-exec; the child gets dup2'd copies
    try:
        pid = os.posix_spawnp(command[0], command, os.environ, file_actions=[
            (os.POSIX_SPAWN_DUP2, write_end, 1), (os.POSIX_SPAWN_DUP2, write_end, 2)])
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
        import fcntl

        lock = os.open(lock_path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
        try:
            fcntl.flock(lock, fcntl.LOCK_EX)
            _write_all(2, b"".join(chunks))
        finally:
            os.close(lock)
    return os.waitstatus_to_exitcode(status)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
