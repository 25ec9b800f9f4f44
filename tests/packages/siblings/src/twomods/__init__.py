from twomods import _mod_a, _mod_b


def which():
    return _mod_a.lib.which(), _mod_b.lib.which()
