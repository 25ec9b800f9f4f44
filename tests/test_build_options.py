"""Build options: declared in pyproject.toml, set per build with -C or the environment, read by
builders through cffi_build_plugin.options(); whatever is addressed to us and matches no
declaration is an error.

The unit tests cover the declaration, the precedence and every message; the real builds
(tests/packages/options-demo, whose builder compiles one of two C files by an option) go
through ``python -m build -C`` on setuptools 70.1 (our floor), ``pip wheel
--config-settings=`` with CPython 3.9's pip 23.0.1 and PyPI's newest setuptools, and the
environment with this venv's setuptools, and call the compiled function to see which C was
built.
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

import pytest
from setuptools import Distribution

from cffi_build_plugin import BuildOptions, ConfigError, OptionError, options, parse_settings
from cffi_build_plugin.cli import main
from cffi_build_plugin.config.build_options import (
    Option,
    Origin,
    building_with,
    env_name,
    hook_config_settings,
    resolve,
)
from cffi_build_plugin.setuptools import STATE_ATTRIBUTE
from devtools.interpreters import Interpreter
from devtools.venvs import make_venv, run
from tests.checks import need_tool, validate_pyproject
from tests.conftest import PACKAGES, Tools, snapshot, tree_changes
from tests.test_bad_input import PLUGIN_FRAME, TRACEBACK, assert_says, base_env, log_of
from tests.wheels import PLATFORM, run_in_fresh_venv, tag

ProjectCopy = Callable[..., Path]

DECLARED: tuple[tuple[str, bool | int | str], ...] = (
    ("use-system-lib", False), ("level", 3), ("label", "plain"))
PYPROJECT = "/p/pyproject.toml"
KNOWN = ("Declared options (in [tool.cffi-build-plugin.options] of /p/pyproject.toml): "
         "use-system-lib, level, label.")
OPT = "cffi-build-plugin.options."
ENV = "CFFI_BUILD_PLUGIN_OPTION_"


def resolved(env: Mapping[str, str] | None = None,
             settings: Mapping[str, object] | None = None) -> BuildOptions:
    return resolve(DECLARED, env or {}, settings, PYPROJECT)


def problems(env: Mapping[str, str] | None = None,
             settings: Mapping[str, object] | None = None) -> tuple[str, list[str]]:
    """The ConfigError's source and problems."""
    with pytest.raises(ConfigError) as info:
        resolved(env, settings)
    return info.value.source, info.value.problems


# -- the declaration -----------------------------------------------------------------------------


def test_declaration_keeps_order_and_types():
    settings = parse_settings({"options": {"use-system-lib": False, "level": 3, "label": "",
                                           "x2": -1}})
    assert settings.options == (("use-system-lib", False), ("level", 3), ("label", ""),
                                ("x2", -1))
    assert parse_settings({}).options == ()
    hash(settings)  # still a frozen, hashable value


@pytest.mark.parametrize(("table", "expected"), [
    ({"use_system_lib": False},
     'tool.cffi-build-plugin.options.use_system_lib: an option name is lowercase letters, '
     'digits and dashes, starting with a letter (like "use-system-lib")'),
    ({"Level": 1}, 'options.Level: an option name is lowercase letters, digits and dashes, '
                   'starting with a letter (like "level")'),
    ({"3d": True}, "options.3d: an option name is lowercase letters, digits and dashes, "
                   "starting with a letter"),
    ({"ratio": 1.5}, "tool.cffi-build-plugin.options.ratio: expected a default value of true or "
                     "false, an integer or a string (its type is the option's type), got a "
                     "float (1.5)"),
    ({"libs": ["a"]}, "options.libs: expected a default value of true or false, an integer or "
                      "a string (its type is the option's type), got a list (['a'])"),
])
def test_declaration_errors_name_the_key(table: dict[str, object], expected: str):
    with pytest.raises(ConfigError) as info:
        parse_settings({"options": table})
    (problem,) = info.value.problems
    assert expected in problem


def test_declaration_must_be_a_table_and_reports_every_problem():
    with pytest.raises(ConfigError) as info:
        parse_settings({"options": ["use-system-lib"]})
    assert info.value.problems == [
        "tool.cffi-build-plugin.options: expected a table of option names and their default "
        "values (use-system-lib = false), got a list (['use-system-lib'])"]
    with pytest.raises(ConfigError) as info:
        parse_settings({"options": {"A": 1, "b": 1.0, "ok": 1}, "jobs": 0})
    assert len(info.value.problems) == 3


def test_validate_pyproject_knows_the_options_table(tmp_path: Path):
    head = '[project]\nname = "x"\nversion = "1"\n[tool.cffi-build-plugin.options]\n'
    cases = {'use-system-lib = false\nlevel = 3\nlabel = "x"\n': True,
             "use_system_lib = false\n": False, "ratio = 1.5\n": False}
    for body, valid in cases.items():
        path = tmp_path / "pyproject.toml"
        path.write_text(head + body)
        proc = validate_pyproject(path)
        assert (proc.returncode == 0) == valid, (body, proc.stdout + proc.stderr)


# -- precedence and parsing ----------------------------------------------------------------------


def test_defaults_when_nothing_is_set():
    opts = resolved({"PATH": "/bin", "CFFI_BUILD_PLUGIN_JOBS": "2"}, {"--build-option": "x"})
    assert dict(opts) == {"use-system-lib": False, "level": 3, "label": "plain"}
    assert {str(opts.origin(n)) for n in opts} == {"default"}


@pytest.mark.parametrize(("env", "settings", "value", "origin"), [
    pytest.param({}, {}, 3, Origin("default"), id="default"),
    pytest.param({f"{ENV}LEVEL": "5"}, {}, 5, Origin("environment", f"{ENV}LEVEL"),
                 id="environment-over-default"),
    pytest.param({f"{ENV}LEVEL": "5"}, {f"{OPT}level": "7"}, 7,
                 Origin("config-settings", f"{OPT}level"), id="config-settings-over-environment"),
    pytest.param({}, {f"{OPT}level": "7"}, 7, Origin("config-settings", f"{OPT}level"),
                 id="config-settings-over-default"),
    pytest.param({f"{ENV}LEVEL": ""}, {}, 3, Origin("default"), id="empty-variable-is-unset"),
    pytest.param({f"{ENV}LEVEL": "  "}, {}, 3, Origin("default"), id="blank-variable-is-unset"),
    pytest.param({}, {f"{OPT}level": ["1", "2", "9"]}, 9,
                 Origin("config-settings", f"{OPT}level"), id="repeated-key-last-wins"),
    pytest.param({}, {"cffi_build_plugin.options.level": "4"}, 4,
                 Origin("config-settings", "cffi_build_plugin.options.level"),
                 id="underscored-key"),
])
def test_precedence(env: dict[str, str], settings: dict[str, object], value: int,
                    origin: Origin):
    opts = resolved(env, settings)
    assert opts["level"] == value
    assert opts.origin("level") == origin
    assert opts.option("level") == Option("level", value, 3, origin)


@pytest.mark.parametrize(("raw", "value"), [
    *[(s, True) for s in ("true", "True", "TRUE", "1", "yes", "Yes", "on", "ON", " true ")],
    *[(s, False) for s in ("false", "False", "0", "no", "NO", "off", "Off")],
])
def test_boolean_spellings(raw: str, value: bool):
    assert resolved({f"{ENV}USE_SYSTEM_LIB": raw})["use-system-lib"] is value
    assert resolved(settings={f"{OPT}use-system-lib": raw})["use-system-lib"] is value


@pytest.mark.parametrize(("raw", "value"), [("42", 42), ("-3", -3), ("+7", 7), (" 5 ", 5),
                                            ("007", 7)])
def test_integers_are_decimal(raw: str, value: int):
    assert resolved(settings={f"{OPT}level": raw}).number("level") == value


def test_strings_are_kept_as_given():
    opts = resolved({f"{ENV}LABEL": " two words "}, {})
    assert opts.text("label") == " two words "
    # -C with an empty value is an empty string; an empty variable is unset.
    assert resolved(settings={f"{OPT}label": ""}).text("label") == ""


@pytest.mark.parametrize(("name", "raw", "expected"), [
    *[("use-system-lib", raw, "expected true or false (or 1/0, yes/no, on/off) for build option "
       '"use-system-lib" (it is a boolean, default false), got ' + repr(raw))
      for raw in ("maybe", "2", "tru", "")],
    *[("level", raw, "expected a whole number in decimal (like 3 or -1) for build option "
       '"level" (it is an integer, default 3), got ' + repr(raw))
      for raw in ("three", "3.0", "0x10", "1e3", "", "\u0663")],
])
def test_bad_values_name_option_source_value_and_type(name: str, raw: str, expected: str):
    source, found = problems(settings={OPT + name: raw})
    assert source == "the config settings (-C)"
    assert found == [f"-C {OPT}{name}: {expected}"]
    if raw:  # (an empty variable is unset)
        variable = env_name(name)
        source, found = problems({variable: raw})
        assert source == "the environment"
        assert found == [f"{variable}: {expected}"]


def test_non_string_config_value():
    _, found = problems(settings={f"{OPT}level": 3})
    assert found == [f"-C {OPT}level: expected a string value (KEY=VALUE), got 3"]


# -- unknown options: never ignored --------------------------------------------------------------


@pytest.mark.parametrize(("env", "expected"), [
    pytest.param({f"{ENV}USE_SYTEM_LIB": "1"},
                 f'{ENV}USE_SYTEM_LIB: unknown build option "use-sytem-lib". Did you mean '
                 f'"{ENV}USE_SYSTEM_LIB"? {KNOWN}', id="misspelt"),
    pytest.param({f"{ENV}use_system_lib": "1"},
                 f'{ENV}use_system_lib: unknown build option "use-system-lib". Did you mean '
                 f'"{ENV}USE_SYSTEM_LIB"? {KNOWN}', id="lowercase-variable"),
    pytest.param({f"{ENV}COLOR": "red"},
                 f'{ENV}COLOR: unknown build option "color". {KNOWN}', id="nothing-close"),
])
def test_unknown_environment_option(env: dict[str, str], expected: str):
    assert problems(env) == ("the environment", [expected])


@pytest.mark.parametrize(("key", "expected"), [
    pytest.param(f"{OPT}use-sytem-lib",
                 f'unknown build option "use-sytem-lib". Did you mean '
                 f'"{OPT}use-system-lib"? {KNOWN}', id="misspelt"),
    pytest.param(f"{OPT}LEVL", f'unknown build option "LEVL". Did you mean "{OPT}level"? ',
                 id="uppercase"),
    pytest.param("cffi-build-plugin.option.level",
                 "not a config setting of cffi-build-plugin (its only ones are build options: "
                 f'{OPT}NAME=VALUE). Did you mean "{OPT}level"? {KNOWN}', id="option-singular"),
    pytest.param("cffi-build-plugin.level",
                 f'not a config setting of cffi-build-plugin (its only ones are build options: '
                 f'{OPT}NAME=VALUE). Did you mean "{OPT}level"?', id="no-section"),
    pytest.param("cffi-build-plugin.options.", "not a config setting of cffi-build-plugin",
                 id="no-name"),
    pytest.param("cffi-build-plugin", "not a config setting of cffi-build-plugin", id="bare"),
])
def test_unknown_config_setting(key: str, expected: str):
    source, found = problems(settings={key: "1"})
    assert source == "the config settings (-C)"
    assert len(found) == 1
    assert found[0].startswith(f"-C {key}: {expected}"), found[0]


def test_other_tools_config_settings_are_left_alone():
    settings = {"--build-option": ["--debug"], "--global-option": "-q", "editable_mode": "strict",
                "cffi-build-plugin-extra.x": "1", "cffi-build-pluginx": "1", 3: "odd key"}
    assert dict(resolved(settings=settings)) == dict(resolved())


def test_project_without_options_names_where_to_declare():
    with pytest.raises(ConfigError) as info:
        resolve((), {f"{ENV}USE_SYSTEM_LIB": "1"}, None, PYPROJECT)
    assert info.value.problems == [
        f'{ENV}USE_SYSTEM_LIB: unknown build option "use-system-lib". This project declares no '
        "build options: declare them in [tool.cffi-build-plugin.options] of /p/pyproject.toml "
        "(name = default value)."]


def test_every_problem_at_once():
    with pytest.raises(ConfigError) as info:
        resolved({f"{ENV}LEVL": "1", f"{ENV}LEVEL": "x"},
                 {f"{OPT}lvel": "1", f"{OPT}use-system-lib": "maybe", "cffi-build-plugin.x": ""})
    assert str(info.value).startswith(
        "invalid configuration in the config settings (-C) and the environment:\n  - -C ")
    assert len(info.value.problems) == 5


# -- reading them: the typed API -----------------------------------------------------------------


def test_mapping_and_typed_getters():
    opts = resolved({f"{ENV}USE_SYSTEM_LIB": "yes"}, {f"{OPT}label": "x"})
    assert isinstance(opts, Mapping)
    assert list(opts) == ["use-system-lib", "level", "label"]
    assert len(opts) == 3
    assert opts == {"use-system-lib": True, "level": 3, "label": "x"}
    assert "use_system_lib" in opts
    assert opts["use_system_lib"] is True
    assert opts.get("missing") is None
    assert (opts.flag("use-system-lib"), opts.flag("use_system_lib")) == (True, True)
    assert opts.number("level") == 3
    assert opts.text("label") == "x"
    assert str(opts.origin("use-system-lib")) == f"environment variable {ENV}USE_SYSTEM_LIB"
    assert str(opts.origin("label")) == f"config setting {OPT}label"
    assert [o.type_name for o in opts.entries()] == ["boolean", "integer", "string"]
    assert repr(opts) == "BuildOptions({'use-system-lib': True, 'level': 3, 'label': 'x'})"
    with pytest.raises(KeyError):
        opts["missing"]


def test_immutable():
    opts = resolved()
    with pytest.raises(TypeError):
        opts["level"] = 4  # type: ignore[index]
    with pytest.raises(AttributeError):
        opts._options = {}  # type: ignore[misc]
    with pytest.raises(TypeError):
        opts._options["level"] = Option("level", 4, 3)  # type: ignore[index]
    assert opts.number("level") == 3


@pytest.mark.parametrize(("read", "expected"), [
    (lambda o: o.number("label"),
     'build option "label" is a string (its default in [tool.cffi-build-plugin.options] is '
     '"plain"): read it with options().text("label"), not number()'),
    (lambda o: o.text("use-system-lib"),
     'build option "use-system-lib" is a boolean (its default in '
     '[tool.cffi-build-plugin.options] is false): read it with '
     'options().flag("use-system-lib"), not text()'),
    (lambda o: o.flag("level"), 'build option "level" is an integer'),
    (lambda o: o.flag("use-sytem-lib"),
     'build option "use-sytem-lib" is not declared. Did you mean "use-system-lib"? Declared '
     "options: use-system-lib, level, label. To add it, declare it in "
     "[tool.cffi-build-plugin.options] of /p/pyproject.toml with its default"),
    (lambda o: o.origin("nope"), 'build option "nope" is not declared. Declared options:'),
])
def test_getter_errors(read: Callable[[BuildOptions], object], expected: str):
    with pytest.raises(OptionError) as info:
        read(resolved())
    assert str(info.value).startswith(expected), str(info.value)


# -- where a build's config settings come from ---------------------------------------------------

_FAKE_BACKEND = textwrap.dedent("""
    def build_wheel(wheel_directory, config_settings=None, metadata_directory=None):
        return run_setup()

    def run_setup():
        __name__ = "__main__"  # as setuptools' run_setup: a local, not the module's name
        return plugin()
""")


def _fake_hook(module: str, plugin: Callable[[], Any], config_settings: object) -> Any:
    """Call *plugin* from inside a build_wheel hook defined in a module named *module*."""
    namespace: dict[str, Any] = {"__name__": module, "plugin": plugin}
    exec(_FAKE_BACKEND, namespace)
    return namespace["build_wheel"]("dist", config_settings)


def test_config_settings_found_on_the_stack():
    settings = {f"{OPT}level": "4"}
    assert _fake_hook("setuptools.build_meta", hook_config_settings, settings) is settings
    assert _fake_hook("setuptools.build_meta", hook_config_settings, None) == {}
    assert _fake_hook("other.backend", hook_config_settings, settings) is None
    assert hook_config_settings() is None


def test_installed_setuptools_names_the_argument_config_settings():
    # What the stack lookup relies on, read from the source (importing setuptools.build_meta
    # here would make later in-process tests look like PEP 517 builds); the real builds check
    # setuptools 70.1 and PyPI's newest.
    import ast
    import importlib.util

    spec = importlib.util.find_spec("setuptools.build_meta")
    assert spec is not None
    assert spec.origin is not None
    tree = ast.parse(Path(spec.origin).read_text())
    functions = {f.name: [a.arg for a in f.args.args] for f in ast.walk(tree)
                 if isinstance(f, ast.FunctionDef)}
    for hook in ("build_wheel", "build_sdist", "build_editable", "get_requires_for_build_wheel",
                 "get_requires_for_build_sdist", "get_requires_for_build_editable",
                 "prepare_metadata_for_build_wheel", "prepare_metadata_for_build_editable",
                 "_build_with_temp_dir", "_get_build_requires"):
        assert "config_settings" in functions[hook], (hook, functions.get(hook))


def _write_project(root: Path, options_table: str) -> None:
    (root / "pyproject.toml").write_text(
        f"[tool.cffi-build-plugin]\nmodules = []\n[tool.cffi-build-plugin.options]\n"
        f"{options_table}")


def test_plugin_activation_resolves_and_checks_them(tmp_path: Path,
                                                    monkeypatch: pytest.MonkeyPatch):
    monkeypatch.chdir(tmp_path)
    _write_project(tmp_path, "level = 3\n")
    monkeypatch.setenv(f"{ENV}LEVEL", "5")
    dist = _fake_hook("setuptools.build_meta", lambda: Distribution({"name": "x"}),
                      {f"{OPT}level": "6"})
    assert getattr(dist, STATE_ATTRIBUTE).options == {"level": 6}
    assert getattr(Distribution({"name": "x"}), STATE_ATTRIBUTE).options == {"level": 5}
    # An unknown one fails the Distribution's creation, whatever the builders read.
    with pytest.raises(ConfigError, match=f'-C {OPT}lvel: unknown build option "lvel"'):
        _fake_hook("setuptools.build_meta", lambda: Distribution({"name": "x"}),
                   {f"{OPT}lvel": "6"})


def test_options_outside_a_build_read_the_current_directory(tmp_path: Path,
                                                            monkeypatch: pytest.MonkeyPatch):
    monkeypatch.chdir(tmp_path)
    # No pyproject.toml: nothing declared, and the error says where it looked.
    assert options() == {}
    with pytest.raises(OptionError, match=r"declare it in \[tool.cffi-build-plugin.options\] "
                                          r"of .*pyproject.toml \(there is none: outside a build"):
        options().flag("use-system-lib")
    _write_project(tmp_path, "use-system-lib = false\nlevel = 3\n")
    monkeypatch.setenv(f"{ENV}USE_SYSTEM_LIB", "1")
    opts = options()
    assert opts == {"use-system-lib": True, "level": 3}
    assert opts.declared_in == str(tmp_path / "pyproject.toml")
    monkeypatch.setenv(f"{ENV}USE_SYSTEM_LIBS", "1")
    with pytest.raises(ConfigError, match=f"{ENV}USE_SYSTEM_LIBS: unknown build option"):
        options()


def test_options_during_a_build_are_the_builds(tmp_path: Path,
                                               monkeypatch: pytest.MonkeyPatch):
    monkeypatch.chdir(tmp_path)
    active = BuildOptions([Option("level", 9, 3, Origin("config-settings", f"{OPT}level"))])
    with building_with(active):
        assert options() is active
    assert options() == {}


# -- cffi-build-plugin list ----------------------------------------------------------------------

DEMO = PACKAGES / "options-demo"


def test_list_shows_options_with_value_and_origin(monkeypatch: pytest.MonkeyPatch,
                                                  capsys: pytest.CaptureFixture[str]):
    monkeypatch.setenv(f"{ENV}SCALE", "4")
    assert main(["list", str(DEMO)]) == 0
    out = capsys.readouterr().out
    assert ("build options (set with -C cffi-build-plugin.options.NAME=VALUE or "
            "CFFI_BUILD_PLUGIN_OPTION_NAME=VALUE):\n"
            "  OPTION     TYPE     VALUE    FROM\n"
            "  fast-impl  boolean  false    default\n"
            f"  scale      integer  4        {ENV}SCALE\n"
            '  label      string   "plain"  default\n') in out
    assert main(["list", "--json", str(DEMO)]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["options"] == [
        {"name": "fast-impl", "type": "boolean", "value": False, "default": False,
         "origin": "default", "set_by": None},
        {"name": "scale", "type": "integer", "value": 4, "default": 1,
         "origin": "environment", "set_by": f"{ENV}SCALE"},
        {"name": "label", "type": "string", "value": "plain", "default": "plain",
         "origin": "default", "set_by": None},
    ]


def test_list_without_options_shows_none(capsys: pytest.CaptureFixture[str]):
    assert main(["list", str(PACKAGES / "flat-api")]) == 0
    assert "build options" not in capsys.readouterr().out
    assert main(["list", "--json", str(PACKAGES / "flat-api")]) == 0
    assert json.loads(capsys.readouterr().out)["options"] == []


def test_cibuildwheel_passes_the_readme_form(project_copy: ProjectCopy,
                                            monkeypatch: pytest.MonkeyPatch):
    # README's [tool.cibuildwheel] config-settings, as cibuildwheel 4 reads it and hands it to
    # its front end; validate-pyproject accepts it with both schemas.
    need_tool("cibuildwheel")
    from cibuildwheel.frontend import get_build_frontend_extra_flags
    from cibuildwheel.options import CommandLineArguments, compute_options

    project = project_copy("options-demo")
    pyproject = project / "pyproject.toml"
    pyproject.write_text(pyproject.read_text() + (
        '\n[tool.cibuildwheel]\nconfig-settings = { "cffi-build-plugin.options.fast-impl" = '
        '"true", "cffi-build-plugin.options.label" = "two words" }\n'))
    assert validate_pyproject(pyproject).returncode == 0
    monkeypatch.chdir(project.parent)
    args = CommandLineArguments.defaults()
    args.platform = "linux"  # type: ignore[assignment]
    args.package_dir = project
    build = compute_options("linux", args, env={}).build_options(  # type: ignore[arg-type]
        "cp311-manylinux_x86_64")
    assert build.build_frontend is not None
    flags = get_build_frontend_extra_flags(build.build_frontend, 0, build.config_settings)
    assert flags[:2] == [f"-C{OPT}fast-impl=true", f"-C{OPT}label=two words"]


# -- real builds ---------------------------------------------------------------------------------

#: What the fixture's functions say, in a fresh venv with the wheel installed.
SHOW = "import optdemo; print(optdemo.implementation(), optdemo.scale(), optdemo.label(), sep='|')"


def _no_isolation(project: Path, out: Path, settings: Sequence[str] = (),
                  env: Mapping[str, str | None] | None = None
                  ) -> subprocess.CompletedProcess[str]:
    """``python -m build --wheel --no-isolation`` with this venv's setuptools (84.x)."""
    return run([sys.executable, "-m", "build", "--wheel", "--no-isolation",
                "--skip-dependency-check", *(f"-C{s}" for s in settings), "--outdir", out,
                project], env=base_env(env), check=False, timeout=300)


@pytest.mark.slow
def test_build_config_settings_on_the_setuptools_floor(py311: Interpreter, tools: Tools,
                                                       env: dict[str, str],
                                                       project_copy: ProjectCopy,
                                                       tmp_path: Path):
    project = project_copy("options-demo")
    before = snapshot(project)
    constraints = tmp_path / "constraints.txt"
    constraints.write_text("setuptools==70.1.0\n")
    out = tmp_path / "out"
    proc = run([tools(py311), "-m", "build", "--wheel", "--outdir", out,
                "-C", f"{OPT}fast-impl=true", "-C", f"{OPT}scale=3",
                f"--config-setting={OPT}label=from -C", project],
               env={**env, "PIP_CONSTRAINT": str(constraints), f"{ENV}SCALE": "5",
                    f"{ENV}LABEL": "from the environment"})
    assert "setuptools 70.1.0" in proc.stdout, proc.stdout
    assert f"fast-impl = True (config setting {OPT}fast-impl)" in proc.stdout
    (wheel,) = out.glob("*.whl")
    assert tag(wheel) == f"cp39-abi3-{PLATFORM}"
    assert run_in_fresh_venv(py311, wheel, SHOW, tmp_path, env) == "fast|3|from -C\n"
    assert tree_changes(before, snapshot(project)) == []


@pytest.mark.slow
def test_pip_wheel_long_form_on_pip_23_0(py39: Interpreter, env: dict[str, str],
                                         project_copy: ProjectCopy, tmp_path: Path):
    project = project_copy("options-demo")
    python = make_venv(py39, tmp_path / "pip-venv", env=env, with_pip=True)
    # pip 23.0 has no -C; --config-settings is the spelling every pip since 22.1 knows.
    run([python, "-m", "pip", "wheel", "--no-deps", "-w", tmp_path / "wh",
         f"--config-settings={OPT}label=via pip", f"--config-settings={OPT}fast_impl=off",
         project], env=env)
    (wheel,) = (tmp_path / "wh").glob("*.whl")
    assert run_in_fresh_venv(py39, wheel, SHOW, tmp_path, env) == "portable|1|via pip\n"


@pytest.mark.slow
def test_environment_variables(py311: Interpreter, env: dict[str, str],
                               project_copy: ProjectCopy, tmp_path: Path):
    project = project_copy("options-demo")
    before = snapshot(project)
    proc = _no_isolation(project, tmp_path / "out", env={
        f"{ENV}FAST_IMPL": "yes", f"{ENV}LABEL": "from env", f"{ENV}SCALE": ""})
    assert proc.returncode == 0, log_of(proc)
    assert f"fast-impl = True (environment variable {ENV}FAST_IMPL)" in proc.stdout
    (wheel,) = (tmp_path / "out").glob("*.whl")
    assert run_in_fresh_venv(py311, wheel, SHOW, tmp_path, env) == "fast|1|from env\n"
    assert tree_changes(before, snapshot(project)) == []


_DECLARED_DEMO = ("Declared options (in [tool.cffi-build-plugin.options] of {pyproject}): "
                  "fast-impl, scale, label.")


@pytest.mark.slow
@pytest.mark.parametrize(("fixture", "settings", "variables", "expected"), [
    pytest.param("options-demo", [f"{OPT}fast-imp=1"], {},
                 ["invalid configuration in the config settings (-C):",
                  f'-C {OPT}fast-imp: unknown build option "fast-imp". Did you mean '
                  f'"{OPT}fast-impl"? {_DECLARED_DEMO}'], id="unknown-config-setting"),
    pytest.param("options-demo", [], {f"{ENV}FAST": "1"},
                 ["invalid configuration in the environment:",
                  f'{ENV}FAST: unknown build option "fast". Did you mean "{ENV}FAST_IMPL"? '
                  + _DECLARED_DEMO], id="unknown-variable"),
    # Even a project that declares none and whose builder never reads them.
    pytest.param("flat-api", [], {f"{ENV}USE_SYSTEM_LIB": "1"},
                 [f'{ENV}USE_SYSTEM_LIB: unknown build option "use-system-lib". This project '
                  "declares no build options: declare them in [tool.cffi-build-plugin.options] "
                  "of {pyproject} (name = default value)."], id="unknown-no-declaration"),
    pytest.param("options-demo", ["cffi-build-plugin.option.scale=2"], {},
                 ["-C cffi-build-plugin.option.scale: not a config setting of "
                  f'cffi-build-plugin (its only ones are build options: {OPT}NAME=VALUE). Did '
                  f'you mean "{OPT}scale"?'], id="wrong-prefix"),
    pytest.param("options-demo", [f"{OPT}scale=three"], {},
                 [f"-C {OPT}scale: expected a whole number in decimal (like 3 or -1) for build "
                  "option \"scale\" (it is an integer, default 1), got 'three'"],
                 id="bad-config-value"),
    pytest.param("options-demo", [], {f"{ENV}FAST_IMPL": "maybe"},
                 [f"{ENV}FAST_IMPL: expected true or false (or 1/0, yes/no, on/off) for build "
                  "option \"fast-impl\" (it is a boolean, default false), got 'maybe'"],
                 id="bad-variable-value"),
])
def test_wrong_options_fail_the_build(fixture: str, settings: list[str],
                                      variables: dict[str, str], expected: list[str],
                                      project_copy: ProjectCopy, tmp_path: Path):
    project = project_copy(fixture)
    expected = [e.replace("{pyproject}", str(project / "pyproject.toml")) for e in expected]
    before = snapshot(project)
    out = tmp_path / "out"
    proc = _no_isolation(project, out, settings, variables)
    log = log_of(proc)
    assert proc.returncode != 0, log
    assert not list(out.glob("*.whl")), log
    assert TRACEBACK not in log, log
    assert not PLUGIN_FRAME.search(log), log
    assert_says(log, expected)
    assert tree_changes(before, snapshot(project)) == [], log
    if variables:  # `list` says the same (it sees no config settings)
        proc = run([sys.executable, "-m", "cffi_build_plugin", "list", project],
                   env=base_env(variables), check=False)
        assert proc.returncode == ConfigError.exit_code, log_of(proc)
        assert proc.stderr.startswith("ERROR invalid configuration in the environment:")
        assert_says(proc.stderr, expected[-1:])
