"""Record what every interpreter says about its ABI, for table-driven unit tests.

``python -m devtools.record_interpreters [NAME...]`` writes
``tests/data/interpreters/<Interpreter.name>.json`` for each interpreter of
``find_interpreters(newer=True)`` (fetching or building the newer ones if needed): the
implementation and version, free-threading, ``importlib.machinery.EXTENSION_SUFFIXES``,
sysconfig's ``SOABI``, ``EXT_SUFFIX`` and ``Py_GIL_DISABLED``, ``sys.abiflags``, and
packaging's ``sys_tags()`` as computed *on that interpreter* (packaging >= 26.1, the newest
the index has for it, in a throwaway venv). Lists are kept exactly as recorded, in order.

The platform tags depend on the glibc the interpreter runs with: Debian's roots bring their
own (``libc`` in the file), so their ``manylinux_2_X`` tags go higher than the host's.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path

from .interpreters import Interpreter, find_interpreters
from .venvs import ROOT, build_env, make_venv, run

__all__ = ["DATA", "PACKAGING", "record"]

DATA = ROOT / "tests/data/interpreters"
PACKAGING = "packaging>=26.1"

_PROBE = r"""
import importlib.machinery, json, os, platform, sys, sysconfig
import packaging, packaging.tags

impl = sys.implementation
print(json.dumps({
    "implementation": impl.name,
    "version": platform.python_version(),
    "version_info": list(sys.version_info[:3]),
    "implementation_version": ".".join(map(str, impl.version[:3])),
    "free_threaded": bool(sysconfig.get_config_var("Py_GIL_DISABLED")),
    "EXTENSION_SUFFIXES": importlib.machinery.EXTENSION_SUFFIXES,
    "SOABI": sysconfig.get_config_var("SOABI"),
    "EXT_SUFFIX": sysconfig.get_config_var("EXT_SUFFIX"),
    "Py_GIL_DISABLED": sysconfig.get_config_var("Py_GIL_DISABLED"),
    "abiflags": getattr(sys, "abiflags", None),
    "cache_tag": impl.cache_tag,
    "multiarch": getattr(impl, "_multiarch", None),
    "platform": sysconfig.get_platform(),
    "libc": os.confstr("CS_GNU_LIBC_VERSION"),
    "packaging": packaging.__version__,
    "interpreter_name": packaging.tags.interpreter_name(),
    "interpreter_version": packaging.tags.interpreter_version(),
    "sys_tags": [str(t) for t in packaging.tags.sys_tags()],
}))
"""


def _source(interp: Interpreter) -> str:
    """Where the interpreter comes from, without this machine's paths."""
    exe = interp.executable
    parts = exe.parts
    if ".pyenv" in parts:
        return f"pyenv {parts[parts.index('versions') + 1]}"
    if "foreign" in parts:  # the cache of devtools.foreign / devtools.newer_pythons
        folder = parts[parts.index("foreign") + 1]
        return f"devtools.newer_pythons ({folder})"
    return f"{exe.name} on PATH"


def record(interp: Interpreter, work: Path) -> dict[str, object]:
    """What *interp* says about itself, with packaging's tags computed on it."""
    python = make_venv(interp, work / f"venv-{interp.name}", [PACKAGING])
    env = build_env()
    out = run([python, "-c", _PROBE], cwd=work, env=env).stdout
    data: dict[str, object] = {"name": interp.name, "source": _source(interp)}
    data.update(json.loads(out))
    return data


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("names", nargs="*", help="only these (Interpreter.name)")
    args = parser.parse_args(argv)
    interpreters = [i for i in find_interpreters(newer=True)
                    if not args.names or i.name in args.names]
    DATA.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="record-interpreters-") as tmp:
        for interp in interpreters:
            data = record(interp, Path(tmp))
            path = DATA / f"{interp.name}.json"
            path.write_text(json.dumps(data, indent=2) + "\n")
            tags = data["sys_tags"]
            assert isinstance(tags, list)
            print(f"{interp.name:15} {data['version']!s:8} {len(tags):4} tags  "
                  f"-> {path.relative_to(ROOT)}")
    from .interpreters import SKIPPED

    for name, reason in SKIPPED.items():
        print(f"{name:15} not recorded: {reason}", file=sys.stderr)
    return 1 if SKIPPED else 0


if __name__ == "__main__":
    sys.exit(main())
