"""The projects the build benchmark builds, each in two forms: cffi's own ``cffi_modules=`` in a
setup.py, and this plugin's one line in pyproject.toml. Same builder, same C, same metadata."""

from __future__ import annotations

import textwrap
from pathlib import Path

from devtools.pyproject import pyproject_text

__all__ = ["bundled_library", "single_module"]

_BUILDER_SMALL = '''
from cffi import FFI

ffibuilder = FFI()
ffibuilder.cdef("int add(int a, int b); long mix(long x);")
ffibuilder.set_source("small._small", """
    static int add(int a, int b) { return a + b; }
    static long mix(long x) { return (x * 2654435761L) ^ (x >> 7); }
""")
'''

_BUILDER_BUNDLED = '''
import glob

from cffi import FFI

ffibuilder = FFI()
ffibuilder.cdef("long lib_checksum(long seed);")
ffibuilder.set_source(
    "bundled._bundled",
    '#include "lib.h"',
    sources=sorted(glob.glob("clib/*.c")),
    include_dirs=["clib"],
)
'''


def _write(root: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text).lstrip())


def _forms(root: Path, package: str, builder: str, extra: dict[str, str]) -> dict[str, Path]:
    """The project twice under *root*: ``cffi_modules/`` and ``plugin/``."""

    spec = f"{package}_build.py:ffibuilder"
    forms = {
        "cffi_modules": {
            "pyproject.toml": pyproject_text(package, requires="cffi>=1.15",
                                             packages=[package]),
            "setup.py": f"""
                from setuptools import setup

                setup(cffi_modules=["{spec}"])
            """,
        },
        "plugin": {
            "pyproject.toml": pyproject_text(package, packages=[package], modules=[spec]),
        },
    }
    common = {f"{package}/__init__.py": f"from {package}._{package} import ffi, lib\n",
              f"{package}_build.py": builder, **extra}
    for form, files in forms.items():
        _write(root / form, {**common, **files})
    return {form: root / form for form in forms}


def single_module(root: Path) -> dict[str, Path]:
    """One tiny API-mode module: what a build costs beyond compiling."""
    return _forms(root, "small", _BUILDER_SMALL, {})


def _library_file(index: int, functions: int) -> str:
    """C of the kind a bundled codec or hash library holds: table-driven loops, switches,
    shifts, unrolled by the optimiser; different constants in every file."""
    out = ['#include "lib.h"', "#include <stdint.h>", "#include <string.h>", ""]
    for f in range(functions):
        seed = index * 131 + f * 17 + 7
        out.append(f"static uint32_t t_{f}[256];")
        out.append(f"static void init_{f}(void) {{")
        out.append("    for (uint32_t i = 0; i < 256; i++) {")
        out.append(f"        uint32_t c = i ^ {seed}u;")
        out.append("        for (int k = 0; k < 8; k++)")
        poly = (0xEDB88320 ^ seed * 2654435761) & 0xFFFFFFFF
        out.append(f"            c = (c & 1) ? (c >> 1) ^ 0x{poly:08X}u : c >> 1;")
        out.append(f"        t_{f}[i] = c;")
        out.append("    }")
        out.append("}")
        out.append(f"static uint64_t step_{f}(const uint8_t *p, size_t n, uint64_t h) {{")
        out.append(f"    if (!t_{f}[1]) init_{f}();")
        out.append("    for (size_t i = 0; i < n; i++) {")
        out.append(f"        h = (h << 5) + h + t_{f}[(h ^ p[i]) & 0xff];")
        out.append("        switch ((h >> 3) & 7) {")
        for case in range(8):
            op = ["^", "+", "-", "|"][case % 4]
            out.append(f"        case {case}: h = (h {op} {seed + case * 97}u) * "
                       f"{(seed * 31 + case) % 251 + 3}u; h ^= h >> {case + 3}; break;")
        out.append("        }")
        out.append("    }")
        out.append("    return h;")
        out.append("}")
        out.append("")
    out.append(f"long lib_part_{index}(long seed) {{")
    out.append("    uint8_t buf[64];")
    out.append("    memset(buf, (int)(seed & 0xff), sizeof buf);")
    out.append(f"    uint64_t h = (uint64_t)seed ^ {index}u;")
    out.extend(f"    h = step_{f}(buf, sizeof buf, h);" for f in range(functions))
    out.append("    return (long)(h & 0x7fffffff);")
    out.append("}")
    return "\n".join(out) + "\n"


def bundled_library(root: Path, files: int = 32, functions: int = 24) -> dict[str, Path]:
    """One module over a bundled library of *files* C files, like brotli or sqlite."""
    header = ["#ifndef LIB_H", "#define LIB_H", "long lib_checksum(long seed);"]
    header += [f"long lib_part_{i}(long seed);" for i in range(files)]
    header += ["#endif", ""]
    parts = " ^ ".join(f"lib_part_{i}(seed)" for i in range(files))
    checksum = f"long lib_checksum(long seed) {{ return {parts}; }}"
    extra = {"clib/lib.h": "\n".join(header),
             "clib/checksum.c": f'#include "lib.h"\n{checksum}\n'}
    extra.update({f"clib/part_{i:02d}.c": _library_file(i, functions) for i in range(files)})
    return _forms(root, "bundled", _BUILDER_BUNDLED, extra)
