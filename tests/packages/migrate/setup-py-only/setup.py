#!/usr/bin/env python
import os

from setuptools import find_packages, setup

here = os.path.abspath(os.path.dirname(__file__))


setup(
    name="fastadd",
    version="1.2.0",
    description="Add two integers in C, through cffi",
    long_description=open(os.path.join(here, "README.rst"), encoding="utf-8").read(),
    long_description_content_type="text/x-rst",
    author="Ada Lovelace",
    author_email="ada@example.org",
    url="https://example.org/fastadd",
    project_urls={
        "Source": "https://github.com/example/fastadd",
        "Tracker": "https://github.com/example/fastadd/issues",
    },
    license="MIT",
    keywords=["cffi", "addition", "example"],
    classifiers=[
        "License :: OSI Approved :: MIT License",
        "Programming Language :: Python :: 3",
        "Programming Language :: Python :: Implementation :: CPython",
    ],
    python_requires=">=3.9",
    package_dir={"": "src"},
    packages=find_packages("src"),
    package_data={"fastadd": ["py.typed", "data/*.txt"]},
    install_requires=["cffi>=1.15"],
    extras_require={"test": ["pytest>=7"]},
    entry_points={"console_scripts": ["fastadd = fastadd.cli:main"]},
    cffi_modules=["src/fastadd/_build.py:ffibuilder"],
    zip_safe=False,
)
