from setuptools import setup

# cffi_modules cannot be given in setup.cfg: setuptools does not read it there.
setup(cffi_modules=["extcfg/_build.py:ffibuilder"])
