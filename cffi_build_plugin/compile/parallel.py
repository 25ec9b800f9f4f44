"""Compiling the C files of one module one by one, or several at the same time.

setuptools' ``build_ext --parallel`` only builds separate extensions at once and each
extension's sources one after another; a module over a bundled library is one extension with
dozens of files. Each source is handed to the compiler's own ``compile()`` on its own, so
everything that method does (dependency checks, macOS flag fixes, the object's path) still
happens; one semaphore, shared by every module of the build, caps the compilers running. A
file that fails raises a CompileFailure naming it, with its command as the user would type it.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator, Sequence
from concurrent.futures import FIRST_EXCEPTION, Future, ThreadPoolExecutor, wait
from contextlib import contextmanager
from typing import Any

from setuptools.errors import CompileError

from .failures import CompileFailure
from .shown import failed_command

__all__ = ["compiling_in_parallel"]


@contextmanager
def compiling_in_parallel(compiler: Any, jobs: int) -> Iterator[None]:
    """Within the block, ``compiler.compile()`` compiles file by file, up to *jobs* at once."""
    original = compiler.compile
    slots = threading.BoundedSemaphore(max(jobs, 1))

    def one(source: str, kwargs: dict[str, Any], stop: threading.Event) -> list[str] | None:
        with slots:
            if stop.is_set():
                return None  # another file failed: like make without -k, start no more
            try:
                objects: list[str] = original([source], **kwargs)
            except CompileError:
                stop.set()
                # The compiler's messages are in the log; name the file and its command.
                raise CompileFailure([(source, failed_command())]) from None
            except BaseException:
                stop.set()
                raise
            return objects

    def compile_sources(sources: Sequence[str], output_dir: str | None = None,
                        *args: Any, **kwargs: Any) -> list[str]:
        kwargs.update(zip(("macros", "include_dirs", "debug", "extra_preargs",
                           "extra_postargs", "depends"), args))
        kwargs["output_dir"] = output_dir
        stop = threading.Event()
        if not sources:
            return original(sources, **kwargs)  # type: ignore[no-any-return]
        if jobs < 2 or len(sources) < 2:
            return [obj for s in sources for obj in one(str(s), kwargs, stop) or []]
        pool = ThreadPoolExecutor(min(jobs, len(sources)), "cffi-compile")
        futures = [pool.submit(one, str(s), kwargs, stop) for s in sources]
        try:
            wait(futures, return_when=FIRST_EXCEPTION)
        except BaseException:  # Ctrl-C: start nothing more, let the running ones end
            stop.set()
            raise
        finally:  # after a failure too, queued files never start
            pool.shutdown(wait=True, cancel_futures=True)
        _raise_failures(futures)
        # The objects in the order of the sources: the link order stays the user's.
        return [obj for f in futures for obj in f.result() or []]

    own = vars(compiler).get("compile")
    compiler.compile = compile_sources
    try:
        yield
    finally:
        if own is None:
            del compiler.compile  # the class's method again
        else:
            compiler.compile = own


def _raise_failures(futures: list[Future[list[str] | None]]) -> None:
    """The compilers' failures as one CompileFailure; anything else (a bug, not the C) as it
    is, so that an optional module is not skipped for it."""
    errors = [f.exception() for f in futures if not f.cancelled() and f.exception()]
    for error in errors:
        if not isinstance(error, CompileFailure):
            raise error  # type: ignore[misc]
    if errors:
        raise CompileFailure([failure for error in errors
                              for failure in error.failures])  # type: ignore[union-attr]
