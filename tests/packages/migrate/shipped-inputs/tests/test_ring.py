import os

import shipin


def test_ring_keeps_the_last_four():
    ring = shipin.Ring()
    dropped = [ring.push(v) for v in range(1, 7)]
    assert dropped == [False, False, False, False, True, True]
    assert ring.sum() == 3 + 4 + 5 + 6


def test_headers_and_builder_ship():
    assert sorted(os.listdir(shipin.get_include())) == ["ring_size.h", "shipin.h"]
    assert os.path.isfile(shipin.builder_path())
