import platform

from setuptools import Extension, setup

# CPython gets the C extension, PyPy the cffi module (pyproject.toml's `when`).
if platform.python_implementation() == "PyPy":
    ext_modules = []
else:
    # --no-as-needed: the module calls no libc function, and auditwheel must see libc.so.6.
    ext_modules = [Extension("interp_split._speedups", ["interp_split/_speedups.c"],
                             extra_link_args=["-Wl,--no-as-needed"])]

setup(ext_modules=ext_modules)
