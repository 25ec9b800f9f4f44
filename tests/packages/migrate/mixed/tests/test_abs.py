from mixabi import absolute


def test_absolute():
    assert absolute(-3) == 3
