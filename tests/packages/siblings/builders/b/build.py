import os

from cffi import FFI


def make_ffi():
    # A builder that makes its own Distribution (re-entering setuptools' hooks) and imports
    # distutils, as some real builders do to query the compiler.
    import distutils.sysconfig  # noqa: F401

    from setuptools import Distribution

    probe = Distribution({"name": "probe"})
    # The plugin must stay out of a Distribution created while builders run.
    assert not hasattr(probe, "_cffi_build_plugin_state"), "the plugin re-entered"

    from _cdefs import CDEF, VALUE

    assert os.path.isabs(__file__)
    ffi = FFI()
    ffi.cdef(CDEF)
    ffi.set_source("_mod_b", "static int which(void) { return %d; }" % VALUE)  # unqualified
    return ffi
