"""The Linux link flags: libc recorded under --as-needed, no build-machine RUNPATH."""

from __future__ import annotations

from cffi_build_plugin.compile.linking import extra_link_args, strip_rpath

PREFIX = "/root/.pyenv/versions/3.11.7/lib"


def test_no_as_needed_only_on_linux():
    assert extra_link_args("linux") == ["-Wl,--no-as-needed"]
    assert extra_link_args("darwin") == []
    assert extra_link_args("win32") == []


def test_strip_rpath_drops_only_the_interpreters_own_folder():
    command = ["gcc", "-shared", f"-L{PREFIX}", f"-Wl,-rpath,{PREFIX}", f"-Wl,-rpath={PREFIX}/",
               f"-Wl,-R{PREFIX}", "-Wl,-rpath", f"-Wl,{PREFIX}", "-Wl,-rpath,/opt/mylib/lib",
               "-Wl,-rpath", "-Wl,/opt/other"]
    assert strip_rpath(command, {PREFIX}) == [
        "gcc", "-shared", f"-L{PREFIX}", "-Wl,-rpath,/opt/mylib/lib", "-Wl,-rpath",
        "-Wl,/opt/other"]
