from manyfiles._parts import ffi, lib

__all__ = ["ffi", "lib", "total"]


def total(x: int) -> int:
    return int(lib.part_a(x) + lib.part_b(x) + lib.part_c(x) + lib.part_d(x) + lib.part_e(x)
               + lib.part_f(x))
