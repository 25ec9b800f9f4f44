"""What `init` writes into .github/workflows/: the workflow that builds the sdist, the wheels
from it, checks and tests them and publishes them, filled in from the templates."""

from __future__ import annotations

import re
from importlib import resources

from packaging.utils import canonicalize_name

from cffi_build_plugin import __version__
from cffi_build_plugin.modules.abi import PythonVersion

from .actions import CIBUILDWHEEL, PINS
from .cibuildwheel import ProjectFacts

__all__ = ["ENVIRONMENT", "plugin_check_requirement", "test_pythons", "workflow"]

#: The GitHub environment of the publishing job; the trusted publisher names it too.
ENVIRONMENT = "pypi"
#: The oldest and newest CPython release the pure wheel's tests run on (actions/setup-python
#: names), and the PyPy; the oldest moves up with requires-python.
_OLDEST_CPYTHON: PythonVersion = (3, 9)
_NEWEST_CPYTHON: PythonVersion = (3, 14)
_PYPY: PythonVersion = (3, 11)
_RUN_INDENT = " " * 10


def plugin_check_requirement() -> str:
    """The plugin with its check extra, at least the release that wrote the workflow (whose
    check knows the wheels it builds); unpinned above, like [build-system].requires, so the
    check is the release the builds use."""
    release = re.match(r"\d+(?:\.\d+)*", __version__)
    floor = f">={release[0]}" if release else ""
    return f'"cffi-build-plugin[check]{floor}"'


def test_pythons(facts: ProjectFacts) -> list[str]:
    """setup-python's names for the interpreters the pure wheel is tested on."""
    oldest = max(facts.python_floor or _OLDEST_CPYTHON, _OLDEST_CPYTHON)
    versions = [oldest] + ([_NEWEST_CPYTHON] if oldest < _NEWEST_CPYTHON else [])
    names = [f"{major}.{minor}" for major, minor in versions]
    if oldest <= _PYPY:
        names.append(f"pypy{_PYPY[0]}.{_PYPY[1]}")
    return names


def _test_step(facts: ProjectFacts) -> tuple[str, str, list[str]]:
    """(what the header says, step name, bash lines) of the pure wheel's test step."""
    dist = "dist/*.tar.gz" if facts.sdist_only else "dist/*.whl"
    if facts.has_tests:
        wheel = f'"$(ls {dist})[{facts.test_extra}]"' if facts.test_extra else \
            f"{dist} pytest"
        return ("the project's tests/ against the installed wheel",
                "Install the wheel, run tests/", [
            f"python -m pip install {wheel}",
            'cp -R tests "$RUNNER_TEMP/tests"',
            'cd "$RUNNER_TEMP"',
            "python -m pytest tests",
        ])
    # A module built only where its marker holds is not in every wheel: not imported.
    imports = facts.imports
    return ("an import of each cffi module (no tests/ folder)",
            "Install the wheel, import each cffi module", [
                f"python -m pip install {dist}",
                'cd "$RUNNER_TEMP"',
                *([f'python -c "import {", ".join(imports)}"'] if imports else []),
            ])


_ONE_WHEEL = """\
# one pure wheel (py3-none-any) serves CPython and PyPy everywhere; cibuildwheel refuses pure
# wheels, `build` makes the sdist and then the wheel from that sdist (so a file the sdist lacks
# fails here)."""
_SDIST_ONLY = """\
# its wheels are pure, but its modules' when markers make each right for one interpreter only
# (cp313-none-any): no wheel is published, every interpreter builds its own from the sdist (no
# compiler needed). `build` makes the sdist and a wheel from it, which is checked, not kept."""


def _pure_values(facts: ProjectFacts) -> dict[str, str]:
    """The pure workflow's header, what it publishes and whether the wheel is dropped."""
    if facts.sdist_only:
        return {"pure_header": _SDIST_ONLY, "published": "the sdist alone goes",
                "drop_wheel": "\n" + _RUN_INDENT + "rm dist/*.whl  # right for CPython 3.13 only"}
    return {"pure_header": _ONE_WHEEL, "published": "the wheel and the sdist go",
            "drop_wheel": ""}


def workflow(facts: ProjectFacts, default_branch: str, file_name: str) -> str:
    """The workflow file for *facts*, every action pinned by commit."""
    name = "wheels-pure.yml" if facts.abi_only else "wheels-compiled.yml"
    # files() of the package, not of templates/ (no __init__.py there: 3.9 cannot).
    template = resources.files("cffi_build_plugin.init").joinpath("templates").joinpath(name)
    text = template.read_text("utf-8")
    for repo, pin in PINS.items():
        text = text.replace(f"@{repo}@", str(pin))
    values = {
        "cibuildwheel": f'"{CIBUILDWHEEL}"',
        "plugin_check": plugin_check_requirement(),
        "project_name": canonicalize_name(facts.name),
        "default_branch": _yaml_scalar(default_branch),
        "environment": ENVIRONMENT,
        "workflow_file": file_name,
    }
    if facts.abi_only:
        what, step, lines = _test_step(facts)
        values.update(_pure_values(facts))
        values.update(tests_what=what, test_step_name=step,
                      test_pythons=", ".join(f'"{v}"' for v in test_pythons(facts)),
                      test_run="\n".join(_RUN_INDENT + line for line in lines))
    for token, value in values.items():
        text = text.replace(f"@{token}@", value)
    if "@" in re.sub(r"\S+@[0-9a-f]{40}", "", text):
        raise RuntimeError(f"unfilled token in the {name} template")
    return text


def _yaml_scalar(branch: str) -> str:
    """A branch name as a YAML flow scalar: quoted unless plainly a string (release/1.x is;
    yes, on and null are not)."""
    plain = re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9._/-]*", branch)
    if plain and branch.lower() not in {"y", "n", "yes", "no", "on", "off", "true", "false",
                                        "null"}:
        return branch
    return '"' + branch.replace("\\", "\\\\").replace('"', '\\"') + '"'
