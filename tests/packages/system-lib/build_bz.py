from cffi import FFI

ffibuilder = FFI()
ffibuilder.cdef("""
const char *BZ2_bzlibVersion(void);
int BZ2_bzBuffToBuffCompress(char *dest, unsigned int *destLen, char *source,
                             unsigned int sourceLen, int blockSize100k, int verbosity,
                             int workFactor);
""")
ffibuilder.set_source("bzlink._bz", "#include <bzlib.h>", libraries=["bz2"])
