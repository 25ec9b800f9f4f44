from cffi import FFI

ffibuilder = FFI()
ffibuilder.cdef("int pointer_bits(void);")
# _config.h is written by setup.py's configure step.
ffibuilder.set_source(
    "custcmd._probe",
    '#include "_config.h"\nstatic int pointer_bits(void) { return CUSTCMD_POINTER_BITS; }',
    include_dirs=["custcmd"],
)
