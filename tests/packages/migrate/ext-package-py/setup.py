#!/usr/bin/env python
# Shaped like PyNaCl's: the builder lives outside the package, names its module "_native",
# and ext_package puts it inside extpy.
from setuptools import setup

setup(
    name="extpy",
    version="2.0.1",
    description="Clamp and scale integers in C, through cffi",
    long_description=open("README.rst").read(),
    long_description_content_type="text/x-rst",
    author="Radia Perlman",
    author_email="radia@example.org",
    license="Apache-2.0",
    classifiers=[
        "License :: OSI Approved :: Apache Software License",
        "Programming Language :: Python :: 3",
    ],
    python_requires=">=3.9",
    package_dir={"": "src"},
    packages=["extpy", "extpy.bindings"],
    ext_package="extpy",
    install_requires=["cffi>=1.15"],
    cffi_modules=["src/bindings/build.py:ffi"],
    zip_safe=False,
)
