from cffi import FFI

ffibuilder = FFI()
ffibuilder.cdef("int add(int a, int b);")
ffibuilder.set_source("fastadd._native", "static int add(int a, int b) { return a + b; }")

if __name__ == "__main__":
    ffibuilder.compile(verbose=True)
