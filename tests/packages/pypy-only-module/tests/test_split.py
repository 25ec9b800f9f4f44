import platform

import interp_split


def test_add():
    assert interp_split.add(2, 3) == 5


def test_backend_of_this_interpreter():
    expected = "cffi" if platform.python_implementation() == "PyPy" else "c-extension"
    assert expected == interp_split.BACKEND
