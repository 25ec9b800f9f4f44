from cffi import FFI

ffibuilder = FFI()
ffibuilder.cdef("int popcount(unsigned long x);")
ffibuilder.set_source("eggcfg._pop", """
static int popcount(unsigned long x)
{
    int n = 0;
    for (; x; x &= x - 1)
        n++;
    return n;
}
""")
