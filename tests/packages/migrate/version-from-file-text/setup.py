import os

from setuptools import setup

here = os.path.abspath(os.path.dirname(__file__))

setup(
    name="vertext",
    version=open(os.path.join(here, "VERSION")).read().strip(),
    description="Its version lives in a VERSION file",
    long_description=open(os.path.join(here, "README.md")).read(),
    long_description_content_type="text/markdown",
    python_requires=">=3.9",
    packages=["vertext"],
    install_requires=["cffi>=1.15; platform_python_implementation != 'PyPy'"],
    cffi_modules=["vertext/_build.py:ffibuilder"],
)
