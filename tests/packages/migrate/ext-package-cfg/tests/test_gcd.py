from extcfg import _gcd, gcd


def test_gcd():
    assert gcd(84, 36) == 12


def test_module_is_inside_the_package():
    assert _gcd.__name__ == "extcfg._gcd"
