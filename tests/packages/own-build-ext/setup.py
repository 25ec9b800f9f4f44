import os

from setuptools import setup
from setuptools.command.build_ext import build_ext


class CountingBuildExt(build_ext):
    """A project's own build_ext: the plugin must wrap it, not replace it."""

    def pre_run(self, ext, ffi):
        # cffi's hook, called just before the C source is generated.
        ext.define_macros.append(("FROM_PRE_RUN", "5"))

    def run(self):
        marker = os.environ.get("FIXTURE_BUILD_EXT_MARKER")
        if marker:
            with open(marker, "a") as f:
                f.write("own build_ext ran\n")
        super().run()


setup(
    cmdclass={"build_ext": CountingBuildExt},
    libraries=[("triple", {"sources": ["ownpkg/clib/triple.c"]})],
)
