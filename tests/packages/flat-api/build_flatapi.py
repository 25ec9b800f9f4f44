import os

from cffi import FFI

# Evidence that (and where) the builder ran, for the "no builder for an sdist" test.
marker = os.environ.get("FIXTURE_BUILDER_MARKER")
if marker:
    with open(marker, "a") as f:
        f.write(os.getcwd() + "\n")

# Which cffi and setuptools the isolated build used, for the minimum-versions test.
report = os.environ.get("FIXTURE_VERSIONS_REPORT")
if report:
    import cffi
    import setuptools

    with open(report, "w") as f:
        f.write(cffi.__version__ + " " + setuptools.__version__)

# Builders read files relative to the current directory: the project root.
with open("cdefs/magic.h") as f:
    CDEF = f.read()

# Builders read environment variables.
MAGIC = int(os.environ.get("FLATAPI_MAGIC", "42"))

ffibuilder = FFI()
ffibuilder.cdef(CDEF)
ffibuilder.set_source("flatapi._native", "static int magic(void) { return %d; }" % MAGIC)
