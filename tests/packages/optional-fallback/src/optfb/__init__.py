try:
    from optfb._api import lib

    MODE = "api"
except ImportError:
    import sys

    from optfb._abi import ffi

    lib = ffi.dlopen(None if sys.platform != "win32" else "ucrtbase")
    MODE = "abi"
