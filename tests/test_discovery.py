"""Static discovery: what counts as a builder, what is skipped and why, in a stable order."""

from __future__ import annotations

import textwrap
from pathlib import Path

from cffi_build_plugin.modules.discovery import BuilderSpec, analyze_source, discover


def analyze(code: str):
    return analyze_source("pkg/b.py", textwrap.dedent(code))


def test_module_level_api_builder():
    found, skipped = analyze("""
        from cffi import FFI
        ffibuilder = FFI()
        ffibuilder.cdef("int f(void);")
        ffibuilder.set_source("pkg._f", "static int f(void) { return 1; }")
    """)
    assert [(str(m.spec), m.module_name, m.mode) for m in found] == [
        ("pkg/b.py:ffibuilder", "pkg._f", "API")
    ]
    assert skipped == []


def test_abi_builder_with_cffi_module_attribute_and_keywords():
    found, _ = analyze("""
        import cffi
        ffi = cffi.FFI()
        ffi.set_source(module_name="pkg._g", source=None)
    """)
    assert [(m.module_name, m.mode) for m in found] == [("pkg._g", "ABI")]


def test_function_builder():
    found, _ = analyze("""
        from cffi import FFI
        def make():
            ffi = FFI()
            ffi.set_source("_h", None)
            return ffi
    """)
    assert [(str(m.spec), m.module_name, m.mode) for m in found] == [("pkg/b.py:make", "_h", "ABI")]


def test_builder_inside_if_block_and_computed_source_is_unknown_mode():
    found, _ = analyze("""
        import os
        from cffi import FFI
        if True:
            ffibuilder = FFI()
        SRC = os.environ.get("X")
        ffibuilder.set_source("pkg._x", SRC)
    """)
    assert [(m.module_name, m.mode) for m in found] == [("pkg._x", "unknown")]


def test_api_or_abi_depending_on_condition_is_unknown():
    found, _ = analyze("""
        from cffi import FFI
        ffibuilder = FFI()
        try:
            ffibuilder.set_source("pkg._y", "#include <y.h>")
        except Exception:
            ffibuilder.set_source("pkg._y", None)
    """)
    assert [m.mode for m in found] == ["unknown"]


def test_inline_ffi_is_skipped_with_reason():
    found, skipped = analyze("""
        from cffi import FFI
        ffi = FFI()
        ffi.cdef("int abs(int);")
        lib = ffi.dlopen(None)
    """)
    assert found == []
    assert [s.reason for s in skipped] == [
        "FFI object 'ffi' never gets set_source(): an in-line FFI used at run time, not a builder"
    ]


def test_set_source_on_something_else_is_skipped():
    _, skipped = analyze("""
        import thing
        obj = thing.make()
        obj.set_source("x", None)
    """)
    assert len(skipped) == 1
    assert "'obj', which is not bound to FFI() at module level" in skipped[0].reason


def test_syntax_error_is_skipped_not_raised():
    found, skipped = analyze("ffibuilder = FFI(\n")
    assert found == []
    assert skipped[0].reason.startswith("cannot be parsed:")


def _write(root: Path, rel: str, text: str) -> None:
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text))


BUILDER = """
    from cffi import FFI
    ffibuilder = FFI()
    ffibuilder.set_source("{name}", None)
"""


def test_discover_walks_in_order_and_skips_what_is_not_package_code(tmp_path):
    for rel in ("src/pkg/z_build.py", "src/pkg/a_build.py", "tests/t_build.py",
                "build/lib/pkg/a_build.py", ".venv2/lib/x.py", "venv/lib/site.py",
                ".git/hooks/x.py", "src/pkg/vendor/v_build.py"):
        _write(tmp_path, rel, BUILDER.format(name=rel.replace("/", "_")[:-3]))
    (tmp_path / "venv/pyvenv.cfg").write_text("home = /usr\n")
    result = discover(tmp_path, exclude=["src/pkg/vendor"])
    assert [str(m.spec) for m in result.modules] == [
        "src/pkg/a_build.py:ffibuilder", "src/pkg/z_build.py:ffibuilder",
    ]
    assert [(s.path, s.reason.split(" (")[0]) for s in result.skipped] == [
        ("tests/", "not package code"),
    ]


def test_include_restricts_and_opens_tests(tmp_path):
    _write(tmp_path, "src/pkg/a_build.py", BUILDER.format(name="a"))
    _write(tmp_path, "tests/t_build.py", BUILDER.format(name="t"))
    result = discover(tmp_path, include=["tests/**"])
    assert [m.spec for m in result.modules] == [BuilderSpec("tests/t_build.py", "ffibuilder")]


def test_non_utf8_candidate_is_reported(tmp_path):
    (tmp_path / "pkg").mkdir()
    (tmp_path / "pkg/b.py").write_bytes(b"# \xff\xfe\nffi = FFI()\nffi.set_source('x', None)\n")
    result = discover(tmp_path)
    assert result.modules == ()
    assert result.skipped[0].reason.startswith("not UTF-8")


def test_builder_spec_parse():
    assert BuilderSpec.parse("src/pkg/_build.py:ffibuilder") == BuilderSpec(
        "src/pkg/_build.py", "ffibuilder")
    assert str(BuilderSpec.parse("a\\b.py:f")) == "a/b.py:f"


def test_linked_libraries_are_read_when_literal():
    found, _ = analyze("""
        from cffi import FFI
        a = FFI()
        a.set_source("pkg._a", "", libraries=["sodium", "m", "sodium"])
        b = FFI()
        b.set_source("pkg._b", "", libraries=["z", LIB])
        c = FFI()
        c.set_source("pkg._c", "", **options)
        d = FFI()
        d.set_source("pkg._d", "")
    """)
    got = {m.module_name: (m.libraries, m.libraries_unknown) for m in found}
    assert got == {
        "pkg._a": (("sodium", "m"), False),
        "pkg._b": (("z",), True),
        "pkg._c": ((), True),
        "pkg._d": ((), False),
    }
