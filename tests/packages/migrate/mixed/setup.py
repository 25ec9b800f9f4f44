from setuptools import setup

setup(
    author="Alan Turing",
    author_email="alan@example.org",
    project_urls={
        "Source": "https://github.com/example/mixabi",
        "Changelog": "https://github.com/example/mixabi/blob/main/CHANGES.rst",
    },
    entry_points={
        "console_scripts": ["mixabi = mixabi.__main__:main"],
        "mixabi.plugins": ["default = mixabi:absolute"],
    },
    extras_require={"test": ["pytest"]},
    cffi_modules=["build_mixabi.py:ffibuilder"],
)
