from cffi import FFI

ffibuilder = FFI()
ffibuilder.cdef("size_t strlen(const char *);")
ffibuilder.set_source("optfb._api", "#include <this_header_does_not_exist.h>\n#include <string.h>")
