from ownpkg._withlib import lib


def triple_plus_pre_run(x):
    return lib.triple(x) + lib.from_pre_run()
