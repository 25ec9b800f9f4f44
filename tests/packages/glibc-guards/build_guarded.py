from cffi import FFI

ffibuilder = FFI()
ffibuilder.cdef("unsigned int random_word(void); const char *which_random(void);")
ffibuilder.set_source("guarded._random", '#include "random_word.h"',
                      sources=["csrc/random_word.c"], include_dirs=["csrc"])
