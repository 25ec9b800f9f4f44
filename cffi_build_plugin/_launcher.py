"""Run one compiler command and write what it printed in one piece.

Compilers running in parallel would interleave their diagnostics line by line; each one runs
under this script instead, which holds the compiler's output until it exits and then writes it
under a lock. It runs as ``python -I -S _launcher.py LOCKFILE [NAME=VALUE ...] -- COMMAND...``
and imports nothing of the plugin, so it starts in a few milliseconds.
"""

from __future__ import annotations

import os
import subprocess
import sys


def main(argv: list[str]) -> int:
    split = argv.index("--")
    lock_path, assignments, command = argv[0], argv[1:split], argv[split + 1:]
    env = dict(os.environ)
    env.update(a.split("=", 1) for a in assignments)  # type: ignore[misc]
    try:
        proc = subprocess.run(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                              env=env, check=False)
    except OSError as exc:
        sys.stderr.write(f"cannot run {command[0]}: {exc}\n")
        return 127
    if proc.stdout:
        import fcntl  # Unix compilers only: MSVC is never launched through this script

        with open(lock_path, "ab") as lock:  # noqa: PTH123 (no pathlib: start-up time)
            fcntl.flock(lock, fcntl.LOCK_EX)
            sys.stderr.flush()
            sys.stderr.buffer.write(proc.stdout)
            sys.stderr.buffer.flush()
    return proc.returncode


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
