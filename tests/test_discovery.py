"""Static discovery: what counts as a builder, what is skipped and why, in a stable order."""

from __future__ import annotations

import ast
import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

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


# -- large trees: discovery reads every file, but parses and walks only what may be a builder --


def test_analysis_visits_each_node_once(monkeypatch):
    """A builder among many functions costs one pass over the tree: function bodies are not
    walked again for each function (the walks that made `list` take seconds)."""
    functions = "".join(
        f"def f{i}(x):\n    y = [x + k for k in range(3)]\n    return y\n\n" for i in range(100))
    code = ("from cffi import FFI\n" + functions
            + 'ffibuilder = FFI()\nffibuilder.set_source("pkg._f", None)\n')
    nodes = sum(1 for _ in ast.walk(ast.parse(code)))
    visits = 0
    iter_child_nodes = ast.iter_child_nodes

    def counting(node):
        nonlocal visits
        visits += 1
        return iter_child_nodes(node)

    monkeypatch.setattr(ast, "iter_child_nodes", counting)  # what ast.walk calls, too
    found, skipped = analyze_source("pkg/b.py", code)
    assert [(str(m.spec), m.mode) for m in found] == [("pkg/b.py:ffibuilder", "ABI")]
    assert skipped == []
    assert visits <= nodes


#: Files of a vendored package that mention cffi's words without calling FFI() or set_source().
NOT_BUILDERS = {
    "docs_only.py": '"""Bindings made with CFFI; see FFI.cdef and set_source in its docs."""\n',
    "method.py": "class Recompiler:\n    def set_source(self, name):\n        self.name = name\n",
    "constant.py": "FFI_DEFAULT_ABI = 2\nuse_set_source = True\n",
    # Newer syntax than this Python reads: not parsed, so not reported as unparsable.
    "newer.py": "# uses FFI\nlazy import json\n",
}


def test_files_without_a_cffi_call_are_not_parsed(tmp_path, monkeypatch):
    for i in range(20):
        for name, text in NOT_BUILDERS.items():
            _write(tmp_path, f"src/pkg/_vendor/v{i}/{name}", text)
    _write(tmp_path, "src/pkg/_build.py", BUILDER.format(name="pkg._f"))
    parsed = []
    parse = ast.parse

    def counting(source, filename="<unknown>", *args, **kwargs):
        parsed.append(filename)
        return parse(source, filename, *args, **kwargs)

    monkeypatch.setattr(ast, "parse", counting)
    result = discover(tmp_path)
    assert [str(m.spec) for m in result.modules] == ["src/pkg/_build.py:ffibuilder"]
    assert result.skipped == ()
    assert parsed == ["src/pkg/_build.py"]


@pytest.mark.parametrize("code", [
    "import cffi\nffi = (cffi.FFI)()\nffi.set_source('pkg._f', None)\n",
    "import cffi\nffi = cffi.FFI \\\n  ()\nffi . set_source ('pkg._f', None)\n",
    "from cffi import FFI\nffi = FFI(  # why\n)\nffi.set_source(  # which\n 'pkg._f', None)\n",
    "from cffi import FFI\ndef make():\n    f = FFI\t()\n    (f.set_source\n    )('pkg._f', None)\n"
    "    return f\n",
])
def test_unusual_spellings_of_a_builder_still_pass_the_text_filter(tmp_path, code):
    _write(tmp_path, "pkg/b.py", code)
    assert [m.module_name for m in discover(tmp_path).modules] == ["pkg._f"]


def test_unusual_spelling_of_a_stray_set_source_is_still_reported(tmp_path):
    _write(tmp_path, "pkg/b.py", "obj = make()\n(obj .  # why\n    set_source) ('x', None)\n")
    (skipped,) = discover(tmp_path).skipped
    assert "set_source() is called on 'obj'" in skipped.reason


def test_environment_folders_are_not_searched(tmp_path):
    for env, marker in (("env", "pyvenv.cfg"), ("conda", "conda-meta/history")):
        _write(tmp_path, f"{env}/{marker}", "")
        _write(tmp_path, f"{env}/lib/python3.11/b.py", BUILDER.format(name=env))
    _write(tmp_path, "pkg/b.py", BUILDER.format(name="pkg._f"))
    assert [str(m.spec) for m in discover(tmp_path).modules] == ["pkg/b.py:ffibuilder"]


def test_list_reports_vendored_inline_ffi_but_not_cffi_words(tmp_path):
    """What `list` shows for a tree with vendored packages: the builder, the in-line FFI of a
    vendored module (it calls FFI()), nothing for files that only mention cffi."""
    (tmp_path / "pyproject.toml").write_text(
        '[build-system]\nrequires = ["setuptools", "cffi-build-plugin"]\n')
    _write(tmp_path, "src/pkg/_build.py", BUILDER.format(name="pkg._f"))
    for name, text in NOT_BUILDERS.items():
        _write(tmp_path, f"src/pkg/_vendor/{name}", text)
    _write(tmp_path, "src/pkg/_vendor/inline.py",
           "from cffi import FFI\nffi = FFI()\nlib = ffi.dlopen(None)\n")
    proc = subprocess.run([sys.executable, "-m", "cffi_build_plugin", "list", "--json",
                           str(tmp_path)], capture_output=True, text=True, check=False)
    assert proc.returncode == 0, proc.stderr
    data = json.loads(proc.stdout)
    assert [m["builder"] for m in data["modules"]] == ["src/pkg/_build.py:ffibuilder"]
    assert [s["path"] for s in data["skipped"]] == ["src/pkg/_vendor/inline.py"]
