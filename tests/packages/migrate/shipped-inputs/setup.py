import os

from setuptools import setup

HERE = os.path.dirname(os.path.abspath(__file__))

# The wheel ships the builder and the headers: other cffi projects build against them
# (shipin.get_include(), shipin.builder_path()).
setup(
    name="shipin",
    version="0.9.0",
    description="A ring buffer in C whose headers other projects compile against",
    long_description=open(os.path.join(HERE, "README.md")).read(),
    long_description_content_type="text/markdown",
    author="Margaret Hamilton",
    author_email="margaret@example.org",
    license="BSD-2-Clause",
    classifiers=["License :: OSI Approved :: BSD License"],
    python_requires=">=3.9",
    packages=["shipin"],
    package_data={"shipin": ["_build.py", "include/*.h"]},
    install_requires=["cffi>=1.15"],
    cffi_modules=["shipin/_build.py:ffibuilder"],
)
