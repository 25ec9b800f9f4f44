from setuptools import setup

# pyproject.toml cannot say cffi_modules.
setup(cffi_modules=["halfway/_build.py:ffibuilder"])
