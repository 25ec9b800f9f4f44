from cffi import FFI

ffibuilder = FFI()


def read_config():
    raise ValueError("libfoo.pc not found: set FOO_PREFIX")


read_config()
