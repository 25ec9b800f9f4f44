"""Which module names each interpreter imports, and what `check` says of a wheel whose
modules some interpreter its tag admits cannot import."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from packaging.tags import parse_tag

from cffi_build_plugin.check.wheel import _suffix_problems
from cffi_build_plugin.modules.abi import PythonBuild, stable_abi
from cffi_build_plugin.modules.import_names import (
    Importer,
    covered_importers,
    extension_suffixes,
    module_suffix,
    platform_multiarch,
)

LINUX = "manylinux_2_17_x86_64"


@pytest.mark.parametrize(("wheel_tags", "module", "problem"), [
    # Version-specific wheels: the interpreter's own suffix, for the tag's architecture.
    ("cp313-cp313t-manylinux_2_17_x86_64", "m.cpython-313t-x86_64-linux-gnu.so", None),
    ("cp313-cp313-manylinux_2_17_x86_64", "m.cpython-313t-x86_64-linux-gnu.so",
     "CPython 3.13, which the tag cp313-cp313 admits, cannot import it"),
    ("pp310-pypy310_pp73-manylinux_2_17_x86_64", "m.pypy310-pp73-x86_64-linux-gnu.so", None),
    ("pp311-pypy311_pp80-manylinux_2_17_x86_64", "m.pypy311-pp80-x86_64-linux-gnu.so", None),
    ("pp311-pypy311_pp80-manylinux_2_17_x86_64", "m.pypy311-pp73-x86_64-linux-gnu.so",
     "PyPy 3.11 (pypy311_pp80), which the tag pp311-pypy311_pp80 admits"),
    ("cp312-cp312-macosx_11_0_x86_64", "m.cpython-312-darwin.so", None),
    ("pp39-pypy39_pp73-manylinux_2_17_aarch64", "m.pypy39-pp73-x86_64-linux-gnu.so",
     "they import .pypy39-pp73-aarch64-linux-gnu.so"),
    ("cp311-cp311-manylinux_2_17_x86_64", "m.cpython-312-x86_64-linux-gnu.so",
     "they import .cpython-311-x86_64-linux-gnu.so"),
    ("cp311-cp311-win_amd64", "m.cp311-win_amd64.pyd", None),
    ("cp311-cp311-win_arm64", "m.cp311-win_arm64.pyd", None),
    ("cp311-cp311-win_arm64", "m.cp311-win_amd64.pyd", "they import .cp311-win_arm64.pyd"),
    # abi3: every GIL CPython from the floor on imports .abi3.so.
    ("cp39-abi3-macosx_11_0_x86_64", "m.abi3.so", None),
    (f"cp39-abi3-{LINUX}", "m.abi3.so", None),
    ("cp39-abi3-win_amd64", "m.pyd", None),
    (f"cp39-abi3-{LINUX}", "m.cpython-39-x86_64-linux-gnu.so",
     "this module is version-specific"),
    # What setuptools names a module CPython 3.15 builds: only 3.15+ import it.
    (f"cp39-abi3-{LINUX}", "m.abi3-x86_64-linux-gnu.so",
     "CPython 3.9-3.14, which the tag cp39-abi3 admits, cannot import it"),
    (f"cp39-abi3-{LINUX}", "m.abi3-x86_64-linux-gnu.so", "imported by CPython 3.15+ only"),
    (f"cp315-abi3-{LINUX}", "m.abi3-x86_64-linux-gnu.so", None),
    # abi3t (PEP 803): .abi3t.so loads on GIL and free-threaded 3.15+.
    (f"cp315-abi3.abi3t-{LINUX}", "m.abi3t.so", None),
    (f"cp315-abi3t-{LINUX}", "m.abi3t.so", None),
    (f"cp315-abi3.abi3t-{LINUX}", "m.abi3.so",
     "free-threaded CPython 3.15, which the tag cp315-abi3.abi3t admits, cannot import it"),
    (f"cp315-abi3t-{LINUX}", "m.abi3.so", "free-threaded CPython never imports *.abi3.so"),
    # An abi3t module (a free-threaded build) under an abi3-only tag.
    (f"cp39-abi3-{LINUX}", "m.abi3t.so", "tag it abi3.abi3t"),
    (f"cp315-abi3-{LINUX}", "m.abi3t.so", None),  # GIL 3.15 imports it: the tag holds
])
def test_module_names_against_tags(wheel_tags: str, module: str, problem: str | None) -> None:
    problems = _suffix_problems(f"pkg/{module}", parse_tag(wheel_tags))
    if problem is None:
        assert problems == []
    else:
        assert len(problems) == 1, problems
        assert problem in problems[0], problems


def test_covered_importers() -> None:
    (abi3,) = parse_tag(f"cp313-abi3-{LINUX}")
    assert covered_importers(abi3) == [Importer("cpython", (3, 13)), Importer("cpython", (3, 14)),
                                       Importer("cpython", (3, 15))]
    (abi3t,) = parse_tag(f"cp39-abi3t-{LINUX}")
    assert covered_importers(abi3t) == [Importer("cpython", (3, 15), free_threaded=True)]
    (ft,) = parse_tag(f"cp314-cp314t-{LINUX}")
    assert covered_importers(ft) == [Importer("cpython", (3, 14), free_threaded=True)]
    (pp,) = parse_tag(f"pp311-pypy311_pp80-{LINUX}")
    assert covered_importers(pp) == [Importer("pypy", (3, 11), pypy_abi="pypy311_pp80")]
    (pure,) = parse_tag(f"py3-none-{LINUX}")
    assert covered_importers(pure) == []


@pytest.mark.parametrize(("platform", "multiarch"), [
    ("manylinux_2_17_x86_64", "x86_64-linux-gnu"),
    ("manylinux2014_aarch64", "aarch64-linux-gnu"),
    ("linux_x86_64", "x86_64-linux-gnu"),
    ("musllinux_1_2_x86_64", "x86_64-linux-musl"),
    ("macosx_11_0_arm64", "darwin"),
    ("win_amd64", "win_amd64"),
    ("win_arm64", "win_arm64"),
])
def test_platform_multiarch(platform: str, multiarch: str) -> None:
    assert platform_multiarch(platform) == multiarch


def test_module_suffix() -> None:
    assert module_suffix("pkg/_cvec.abi3.so") == ".abi3.so"
    assert module_suffix("_x.cpython-315t-x86_64-linux-gnu.so") == \
        ".cpython-315t-x86_64-linux-gnu.so"
    assert module_suffix("pkg/noext") == ""


def test_windows_suffixes() -> None:
    assert extension_suffixes(Importer("cpython", (3, 13), free_threaded=True), "win_amd64") == \
        [".cp313t-win_amd64.pyd", ".pyd"]


# -- against the real interpreters (tests/data/interpreters/, python -m
#    devtools.record_interpreters) ----------------------------------------------------------

DATA = Path(__file__).parent / "data" / "interpreters"
RECORDED = sorted(p.stem for p in DATA.glob("*.json"))

#: Names a real interpreter lists that the rules leave out on purpose.
KNOWN_EXTRA = {
    # Debian's 3.14 adds the platform-named abi3 suffix after .abi3.so; upstream 3.14 does not
    # (upstream has it from 3.15 on), so a wheel may not rely on it.
    "cpython3.14": {".abi3-x86_64-linux-gnu.so"},
    # Free-threaded 3.13 still lists .abi3.so, but a GIL abi3 module does not run there.
    "cpython3.13t": {".abi3.so"},
}


def _recorded(name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((DATA / f"{name}.json").read_text())
    return data


def _importer(data: dict[str, Any]) -> Importer:
    version = (data["version_info"][0], data["version_info"][1])
    if data["implementation"] == "pypy":
        return Importer("pypy", version, pypy_abi=data["SOABI"].replace("-", "_"))
    return Importer("cpython", version, free_threaded=bool(data["free_threaded"]))


def test_every_interpreter_is_recorded() -> None:
    assert set(RECORDED) >= {"cpython3.9", "cpython3.10", "cpython3.11", "cpython3.12",
                             "cpython3.13", "cpython3.13t", "cpython3.14", "cpython3.15",
                             "pypy3.9", "pypy3.11-pp73", "pypy3.11-pp80"}


@pytest.mark.parametrize("name", RECORDED)
def test_suffix_rules_match_the_real_interpreter(name: str) -> None:
    data = _recorded(name)
    listed = [s for s in data["EXTENSION_SUFFIXES"] if s != ".so"]
    extra = KNOWN_EXTRA.get(name, set())
    assert extension_suffixes(_importer(data), data["multiarch"]) == \
        [s for s in listed if s not in extra]
    assert extra <= set(listed)


@pytest.mark.parametrize("name", RECORDED)
def test_wheel_tag_decided_for_it_is_one_it_installs(name: str) -> None:
    """The tag the plugin gives a wheel this interpreter builds (requires-python >= 3.9) is
    in the interpreter's own packaging tag list; GIL CPythons also take the cp39-abi3 wheel,
    free-threaded ones never do."""
    data = _recorded(name)
    importer = _importer(data)
    build = PythonBuild(importer.implementation, importer.version, importer.free_threaded)
    supported = set(data["sys_tags"])
    platform = data["sys_tags"][0].rsplit("-", 1)[1]
    abi = stable_abi(build, (3, 9))
    if abi is not None:
        wheel = f"{abi.python_tag}-{abi.abi_tag}-{platform}"
    elif importer.implementation == "pypy":
        wheel = f"pp{''.join(map(str, importer.version))}-{importer.pypy_abi}-{platform}"
    else:
        flags = "t" if importer.free_threaded else ""
        wheel = f"cp{importer.version[0]}{importer.version[1]}-" \
                f"cp{importer.version[0]}{importer.version[1]}{flags}-{platform}"
    assert {str(t) for t in parse_tag(wheel)} & supported, (wheel, data["sys_tags"][:5])
    gil_cpython = importer.implementation == "cpython" and not importer.free_threaded
    assert (f"cp39-abi3-{platform}" in supported) == gil_cpython
