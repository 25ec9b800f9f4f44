import platform

import pypyonly


def test_add():
    assert pypyonly.add(2, 3) == 5


def test_total():
    assert pypyonly.total([1, 2, 3, 4]) == 10


def test_the_backend_of_this_interpreter():
    expected = "_cffi_speedups" if platform.python_implementation() == "PyPy" else "_speedups"
    assert expected == pypyonly.BACKEND
