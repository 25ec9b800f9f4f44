#!/usr/bin/env python
import sys

from setuptools import Extension, setup

# PyPy runs C-API extensions slowly (through its cpyext layer) and cffi modules fast: build
# the cffi module there, and the C++ extension on CPython. pypyonly/__init__.py imports
# whichever of the two exists.
cffi_modules = []
ext_modules = [
    Extension("pypyonly._speedups", ["src/speedups.cpp"], language="c++"),
]
if 'PyPy' in sys.version:
    cffi_modules = ['pypyonly/_build.py:ffi']
    ext_modules = []

setup(
    name="pypyonly",
    version="0.4.1",
    description="Sums in C++ on CPython, through cffi on PyPy",
    long_description=open("README.md", encoding="utf-8").read(),
    long_description_content_type="text/markdown",
    author="Grace Hopper",
    author_email="grace@example.org",
    license="MIT",
    classifiers=[
        "Programming Language :: Python :: Implementation :: CPython",
        "Programming Language :: Python :: Implementation :: PyPy",
    ],
    python_requires=">=3.9",
    packages=["pypyonly"],
    cffi_modules=cffi_modules,
    ext_modules=ext_modules,
    zip_safe=False,
)
