"""Greatest common divisor in C."""


def gcd(a, b):
    from extcfg._gcd import lib

    return lib.gcd(a, b)
