from setuptools import setup

setup(
    name="cfghack",
    version="0.2.0",
    description="A cffi project that asks bdist_wheel for abi3 in setup.cfg",
    long_description=open("README.md").read(),
    long_description_content_type="text/markdown",
    python_requires=">=3.9",
    packages=["cfghack"],
    install_requires=["cffi>=1.15; platform_python_implementation != 'PyPy'"],
    cffi_modules=["cfghack/_build.py:ffibuilder"],
)
