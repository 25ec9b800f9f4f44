"""The calls setup.py code makes that only read: the reader (is a name changed after it is
bound?) and the stripper (is a statement dead once its names are?) share this one list."""

from __future__ import annotations

__all__ = ["EFFECTFUL_MODULES", "READING_CALLS", "READING_METHODS"]

#: Methods that read their object (and return a new value); any other method may change it.
READING_METHODS = frozenset({
    "copy", "count", "index", "get", "keys", "items", "values", "startswith", "endswith",
    "split", "rsplit", "splitlines", "strip", "rstrip", "lstrip", "join", "format", "lower",
    "upper", "read", "read_text", "readlines", "replace", "encode", "decode", "group",
    "search", "match", "findall", "sub", "resolve",
})
#: Functions (bare or dotted) that only read their arguments.
READING_CALLS = frozenset({
    "len", "list", "tuple", "sorted", "set", "frozenset", "dict", "str", "int", "repr",
    "print", "any", "all", "enumerate", "zip", "map", "filter", "iter", "next", "isinstance",
    "open", "io.open", "codecs.open", "Path", "pathlib.Path", "os.path.join", "path.join",
    "os.path.dirname", "os.path.abspath", "os.path.realpath", "os.path.exists",
    "os.path.isdir", "os.path.isfile", "os.environ.get", "os.getenv", "getenv",
    "dirname", "abspath", "realpath", "exists", "isdir", "isfile", "compile",
    "find_packages", "find_namespace_packages", "setuptools.find_packages",
    "setuptools.find_namespace_packages", "architecture", "machine",
    "python_implementation", "literal_eval", "RuntimeError", "ValueError", "Exception",
    "hasattr", "Extension", "setuptools.Extension",
})
#: Modules whose functions act on the world: a call into one reads only when
#: READING_CALLS names it whole (os.path.join, not os.system).
EFFECTFUL_MODULES = frozenset({"os", "shutil", "subprocess", "sys", "pathlib", "urllib",
                               "distutils", "setuptools", "glob", "tempfile"})
