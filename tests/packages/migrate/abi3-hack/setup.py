import io
import os

from setuptools import setup

try:
    from setuptools.command.bdist_wheel import bdist_wheel
except ImportError:  # setuptools < 70.1
    from wheel.bdist_wheel import bdist_wheel

here = os.path.abspath(os.path.dirname(__file__))
long_description = io.open(os.path.join(here, "README.md"), encoding="utf-8").read()


class bdist_wheel_abi3(bdist_wheel):
    """One wheel for every CPython >= 3.9: the cffi module is built with the limited API."""

    def get_tag(self):
        python, abi, plat = super().get_tag()
        if python.startswith("cp"):
            return "cp39", "abi3", plat
        return python, abi, plat


setup(
    name="abihack",
    version="0.5.0",
    description="A cffi project that tags its wheels abi3 by hand",
    long_description=long_description,
    long_description_content_type="text/markdown",
    author="Barbara Liskov",
    license="Apache-2.0",
    python_requires=">=3.9",
    packages=["abihack"],
    install_requires=["cffi>=1.15"],
    cffi_modules=["abihack/_build.py:ffibuilder"],
    cmdclass={"bdist_wheel": bdist_wheel_abi3},
    options={"bdist_wheel": {"py_limited_api": "cp39"}},
)
