from extlib._greet import ffi, lib


def answer() -> int:
    return lib.greet_answer()


def name() -> str:
    return ffi.string(lib.greet_name()).decode()
