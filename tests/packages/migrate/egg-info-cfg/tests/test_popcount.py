from eggcfg import popcount


def test_popcount():
    assert popcount(0b101101) == 4
