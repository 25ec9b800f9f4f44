"""Builder for cffi_example._libc: ABI mode; the C runtime is opened at run time."""

from cffi import FFI

ffibuilder = FFI()
ffibuilder.cdef(
    """
    size_t strlen(const char *s);
    int abs(int j);
    long strtol(const char *nptr, char **endptr, int base);
    void qsort(void *base, size_t nmemb, size_t size,
               int (*compar)(const void *, const void *));
    """
)
ffibuilder.set_source("cffi_example._libc", None)
