"""cffi_build_plugin.modules.stubs: the .pyi of a cffi module, rendered from its cdef.

Golden files pin the text (regenerate with UPDATE_GOLDEN=1 and review the diff); mypy --strict
checks that the stub is valid and types user code; PyPy 3.9's bundled cffi 1.15 renders the
same text as the dev venv's cffi 2.x.
"""

from __future__ import annotations

import importlib.metadata
import importlib.util
import os
import subprocess
import sys
import warnings
from pathlib import Path

import cffi
import pytest

from cffi_build_plugin.modules.stubs import render_stub
from devtools.probe import Interpreter

REPO = Path(__file__).parent.parent
DATA = Path(__file__).parent / "data" / "stubs"
CDEF = DATA / "everything.h"
GOLDEN = {False: DATA / "everything.pyi", True: DATA / "everything_abi.pyi"}

#: Names that clash with the stub's own (builtins, its CData alias, Any) or are no Python
#: identifiers: the stub must stay valid and keep the other members typed.
CLASH_CDEF = """
int bytes(int);
extern int str;
int property(void);
extern int _CData;
int Any(void);
int lambda(int);
extern int _builtins;
char *conv(const char *, wchar_t *);
long double ld(void);
int printf(const char *, ...);
int Callable(int (*)(int));
"""


def _ffi(cdef: str) -> cffi.FFI:
    ffi = cffi.FFI()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # globals without 'extern' in CLASH_CDEF
        ffi.cdef(cdef)
    return ffi


@pytest.mark.parametrize("abi_mode", [False, True], ids=["api", "abi"])
def test_golden(abi_mode: bool) -> None:
    text = render_stub(_ffi(CDEF.read_text()), "pkg._native", abi_mode=abi_mode)
    golden = GOLDEN[abi_mode]
    if os.environ.get("UPDATE_GOLDEN"):
        golden.write_text(text)
    assert text == golden.read_text(), f"the stub drifted from {golden} (UPDATE_GOLDEN=1)"


def test_reproducible() -> None:
    """Two FFIs of one cdef, declarations in another order: the same text."""
    ffi = _ffi(CDEF.read_text())
    ffi._parser._declarations = dict(reversed(list(ffi._parser._declarations.items())))
    fresh = render_stub(_ffi(CDEF.read_text()), "pkg._native", abi_mode=False)
    assert render_stub(ffi, "pkg._native", abi_mode=False) == fresh


def test_clashing_and_invalid_names() -> None:
    text = render_stub(_ffi(CLASH_CDEF), "pkg._clash", abi_mode=False)
    assert "import builtins as _builtins" in text
    assert "def bytes(self, _0: int, /) -> int: ..." in text  # int is a C keyword
    assert "    str: int\n" in text
    assert """
    def conv(
        self,
        _0: _builtins.bytes | _cffi_backend.FFI.CData,
        _1: _builtins.str | _cffi_backend.FFI.CData,
        /,
    ) -> _cffi_backend.FFI.CData: ...
""" in text
    assert "        *args: _typing.Any,\n" in text
    assert "def Callable(self, _0: _cffi_backend.FFI.CData | _abc.Callable[..., _typing.Any]," \
           " /) -> int: ..." in text
    assert "    # lambda: not a Python identifier: use getattr(lib, 'lambda')" in text
    assert "    # _builtins: clashes with a name of this stub; untyped" in text


def test_never_raises() -> None:
    """A declaration the generator cannot type becomes Any, named in a comment."""

    class Strange:
        def _get_c_name(self) -> str:
            return "strange_t"

    ffi = _ffi("int add(int, int);")
    ffi._parser._declarations["function weird"] = (Strange(), 0)
    ffi._parser._declarations["variable odd"] = (Strange(), 0)
    text = render_stub(ffi, "pkg._native", abi_mode=False)
    assert "    weird: Any  # cannot type 'strange_t'" in text
    assert "    odd: Any  # cannot type 'strange_t'" in text
    assert "from typing import Any" in text
    assert "def add(self, _0: int, _1: int, /) -> int: ..." in text


def test_empty_cdef() -> None:
    text = render_stub(_ffi(""), "m", abi_mode=False)
    assert "class _Lib: ...\n" in text
    assert "from typing" not in text


USE_OK = """\
from pkg._native import ffi, lib
from pkg._clash import lib as clash

n: int = lib.add(1, 2) + lib.X + lib.RED + lib.Z + lib.limit + lib.counter
lib.counter = n
flag: bool = lib.is_even(1, True)
c: bytes = lib.next_char(b"a")
w: str = lib.widen("a", "abc")
size: int = lib.length(b"abc") + lib.length(ffi.new("char[]", b"x"))
buf = ffi.new("char[]", 10)
lib.fill(buf, 10)
s = ffi.string(lib.dup_string(b"text"))
p = lib.new_point(1, 2)
d: float = lib.norm(p) + lib.scale(1, 2.5) + lib.PI
z: complex = lib.rotate(1j)
lib.precise(1.5)
lib.precise(ffi.new("long double *")[0])
lib.log_message(b"%d %s", ffi.cast("int", 1), b"x")
cb = ffi.callback("int(int, int)", lambda a, b: a + b)
lib.apply(cb, 1, 2)
lib.apply(ffi.cast("binop_t", 0), 1, 2)
lib.with_fnptr(ffi.callback("int(const void *, const void *)", lambda a, b: 0))
lib.reset()
lib.on_event(ffi.NULL, ffi.NULL)
lib.origin = lib.mirror(lib.origin)
lib.arr[0] = 3
back: int = clash.bytes(3) + clash.str + clash.property()
clash.conv(b"x", "y")
"""

USE_BAD = """\
from pkg._native import lib

lib.add("x", 2)
lib.add(1, 2, 3)
lib.ad(1, 2)
lib.limit = 3
lib.length(None)
text: str = lib.next_char(b"a")
"""

USE_ABI = """\
from pkg._abi import ffi

lib = ffi.dlopen(None)
size: int = lib.length(b"x")
lib.length(1)
"""


def _mypy_available() -> None:
    if importlib.util.find_spec("mypy") is None:
        pytest.skip("mypy is not installed in this environment (the dev extra has it)")
    try:
        importlib.metadata.distribution("types-cffi")
    except importlib.metadata.PackageNotFoundError:
        pytest.skip("types-cffi is not installed in this environment (the dev extra has it)")


def test_mypy_strict(tmp_path: Path) -> None:
    """The stubs pass mypy --strict, type correct code and catch wrong calls."""
    _mypy_available()
    pkg = tmp_path / "pkg"
    pkg.mkdir()
    (pkg / "__init__.py").write_text("")
    (pkg / "py.typed").write_text("")
    everything = CDEF.read_text()
    (pkg / "_native.pyi").write_text(render_stub(_ffi(everything), "pkg._native",
                                                 abi_mode=False))
    (pkg / "_abi.pyi").write_text(render_stub(_ffi(everything), "pkg._abi", abi_mode=True))
    (pkg / "_clash.pyi").write_text(render_stub(_ffi(CLASH_CDEF), "pkg._clash",
                                                abi_mode=False))
    (tmp_path / "use_ok.py").write_text(USE_OK)
    (tmp_path / "use_bad.py").write_text(USE_BAD)
    (tmp_path / "use_abi.py").write_text(USE_ABI)
    (tmp_path / "mypy.ini").write_text("[mypy]\n")  # not the repository's configuration

    def mypy(*files: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "mypy", "--strict", "--config-file", "mypy.ini",
             "--cache-dir", str(tmp_path / ".mypy_cache"), "--no-error-summary", *files],
            cwd=tmp_path, capture_output=True, text=True, check=False)

    good = mypy("pkg", "use_ok.py")
    assert (good.returncode, good.stdout) == (0, ""), good.stdout + good.stderr

    bad = mypy("use_bad.py")
    assert bad.returncode == 1, bad.stdout + bad.stderr
    expected = [
        'use_bad.py:3: error: Argument 1 to "add" of "_Lib" has incompatible type "str";'
        ' expected "int"  [arg-type]',
        'use_bad.py:4: error: Too many arguments for "add" of "_Lib"  [call-arg]',
        'use_bad.py:5: error: "_Lib" has no attribute "ad"; maybe "add"?  [attr-defined]',
        'use_bad.py:6: error: Property "limit" defined in "_Lib" is read-only  [misc]',
        'use_bad.py:7: error: Argument 1 to "length" of "_Lib" has incompatible type "None";'
        ' expected "bytes | _CDataBase"  [arg-type]',
        'use_bad.py:8: error: Incompatible types in assignment (expression has type "bytes",'
        ' variable has type "str")  [assignment]',
    ]
    assert bad.stdout.splitlines() == expected, bad.stdout

    abi = mypy("use_abi.py")
    assert abi.stdout.splitlines() == [
        'use_abi.py:5: error: Argument 1 to "length" of "_Lib" has incompatible type "int";'
        ' expected "bytes | _CDataBase"  [arg-type]',
    ], abi.stdout + abi.stderr


_RENDER_BOTH = """\
import sys, warnings
import cffi
from cffi_build_plugin.modules.stubs import render_stub
ffi = cffi.FFI()
with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    ffi.cdef(open(sys.argv[1]).read())
for abi_mode in (False, True):
    sys.stdout.write(render_stub(ffi, "pkg._native", abi_mode=abi_mode))
"""


@pytest.mark.pypy
def test_same_text_with_pypy_cffi(pypy39: Interpreter) -> None:
    """PyPy 3.9's bundled cffi 1.15 renders what the dev venv's cffi renders."""
    here = "".join(render_stub(_ffi(CDEF.read_text()), "pkg._native", abi_mode=abi_mode)
                   for abi_mode in (False, True))
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    done = subprocess.run([str(pypy39.executable), "-c", _RENDER_BOTH, str(CDEF)],
                          capture_output=True, text=True, env=env, check=False)
    assert done.returncode == 0, done.stderr
    version = subprocess.run([str(pypy39.executable), "-c", "import cffi; print(cffi.__version__)"],
                             capture_output=True, text=True, check=True).stdout.strip()
    assert version != cffi.__version__, "the comparison needs two cffi versions"
    assert done.stdout == here
