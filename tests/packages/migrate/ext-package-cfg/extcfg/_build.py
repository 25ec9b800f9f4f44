from cffi import FFI

ffibuilder = FFI()
ffibuilder.cdef("long gcd(long a, long b);")
ffibuilder.set_source("_gcd", """
static long gcd(long a, long b)
{
    while (b != 0) {
        long t = a % b;
        a = b;
        b = t;
    }
    return a < 0 ? -a : a;
}
""")
