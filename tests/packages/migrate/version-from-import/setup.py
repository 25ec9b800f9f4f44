import os
import sys

from setuptools import find_packages, setup

# The version, from the package itself (which imports nothing compiled when imported).
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "src"))
from verimp import __version__

setup(
    name="verimp",
    version=__version__,
    description="Its version is imported from the package",
    long_description=open("README.md", encoding="utf-8").read(),
    long_description_content_type="text/markdown",
    python_requires=">=3.9",
    package_dir={"": "src"},
    packages=find_packages("src"),
    install_requires=["cffi>=1.15; platform_python_implementation != 'PyPy'"],
    cffi_modules=["src/verimp/_build.py:ffibuilder"],
)
