from custcmd import pointer_bits


def test_pointer_bits():
    assert pointer_bits() in (32, 64)
