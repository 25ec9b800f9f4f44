import os

from setuptools import setup

here = os.path.abspath(os.path.dirname(__file__))


def compute_packages():
    """Every folder under execpkg/ with an __init__.py: only running this can tell."""
    found = []
    for folder, _dirs, files in os.walk(os.path.join(here, "execpkg")):
        if "__init__.py" in files:
            found.append(os.path.relpath(folder, here).replace(os.sep, "."))
    return sorted(found)


setup(
    name="execpkg",
    version="0.1.0",
    description="Its packages are listed by running setup.py",
    python_requires=">=3.9",
    packages=compute_packages(),
    install_requires=["cffi>=1.15; platform_python_implementation != 'PyPy'"],
    cffi_modules=["execpkg/_build.py:ffibuilder"],
)
