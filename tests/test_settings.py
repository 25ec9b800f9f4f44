"""The settings reader: strict, every problem at once, key paths and did-you-mean."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from dataclasses import fields
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cffi_build_plugin import ConfigError, ModuleSettings, Settings, parse_settings
from cffi_build_plugin.config.schema import generate_schema, render_schema, tool_schema
from cffi_build_plugin.config.settings import TABLE, toml_key

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
                         "missing-cffi-dependency", "ship-build-inputs", "jobs", "compiler-cache",
                         "debug-info", "options", "stubs", "modul"])
_KNOWN_KEYS = {"modules", "include", "exclude", "py-limited-api", "missing-cffi-dependency",
               "ship-build-inputs", "jobs", "compiler-cache", "debug-info", "options", "stubs"}


# A cold start (no .hypothesis cache, as in CI) builds Unicode tables on first use.
@settings(suppress_health_check=[HealthCheck.too_slow])
@given(st.dictionaries(_keys, _toml_values, max_size=4))
def test_any_value_tree_parses_or_raises_config_error_naming_its_keys(table):
    """No other exception, whatever the table; every problem names a key path of the table;
    an unknown key is always a problem."""
    found: list[str] = []
    try:
        parsed = parse_settings(table)
    except ConfigError as exc:
        found = exc.problems
    else:
        assert set(table) <= _KNOWN_KEYS
        assert isinstance(parsed, Settings)
        return
    assert found
    for problem in found:
        assert any(problem.startswith(f"{TABLE}.{key}") for key in table), problem
    if "modul" in table:
        assert any(p.startswith(f"{TABLE}.modul: unknown key") for p in found)


# -- valid tables parse to the values given; one wrong value is one problem, at its key ----------

#: Text with no newline: a value the readers must take or refuse as a whole.
_line = st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\n"),
                max_size=8)
_ident = st.from_regex(r"[A-Za-z_][A-Za-z0-9_]{0,6}", fullmatch=True)
_spec = st.builds(lambda folder, stem, name: f"{folder}{stem}.py:{name}",
                  st.sampled_from(["", "src/", "tools/sub dir/", "ü/"]),
                  st.text(st.characters(blacklist_categories=("Cs",),
                                        blacklist_characters=":\n"), min_size=1, max_size=6),
                  _ident)
_limited = st.sampled_from(["auto", False]) | st.integers(0, 99).map(lambda n: f"cp3{n}")
_package = st.lists(_ident, min_size=1, max_size=3).map(".".join)
_option_name = st.from_regex(r"[a-z][a-z0-9]{0,4}(-[a-z0-9]{1,3}){0,2}", fullmatch=True)


def _same(strategy):
    """(TOML value, parsed value) pairs of a value the reader keeps as it is."""
    return strategy.map(lambda v: (v, v))


@st.composite
def _module_entry(draw):
    spec = draw(_spec)
    if draw(st.booleans()):
        return spec, ModuleSettings(spec)
    extra = draw(st.fixed_dictionaries({}, optional={
        "optional": st.booleans(), "py-limited-api": _limited, "package": _package}))
    return {"builder": spec, **extra}, ModuleSettings(
        spec, **{k.replace("-", "_"): v for k, v in extra.items()})


def _modules_pairs(entries):
    return [e[0] for e in entries], tuple(e[1] for e in entries)


_VALID = {
    "modules": st.lists(_module_entry(), max_size=3).map(_modules_pairs),
    "include": st.lists(_line, max_size=3).map(lambda v: (v, tuple(v))),
    "exclude": st.lists(_line, max_size=3).map(lambda v: (v, tuple(v))),
    "py-limited-api": _same(_limited),
    "missing-cffi-dependency": _same(st.sampled_from(["error", "warn"])),
    "ship-build-inputs": _same(st.booleans()),
    "stubs": _same(st.booleans()),
    "jobs": _same(st.integers(min_value=1)),
    "compiler-cache": _same(st.sampled_from(["auto", "ccache", "off"])),
    "debug-info": _same(st.booleans()),
    "options": st.dictionaries(_option_name, st.booleans() | st.integers() | _line,
                               max_size=3).map(lambda d: (d, tuple(d.items()))),
}

_not_bool = st.integers() | _line | st.floats(allow_nan=False) | st.lists(st.booleans(),
                                                                           max_size=2)
_not_str_list = (_line | st.integers() | st.booleans()
                 | st.lists(_line, max_size=2).flatmap(
                     lambda strs: st.integers().map(lambda n: [*strs, n])))
_not_spec = _line.filter(lambda v: not re.fullmatch(r"[^:]+\.py:[A-Za-z_][A-Za-z0-9_]*", v))
_INVALID_VALUES = {
    "modules": (_line | st.integers() | st.dictionaries(_line, st.booleans(), max_size=2)
                | st.one_of(st.integers(), st.booleans(), _not_spec,
                            st.just({"optional": True}),
                            _not_spec.map(lambda v: {"builder": v}),
                            _not_bool.map(lambda v: {"builder": "a.py:f", "optional": v}),
                            st.just({"builder": "a.py:f", "optionl": True})).map(
                                lambda bad: ["ok.py:ffi", bad])),
    "include": _not_str_list,
    "exclude": _not_str_list,
    "py-limited-api": (st.just(True) | st.integers()
                       | _line.filter(lambda v: v != "auto" and not re.fullmatch(r"cp3\d{1,2}",
                                                                                  v))),
    "missing-cffi-dependency": _not_bool.filter(lambda v: v not in ("error", "warn"))
    | st.booleans(),
    "ship-build-inputs": _not_bool,
    "stubs": _not_bool,
    "jobs": st.integers(max_value=0) | st.booleans() | _line | st.floats(allow_nan=False),
    "compiler-cache": _line.filter(lambda v: v not in ("auto", "ccache", "off"))
    | st.booleans() | st.integers(),
    "debug-info": _not_bool,
    "options": (_line | st.integers() | st.lists(st.booleans(), max_size=2)
                | st.dictionaries(_option_name, st.floats(allow_nan=False)
                                  | st.lists(st.booleans(), max_size=2), min_size=1, max_size=2)
                | st.dictionaries(_line.filter(lambda v: not re.fullmatch(
                    r"[a-z][a-z0-9]*(-[a-z0-9]+)*", v)), st.booleans(), min_size=1, max_size=2)),
}
_valid_tables = st.fixed_dictionaries({}, optional=_VALID)


def test_the_fuzz_covers_every_setting():
    assert set(_VALID) == set(_INVALID_VALUES) == {toml_key(f) for f in fields(Settings)}


@settings(suppress_health_check=[HealthCheck.too_slow])
@given(_valid_tables)
def test_every_valid_table_parses_to_the_values_given(pairs):
    table = {key: toml for key, (toml, _) in pairs.items()}
    expected = Settings(**{key.replace("-", "_"): value for key, (_, value) in pairs.items()})
    assert parse_settings(table) == expected


@settings(suppress_health_check=[HealthCheck.too_slow])
@given(_valid_tables, st.data())
def test_one_wrong_value_is_a_config_error_naming_its_key(pairs, data):
    key = data.draw(st.sampled_from(sorted(_INVALID_VALUES)), label="key")
    bad = data.draw(_INVALID_VALUES[key], label="bad value")
    table = {k: toml for k, (toml, _) in pairs.items()}
    table[key] = bad
    with pytest.raises(ConfigError) as info:
        parse_settings(table)
    assert info.value.problems
    for problem in info.value.problems:
        assert problem.startswith(f"{TABLE}.{key}"), problem
        assert TABLE + "." + key in str(info.value)


@settings(suppress_health_check=[HealthCheck.too_slow])
@given(_valid_tables, st.text(st.characters(min_codepoint=0x21, max_codepoint=0x7e),
                              min_size=1, max_size=12))
def test_an_unknown_key_is_named(pairs, key):
    if key in _KNOWN_KEYS:
        key += "x"
    table = {k: toml for k, (toml, _) in pairs.items()}
    table[key] = True
    with pytest.raises(ConfigError) as info:
        parse_settings(table)
    assert [p for p in info.value.problems if not p.startswith(f"{TABLE}.{key}: unknown key.")] \
        == []


@pytest.mark.parametrize("table", [
    {"py-limited-api": "cp39\n"},
    {"modules": ["a.py:f\n"]},
    {"modules": [{"builder": "a.py:f", "package": "pkg\n"}]},
], ids=["py-limited-api", "builder", "package"])
def test_a_value_with_a_trailing_newline_is_refused(table):
    problems(table)


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
        "ship-build-inputs", "jobs", "compiler-cache", "debug-info", "options", "stubs",
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
