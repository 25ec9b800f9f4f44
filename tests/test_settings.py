"""The settings reader: strict, every problem at once, key paths and did-you-mean."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cffi_build_plugin import ConfigError, ModuleSettings, Settings, parse_settings
from cffi_build_plugin.config.schema import generate_schema, render_schema, tool_schema

SCHEMA_FILE = Path(__file__).parent.parent / "cffi_build_plugin/config/schema.json"


def problems(table: object) -> list[str]:
    with pytest.raises(ConfigError) as info:
        parse_settings(table, "pyproject.toml")
    return info.value.problems


def test_defaults():
    assert parse_settings({}) == Settings()
    s = Settings()
    assert s.modules is None
    assert s.py_limited_api == "auto"
    assert s.missing_cffi_dependency == "error"
    assert s.ship_build_inputs is False


def test_full_table():
    s = parse_settings({
        "modules": ["a/b.py:ffi", {"builder": "c.py:make", "optional": True,
                                   "py-limited-api": False, "package": "pkg.sub"}],
        "include": ["src/**"],
        "exclude": ["src/vendor/**"],
        "py-limited-api": "cp310",
        "missing-cffi-dependency": "warn",
        "ship-build-inputs": True,
    })
    assert s.modules == (
        ModuleSettings("a/b.py:ffi"),
        ModuleSettings("c.py:make", optional=True, py_limited_api=False, package="pkg.sub"),
    )
    assert s.include == ("src/**",)
    assert s.py_limited_api == "cp310"


def test_unknown_key_did_you_mean():
    (msg,) = problems({"modul": []})
    assert msg.startswith('tool.cffi-build-plugin.modul: unknown key. Did you mean "modules"?')


def test_unknown_key_inside_module_table():
    (msg,) = problems({"modules": [{"builder": "a.py:f", "optionl": True}]})
    assert msg.startswith('tool.cffi-build-plugin.modules[0].optionl: unknown key. '
                          'Did you mean "optional"?')


@pytest.mark.parametrize(("table", "expected"), [
    ({"modules": "a.py:f"}, "tool.cffi-build-plugin.modules: expected a list"),
    ({"modules": ["a.py"]}, 'tool.cffi-build-plugin.modules[0].builder: expected a builder spec'),
    ({"modules": ["a.txt:f"]}, "modules[0].builder: expected a builder spec"),
    ({"modules": [3]}, "tool.cffi-build-plugin.modules[0]: expected"),
    ({"modules": [{"optional": True}]}, 'modules[0]: missing key "builder"'),
    ({"modules": [{"builder": "a.py:f", "optional": "yes"}]},
     "modules[0].optional: expected true or false, got a string ('yes')"),
    ({"modules": [{"builder": "a.py:f", "package": "1bad"}]}, "modules[0].package: expected"),
    ({"py-limited-api": True}, 'py-limited-api: expected "auto", false or a CPython tag'),
    ({"py-limited-api": "cp2"}, "py-limited-api: expected"),
    ({"include": "src"}, "include: expected a list of strings, got a string ('src')"),
    ({"exclude": [1]}, "exclude: expected a list of strings"),
    ({"missing-cffi-dependency": "ignore"},
     'missing-cffi-dependency: expected "error" or "warn"'),
    ({"ship-build-inputs": 1}, "ship-build-inputs: expected true or false, got an integer"),
])
def test_wrong_types_name_the_key(table, expected):
    (msg,) = problems(table)
    assert expected in msg


def test_all_problems_reported_together():
    found = problems({"modul": [], "py-limited-api": 3, "modules": [{"builder": 1}]})
    assert len(found) == 3
    text = str(ConfigError("pyproject.toml", found))
    assert text.startswith("invalid configuration in pyproject.toml:\n  - ")


def test_table_must_be_a_table():
    assert problems([1]) == ["tool.cffi-build-plugin: expected a table, got a list ([1])"]


_toml_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=8)
    | st.sampled_from(["auto", "cp39", "a.py:f", "error", "warn", "pkg.mod"]),
    lambda children: st.lists(children, max_size=3)
    | st.dictionaries(st.sampled_from(["builder", "optional", "package", "py-limited-api",
                                       "modules", "bogus"]) | st.text(max_size=5),
                      children, max_size=3),
    max_leaves=10,
)
_keys = st.sampled_from(["modules", "include", "exclude", "py-limited-api",
                         "missing-cffi-dependency", "ship-build-inputs", "modul"])


# A cold start (no .hypothesis cache, as in CI) builds Unicode tables on first use.
@settings(suppress_health_check=[HealthCheck.too_slow])
@given(st.dictionaries(_keys, _toml_values, max_size=4))
def test_any_value_tree_parses_or_raises_config_error(table):
    try:
        parse_settings(table)
    except ConfigError as exc:
        problems = exc.problems
    else:
        problems = ["parsed"]
    assert problems


def test_checked_in_schema_matches_the_model():
    assert json.loads(SCHEMA_FILE.read_text()) == generate_schema()
    assert SCHEMA_FILE.read_text() == render_schema()
    assert tool_schema("cffi-build-plugin") == generate_schema()


def test_schema_documents_every_field():
    schema = generate_schema()
    for prop in schema["properties"].values():
        assert prop["description"]
    assert set(schema["properties"]) == {
        "modules", "include", "exclude", "py-limited-api", "missing-cffi-dependency",
        "ship-build-inputs", "jobs", "compiler-cache", "debug-info", "options",
    }
    assert schema["properties"]["jobs"] == {
        "type": "integer", "minimum": 1, "description": schema["properties"]["jobs"]["description"]}
    assert schema["properties"]["compiler-cache"]["enum"] == ["auto", "ccache", "off"]


def test_validate_pyproject_uses_our_schema(tmp_path):
    # The plugin is installed in this environment, so validate-pyproject finds the entry point.
    good = tmp_path / "good.toml"
    good.write_text('[project]\nname = "x"\nversion = "1"\n[tool.cffi-build-plugin]\n'
                    'modules = ["a.py:ffi", { builder = "b.py:f", optional = true }]\n')
    bad = tmp_path / "bad.toml"
    bad.write_text('[project]\nname = "x"\nversion = "1"\n[tool.cffi-build-plugin]\n'
                   'modul = ["a.py:ffi"]\n')
    cmd = [sys.executable, "-m", "validate_pyproject"]
    assert subprocess.run([*cmd, str(good)], capture_output=True, check=False).returncode == 0
    proc = subprocess.run([*cmd, str(bad)], capture_output=True, text=True, check=False)
    assert proc.returncode != 0
    assert "modul" in proc.stdout + proc.stderr


def test_missing_cffi_message_variants():
    from cffi_build_plugin.modules.runtime_dependency import missing_cffi_message, requires_name

    static = missing_cffi_message("fastthing", ["fastthing._native"], dynamic=False)
    assert "Add this line to [project].dependencies in pyproject.toml:" in static
    assert """"cffi>=1.15; platform_python_implementation != 'PyPy'",""" in static
    dynamic = missing_cffi_message("fastthing", ["fastthing._native"], dynamic=True)
    assert "where they are defined" in dynamic
    assert requires_name(["CFFI >= 1.0 ; python_version > '3'"], "cffi")
    assert not requires_name(["cffi-build-plugin", "not a requirement !!"], "cffi")
