from setuptools import setup

setup(
    name="eggcfg",
    version="3.1.0",
    description="Population count in C; unpacked from its sdist, setup.cfg and all",
    long_description=open("README.md").read(),
    long_description_content_type="text/markdown",
    author="Frances Spence",
    author_email="frances@example.org",
    license="MIT",
    python_requires=">=3.9",
    packages=["eggcfg"],
    install_requires=["cffi>=1.15"],
    cffi_modules=["eggcfg/_build.py:ffibuilder"],
)
