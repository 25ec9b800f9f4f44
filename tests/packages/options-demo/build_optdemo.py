import json

import setuptools
from cffi import FFI

import cffi_build_plugin

options = cffi_build_plugin.options()
# "_" and "-" are the same in a name.
fast = options.flag("fast_impl")
print(f"options-demo: fast-impl = {fast} ({options.origin('fast-impl')}), "
      f"setuptools {setuptools.__version__}")

ffibuilder = FFI()
ffibuilder.cdef("const char *implementation(void); int scale(void); const char *label(void);")
ffibuilder.set_source(
    "optdemo._native",
    "const char *implementation(void);\n"
    f"static int scale(void) {{ return {options.number('scale')}; }}\n"
    f"static const char *label(void) {{ return {json.dumps(options.text('label'))}; }}\n",
    sources=["csrc/fast.c" if fast else "csrc/portable.c"],
)
