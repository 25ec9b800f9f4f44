#!/usr/bin/env python
# -*- coding: utf-8 -*-
import os
import subprocess
import sys

from setuptools import find_packages, setup
from setuptools.command.build_py import build_py

here = os.path.abspath(os.path.dirname(__file__))

# The configure step: probes the platform and writes custcmd/_config.h, which the builder
# includes. It must run before the cffi module is compiled.
subprocess.check_call([sys.executable, os.path.join(here, "configure.py")], cwd=here)


class build_py_with_info(build_py):
    """Write custcmd/_buildinfo.py into the build, next to the package's own files."""

    def run(self):
        super().run()
        target = os.path.join(self.build_lib, "custcmd", "_buildinfo.py")
        with open(target, "w") as f:
            f.write("GENERATED_BY = 'build_py_with_info'\n")


setup(
    name="custcmd",
    version="3.1.4",
    description="A cffi project with its own build_py and a configure step",
    long_description=open(os.path.join(here, "README.rst")).read(),
    author="Edsger Dijkstra",
    author_email="ewd@example.org",
    url="https://example.org/custcmd",
    license="MIT",
    python_requires=">=3.9",
    packages=find_packages(exclude=["tests", "tests.*"]),
    install_requires=["cffi>=1.15; platform_python_implementation != 'PyPy'"],
    cffi_modules=["custcmd/_build.py:ffibuilder"],
    cmdclass={"build_py": build_py_with_info},
)
