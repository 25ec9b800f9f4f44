from setuptools import setup

common = {
    "name": "fallbk",
    "version": "1.1.0",
    "description": "Uses the C module when it builds, pure Python otherwise",
    "python_requires": ">=3.9",
    "packages": ["fallbk"],
    "install_requires": ["cffi>=1.15; platform_python_implementation != 'PyPy'"],
}

try:
    # The fast path: needs a C compiler.
    setup(cffi_modules=["fallbk/_build.py:ffibuilder"], **common)
except Exception:
    # No compiler: the pure-Python fallback.
    setup(**common)
