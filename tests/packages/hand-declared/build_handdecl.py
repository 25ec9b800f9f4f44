from cffi import FFI

ffibuilder = FFI()
ffibuilder.cdef("unsigned int random_word(void);")
ffibuilder.set_source("handdecl._random", """
unsigned int arc4random(void);  /* by hand: glibc's header would hide it below 2.36 */
static unsigned int random_word(void) { return arc4random(); }
""")
