import extpy
from extpy import _native


def test_clamp():
    assert extpy.clamp(5, 0, 3) == 3
    assert extpy.clamp(-1, 0, 3) == 0


def test_scale():
    assert extpy.scale(7, 6) == 42


def test_module_is_inside_the_package():
    assert _native.__name__ == "extpy._native"
