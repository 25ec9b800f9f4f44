"""A stand-in for ./configure: writes the header the builder includes."""

import os
import struct

here = os.path.dirname(os.path.abspath(__file__))
with open(os.path.join(here, "custcmd", "_config.h"), "w") as f:
    f.write("#define CUSTCMD_POINTER_BITS %d\n" % (struct.calcsize("P") * 8))
