"""Which ABI a build targets."""

from __future__ import annotations

import sys
import sysconfig

import pytest

from cffi_build_plugin import TagError, tags
from cffi_build_plugin.tags import (
    limited_api_floor,
    limited_api_hex,
    limited_api_tag,
    requires_python_floor,
)


@pytest.mark.parametrize(("spec", "floor"), [
    (">=3.9", (3, 9)),
    (">=3.9.2", (3, 9)),
    (">3.9", (3, 9)),
    ("~=3.10", (3, 10)),
    (">=3.8,<4", (3, 8)),
    ("==3.12.*", (3, 12)),
    ("", None),
    (None, None),
    ("not a specifier", None),
])
def test_requires_python_floor(spec, floor):
    assert requires_python_floor(spec) == floor


def test_limited_api_floor_choices():
    assert limited_api_floor("auto", ">=3.9", running=(3, 11)) == (3, 9)
    assert limited_api_floor("auto", None, running=(3, 11)) == (3, 11)
    assert limited_api_floor("auto", ">=2.7", running=(3, 11)) == (3, 2)
    assert limited_api_floor("cp310", ">=3.10", running=(3, 11)) == (3, 10)
    assert limited_api_floor("cp39", ">=3.10", running=(3, 11)) == (3, 9)  # wider: fine
    assert limited_api_floor(False, ">=3.9", running=(3, 11)) is None


def test_floor_above_requires_python_is_an_error():
    # A 3.9 user would get no wheel, then an sdist whose build refuses 3.9.
    with pytest.raises(TagError, match=r"requires-python '>=3\.9' admits 3\.9, where the wheel "
                       r"would not install: raise requires-python to \">=3\.10\""):
        limited_api_floor("cp310", ">=3.9", running=(3, 11))


def test_floor_above_running_interpreter_is_an_error():
    with pytest.raises(TagError, match=r"need CPython >= 3\.12, but this build runs on 3\.11"):
        limited_api_floor("cp312", None, running=(3, 11))
    with pytest.raises(TagError, match=r"requires-python '>=3\.12'"):
        limited_api_floor("auto", ">=3.12", running=(3, 11))


def test_macro_and_tag_spelling():
    assert limited_api_hex((3, 9)) == "0x03090000"
    assert limited_api_hex((3, 10)) == "0x030A0000"
    assert limited_api_tag((3, 9)) == "cp39"


def test_interpreter_support(monkeypatch):
    real = sysconfig.get_config_var
    if sys.implementation.name == "cpython" and not hasattr(sys, "gettotalrefcount"):
        assert tags.interpreter_supports_abi3() is True  # the test venv: GIL CPython
    monkeypatch.setattr(sysconfig, "get_config_var",
                        lambda name: 1 if name == "Py_GIL_DISABLED" else real(name))
    assert tags.interpreter_supports_abi3() is False  # free-threaded: version-specific
    monkeypatch.undo()
    monkeypatch.setattr(sys.implementation, "name", "pypy")
    assert tags.interpreter_supports_abi3() is False
