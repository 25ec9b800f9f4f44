import os
import re

from setuptools import find_packages, setup

here = os.path.abspath(os.path.dirname(__file__))


def get_version():
    """The version, from src/verfile/__init__.py, without importing the package."""
    with open(os.path.join(here, "src", "verfile", "__init__.py"), encoding="utf-8") as f:
        for line in f:
            match = re.match(r"^__version__ = ['\"]([^'\"]+)['\"]", line)
            if match:
                return match.group(1)
    raise RuntimeError("unable to find __version__")


setup(
    name="verfile",
    version=get_version(),
    description="Its version lives in the package",
    long_description=open(os.path.join(here, "README.md"), encoding="utf-8").read(),
    long_description_content_type="text/markdown",
    python_requires=">=3.9",
    package_dir={"": "src"},
    packages=find_packages(where="src"),
    install_requires=["cffi>=1.15; platform_python_implementation != 'PyPy'"],
    cffi_modules=["src/verfile/_build.py:ffibuilder"],
)
