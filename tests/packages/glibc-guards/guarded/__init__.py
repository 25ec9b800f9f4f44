from guarded._random import ffi, lib


def random_word() -> int:
    return lib.random_word()


def which_random() -> str:
    return ffi.string(lib.which_random()).decode()
