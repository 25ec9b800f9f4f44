import os


def table():
    with open(os.path.join(os.path.dirname(__file__), "table.dat")) as f:
        return [int(n) for n in f.read().split()]


def fib(n):
    from halfway._fib import lib

    return lib.fib(n)
