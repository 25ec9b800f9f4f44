from setuptools import setup

setup(
    name="sreq",
    version="1.0.0",
    description="A cffi project whose builder needs pkgconfig at build time",
    long_description=open("README.rst").read(),
    long_description_content_type="text/x-rst",
    python_requires=">=3.9",
    packages=["sreq"],
    setup_requires=["cffi>=1.0", "pkgconfig"],
    install_requires=["cffi>=1.0"],
    cffi_modules=["sreq/_build.py:ffibuilder"],
)
