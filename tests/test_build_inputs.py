"""What the sdist must carry, found by reading builders."""

from __future__ import annotations

import textwrap
from pathlib import Path

from cffi_build_plugin.modules.sdist_inputs import static_build_inputs


def _write(root: Path, rel: str, text: str = "") -> None:
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text))


def test_files_folders_globs_and_siblings(tmp_path):
    _write(tmp_path, "tools/build.py", """
        import os
        from _cdefs import CDEF
        from cffi import FFI
        HERE = os.path.dirname(__file__)
        ffibuilder = FFI()
        ffibuilder.set_source("pkg._x", '#include "x.h"',
            sources=["vendor/lib/a.c"] + [os.path.join("more", f) for f in ["b.c"]],
            include_dirs=["vendor/include", os.path.join(HERE, "local")],
            depends=["glob/*.h"], libraries=["m"])
    """)
    _write(tmp_path, "tools/_cdefs.py", 'CDEF = open("defs/api.cdef").read()\n')
    for rel in ("vendor/lib/a.c", "vendor/include/x.h", "vendor/include/sub/y.h",
                "vendor/include/README.txt", "tools/local/z.h", "glob/g1.h", "glob/g2.h",
                "defs/api.cdef", "unrelated/u.c", "build/temp/x.c"):
        _write(tmp_path, rel, "/* */\n")
    _write(tmp_path, "more/b.c", "/* */\n")
    assert static_build_inputs(tmp_path, ["tools/build.py"]) == [
        "defs/api.cdef",
        "glob/g1.h",
        "glob/g2.h",
        "more/b.c",  # the folder literal "more" of os.path.join("more", f)
        "tools/_cdefs.py",
        "tools/build.py",
        "tools/local/z.h",
        "vendor/include/sub/y.h",
        "vendor/include/x.h",
        "vendor/lib/a.c",
    ]


def test_paths_outside_the_project_are_ignored(tmp_path):
    outside = tmp_path / "outside.h"
    outside.write_text("")
    project = tmp_path / "proj"
    _write(project, "b.py", f'x = ["../outside.h", {str(outside)!r}, "/usr/include"]\n')
    assert static_build_inputs(project, ["b.py"]) == ["b.py"]
