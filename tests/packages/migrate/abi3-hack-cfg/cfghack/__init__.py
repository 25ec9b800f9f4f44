def negate(x):
    from cfghack._neg import lib

    return lib.negate(x)
