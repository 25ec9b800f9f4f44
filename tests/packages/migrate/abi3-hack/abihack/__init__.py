def square(x):
    from abihack._square import lib

    return lib.square(x)
