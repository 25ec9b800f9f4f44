"""The repository's GitHub workflows and dependabot configuration: linted with zizmor's
pedantic persona, validated against GitHub's schema, and held to our hardening rules."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from ruamel.yaml import YAML

from cffi_build_plugin.init.actions import CIBUILDWHEEL, PINS
from cffi_build_plugin.init.cibuildwheel import ProjectFacts
from cffi_build_plugin.init.workflow import workflow
from cffi_build_plugin.modules.discovery import DeclaredModule
from devtools.venvs import ROOT, run
from tests.checks import tool, workflow_schema, zizmor

GITHUB = ROOT / ".github"
WORKFLOWS = sorted((GITHUB / "workflows").glob("*.yml"))
USES = re.compile(r"uses:\s*(?P<repo>[\w.-]+/[\w.-]+)@(?P<ref>\S+)(?:\s*#\s*(?P<version>\S+))?")


def _load(path: Path) -> Any:
    return YAML(typ="safe").load(path.read_text())


def test_expected_workflows_exist() -> None:
    assert {p.name for p in WORKFLOWS} == {"ci.yml", "wheels.yml", "release.yml"}


def test_zizmor_pedantic_finds_nothing() -> None:
    proc = zizmor(GITHUB)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "No findings" in proc.stdout + proc.stderr


def test_workflows_match_githubs_schema() -> None:
    proc = workflow_schema(WORKFLOWS)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_dependabot_matches_its_schema_and_waits_before_updating() -> None:
    proc = run([tool("check-jsonschema"), "--builtin-schema", "vendor.dependabot",
                GITHUB / "dependabot.yml"], check=False)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    updates = _load(GITHUB / "dependabot.yml")["updates"]
    assert {u["package-ecosystem"] for u in updates} >= {"github-actions"}
    assert all(u["cooldown"]["default-days"] >= 7 for u in updates)


@pytest.mark.parametrize("path", WORKFLOWS, ids=lambda p: p.name)
def test_every_action_is_pinned_to_our_recorded_commit(path: Path) -> None:
    found = list(USES.finditer(path.read_text()))
    assert found
    for match in found:
        repo, ref, version = match["repo"], match["ref"], match["version"]
        assert re.fullmatch(r"[0-9a-f]{40}", ref), f"{path.name}: {repo} not pinned by SHA"
        pin = PINS.get(repo)
        assert pin is not None, f"{path.name}: {repo} missing from cffi_build_plugin/actions.py"
        # A dependabot bump fails here until actions.py (which `init` writes from) follows.
        assert (ref, version) == (pin.sha, pin.version), (
            f"{path.name}: {repo}@{ref} # {version} differs from cffi_build_plugin/actions.py")


@pytest.mark.parametrize("path", WORKFLOWS, ids=lambda p: p.name)
def test_least_privilege(path: Path) -> None:
    text = path.read_text()
    flow = _load(path)
    assert flow["permissions"] == {}, "no permissions at the top: each job asks for its own"
    assert "pull_request_target" not in text
    assert "secrets." not in text, "publishing uses trusted publishing, not tokens"
    for name, job in flow["jobs"].items():
        assert "permissions" in job, f"{path.name}: job {name} states no permissions"
        granted = job["permissions"] or {}
        assert "write" not in {v for k, v in granted.items() if k != "id-token"}
        if granted.get("id-token") == "write":
            assert (path.name, name) == ("release.yml", "publish")
            assert job["environment"]["name"] == "pypi"
        for step in job["steps"]:
            if str(step.get("uses", "")).startswith("actions/checkout@"):
                assert step["with"]["persist-credentials"] is False


def test_release_publishes_with_trusted_publishing_and_attestations() -> None:
    publish = _load(GITHUB / "workflows" / "release.yml")["jobs"]["publish"]
    step = next(s for s in publish["steps"] if "gh-action-pypi-publish" in s["uses"])
    assert step["with"]["attestations"] is True
    assert "password" not in step["with"]


def test_cibuildwheel_pin_is_the_one_init_writes() -> None:
    lines = (GITHUB / "requirements" / "cibuildwheel.txt").read_text().splitlines()
    assert [ln for ln in lines if ln and not ln.startswith("#")] == [CIBUILDWHEEL]


def test_ci_runs_the_readme_test_command_and_all_checks() -> None:
    ci = (GITHUB / "workflows" / "ci.yml").read_text()
    for command in ("ruff check", "mypy", "devtools.docs --check", "zizmor --offline",
                    "vendor.github-workflows", "pytest"):
        assert command in ci
    wheels = _load(GITHUB / "workflows" / "wheels.yml")
    runners = {i["runs-on"] for i in wheels["jobs"]["wheels"]["strategy"]["matrix"]["include"]}
    assert runners == {"ubuntu-24.04", "ubuntu-24.04-arm", "macos-15-intel", "macos-15",
                       "windows-2025", "windows-11-arm"}


def _facts(mode: str, has_tests: bool) -> ProjectFacts:
    module = DeclaredModule("build_m.py:ffibuilder", "pkg._m", mode)  # type: ignore[arg-type]
    return ProjectFacts("Demo_Pkg", (module,), (3, 9), has_tests=has_tests,
                        test_extra="test" if has_tests else None)


@pytest.mark.parametrize(("mode", "has_tests", "branch"), [
    ("API", True, "main"), ("API", False, "master"), ("ABI", True, "release/1.x"),
    ("ABI", False, "yes"),
])
def test_init_workflows_pass_the_same_checks_as_ours(mode: str, has_tests: bool, branch: str,
                                                     tmp_path: Path) -> None:
    """Every kind of workflow init writes: zizmor's pedantic persona, GitHub's schema, our
    hardening rules."""
    path = tmp_path / ".github" / "workflows" / "wheels.yml"
    path.parent.mkdir(parents=True)
    path.write_text(workflow(_facts(mode, has_tests), branch, path.name))
    proc = zizmor(tmp_path / ".github")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    proc = workflow_schema([path])
    assert proc.returncode == 0, proc.stdout + proc.stderr
    flow = _load(path)
    assert flow["on"]["push"]["branches"] == [branch]  # "yes" stays a string
    assert flow["permissions"] == {}
    for name, job in flow["jobs"].items():
        assert "permissions" in job, name
        if (job["permissions"] or {}).get("id-token") == "write":
            assert name == "publish"
        for step in job["steps"]:
            if str(step.get("uses", "")).startswith("actions/checkout@"):
                assert step["with"]["persist-credentials"] is False


def test_example_workflow_builds_as_init_writes() -> None:
    """Our own example_project workflow does what init's does: the wheels from the sdist, then
    `cffi-build-plugin check` over all of them."""
    jobs = _load(GITHUB / "workflows" / "wheels.yml")["jobs"]
    ours = _load_text(workflow(_facts("API", True), "main", "wheels.yml"))["jobs"]
    assert "sdist" in jobs["wheels"]["needs"]
    build = next(s["run"] for s in jobs["wheels"]["steps"] if "cibuildwheel" in s.get("run", ""))
    init_build = next(s["run"] for s in ours["wheels"]["steps"]
                      if "cibuildwheel" in s.get("run", ""))
    command = "python -m cibuildwheel --output-dir wheelhouse sdist/*.tar.gz"
    assert command in build
    assert command in init_build
    assert not [s for s in jobs["wheels"]["steps"]
                if s.get("with", {}).get("sparse-checkout") is None
                and "checkout" in s.get("uses", "")], "sources come from the sdist only"
    check = jobs["collect"]["steps"][-1]["run"]
    assert "cffi-build-plugin check --project example_project dist/*.whl" in check


def _load_text(text: str) -> Any:
    return YAML(typ="safe").load(text)
