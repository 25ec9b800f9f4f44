"""The ``cffi-build-plugin`` command line: the only place that prints."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from . import __version__, errors
from .config.build_options import CONFIG_PREFIX, ENV_PREFIX, BuildOptions, project_options
from .config.project import Project, load_project
from .config.settings import Settings
from .edits.files import Change, apply_changes
from .errors import CffiBuildPluginError
from .modules.markers import build_environment, interpreter_label
from .modules.plan import Plan, make_plan

if TYPE_CHECKING:
    from .check.expected import ExpectedModule

__all__ = ["main"]


def _project_at(path: Path) -> tuple[Project, bool]:
    """The project, and whether it opted in; one that did not is read with the defaults."""
    project = load_project(path)
    if project is not None:
        return project, True
    return Project(path, Settings(), {}), False


def _plan_as_json(project: Project, plan: Plan, opted_in: bool) -> dict[str, Any]:
    env = build_environment()
    here = plan.built_in(env, str(project.pyproject))
    return {
        "root": str(project.root),
        "opted_in": opted_in,
        "source": "config" if project.settings.modules is not None else "discovery",
        "interpreter": interpreter_label(env),
        "modules": [
            {
                "module": m.declared_name,
                "mode": m.declared.mode if m.declared else "unknown",
                "builder": str(m.spec),
                "optional": m.optional,
                "py_limited_api": m.py_limited_api,
                "when": m.when,
                "built_here": m in here,
            }
            for m in plan.modules
        ],
        "skipped": [{"path": s.path, "reason": s.reason} for s in plan.skipped],
    }


def _options_as_json(build_options: BuildOptions) -> list[dict[str, Any]]:
    return [
        {
            "name": option.name,
            "type": option.type_name,
            "value": option.value,
            "default": option.default,
            "origin": option.origin.kind,
            # The environment variable that set it (list sees no config settings).
            "set_by": option.origin.key,
        }
        for option in build_options.entries()
    ]


def _print_options(options: list[dict[str, Any]]) -> None:
    print(f"build options (set with -C {CONFIG_PREFIX}NAME=VALUE or {ENV_PREFIX}NAME=VALUE):")
    rows = [("OPTION", "TYPE", "VALUE", "FROM")] + [
        (o["name"], o["type"], json.dumps(o["value"], ensure_ascii=False),
         o["set_by"] or o["origin"])
        for o in options
    ]
    widths = [max(len(r[i]) for r in rows) for i in range(3)]
    for r in rows:
        print(f"  {r[0]:<{widths[0]}}  {r[1]:<{widths[1]}}  {r[2]:<{widths[2]}}  {r[3]}")


def _print_plan(data: dict[str, Any]) -> None:
    how = ("from [tool.cffi-build-plugin] modules" if data["source"] == "config"
           else "discovered (read, not run)")
    print(f"cffi modules in {data['root']}, {how}:")
    if not data["opted_in"]:
        print("  (this project has not opted in: add cffi-build-plugin to "
              "[build-system].requires)")
    rows = [("MODULE", "MODE", "BUILDER")] + [
        (m["module"] or "?", m["mode"], m["builder"] + (" (optional)" if m["optional"] else "")
         + (f' (when {m["when"]})' if m["when"] and m["built_here"] else "")
         + (f' (not built on {data["interpreter"]}: when {m["when"]})'
            if not m["built_here"] else ""))
        for m in data["modules"]
    ]
    if len(rows) == 1:
        print("  none found")
    else:
        widths = [max(len(r[i]) for r in rows) for i in range(2)]
        for r in rows:
            print(f"  {r[0]:<{widths[0]}}  {r[1]:<{widths[1]}}  {r[2]}")
    if data["skipped"]:
        print("skipped:")
        for s in data["skipped"]:
            print(f"  {s['path']}: {s['reason']}")


def _cmd_list(args: argparse.Namespace) -> int:
    project, opted_in = _project_at(Path(args.path).resolve())
    # Checked as a build checks them; outside a PEP 517 hook there are no config settings.
    build_options = project_options(project, None)
    data = _plan_as_json(project, make_plan(project), opted_in)
    data["options"] = _options_as_json(build_options)
    if args.json:
        print(json.dumps(data, indent=2))
    else:
        _print_plan(data)
        if data["options"]:
            _print_options(data["options"])
    return 0


def _cmd_stubs(args: argparse.Namespace) -> int:
    from .stubs_command import write_source_stubs  # runs builders: only for this command

    project, _ = _project_at(Path(args.path).resolve())
    written = write_source_stubs(project)
    for stub in written:
        print(f"wrote {stub}")
    return 0


def _carry_out(root: Path, changes: Sequence[Change], report: Sequence[str], dry_run: bool,
               done: str = "") -> int:
    """Print a plan's report, then its diff (--dry-run) or write it."""
    for line in report:
        print(f"{'would: ' if dry_run and changes else ''}{line}")
    if dry_run:
        for change in changes:
            sys.stdout.write(change.diff(root))
        return 0
    apply_changes(changes)
    if not changes:
        print("nothing changed")
    elif done:
        print(done)
    return 0


def _cmd_init(args: argparse.Namespace) -> int:
    from .init.changes import init_changes  # tomlkit only for this command

    init = init_changes(Path(args.path), force=args.force)
    code = _carry_out(init.root, init.changes, init.report, args.dry_run)
    if init.next_steps:
        print("\nNext steps" + (" (once these changes are written):" if args.dry_run
                                 and init.changes else ":"))
        for line in init.next_steps:
            print(line)
    return code


def _cmd_migrate(args: argparse.Namespace) -> int:
    from .migrate.changes import migrate_changes  # tomlkit and ini2toml only for this command

    migration = migrate_changes(Path(args.path), run_setup_py=args.exec)
    return _carry_out(migration.root, migration.changes, migration.report, args.dry_run,
                      "done; next: `cffi-build-plugin init` adds the CI that builds and "
                      "publishes wheels")


def _declared_modules(path: str | None) -> list[ExpectedModule]:
    """The modules a wheel of the project at *path* may have to hold, with their markers."""
    from .check.expected import ExpectedModule

    if path is None:
        return []
    project, _ = _project_at(Path(path).resolve())
    return [ExpectedModule(m.declared_name, m.when) for m in make_plan(project).modules
            if m.declared_name]


def _print_reports(reports: Sequence[Any], as_json: bool) -> int:
    if as_json:
        print(json.dumps([{"wheel": str(r.wheel), "ok": r.ok, "problems": r.problems,
                           "notes": r.notes} for r in reports], indent=2))
    else:
        for r in reports:
            print(f"{'OK     ' if r.ok else 'PROBLEM'} {r.wheel}")
            for problem in r.problems:
                print(f"  - {problem}")
            for note in r.notes:
                print(f"    ({note})")
    return 0 if all(r.ok for r in reports) else 1


def _cmd_check(args: argparse.Namespace) -> int:
    from .check.wheel import check_wheel, wheels_to_check

    wheels = wheels_to_check(args.wheels)
    declared = _declared_modules(args.project)
    return _print_reports([check_wheel(w, declared) for w in wheels], args.json)


def _progress(line: str) -> None:
    print(line, file=sys.stderr, flush=True)


def _cmd_wheel(args: argparse.Namespace) -> int:
    from .portable.target import parse_target
    from .portable.wheels import build_portable_wheels

    target = parse_target(args.target, "--target")
    pythons = args.python or [sys.executable]
    reports = build_portable_wheels(Path(args.path).resolve(), target, pythons,
                                    Path(args.outdir).resolve(), _declared_modules(args.path),
                                    progress=_progress)
    return _print_reports(reports, args.json)


def _add_path(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("path", nargs="?", default=".", help="project folder (default: .)")


def _add_dry_run(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--dry-run", action="store_true",
                        help="print the changes as a diff; write nothing")


def _exit_codes() -> str:
    """The exit codes, one per error class (errors.py), for --help and the docs."""
    public = (getattr(errors, name) for name in errors.__all__)
    classes = sorted((c for c in public if isinstance(c, type)
                      and issubclass(c, errors.CffiBuildPluginError)),
                     key=lambda c: c.exit_code)
    lines = ["exit codes:", "  0   success", "  1   check found problems"]
    for cls in classes:
        lines.append(f"  {cls.exit_code:<3} {cls.summary}")
    return "\n".join(lines)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="cffi-build-plugin",
        description="Build cffi modules from pyproject.toml alone.",
        epilog=_exit_codes(),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    sub = parser.add_subparsers(dest="command", required=True)
    p_list = sub.add_parser("list", help="show the cffi modules a project builds, without "
                                         "running any builder")
    _add_path(p_list)
    p_list.add_argument("--json", action="store_true", help="machine-readable output")
    p_list.set_defaults(func=_cmd_list)
    p_stubs = sub.add_parser(
        "stubs", help="write each cffi module's typed .pyi stub next to the sources, for "
                      "editors (the builders run; nothing compiles)")
    _add_path(p_stubs)
    p_stubs.set_defaults(func=_cmd_stubs)
    p_init = sub.add_parser(
        "init", help="set a cffi project up: build-system, [tool.cibuildwheel] and a GitHub "
                     "workflow that builds, tests and publishes its wheels")
    _add_path(p_init)
    p_init.add_argument("--force", action="store_true",
                        help="replace an existing [tool.cibuildwheel] or workflow")
    _add_dry_run(p_init)
    p_init.set_defaults(func=_cmd_init)
    p_migrate = sub.add_parser(
        "migrate", help="convert a setup.py/setup.cfg cffi project to pyproject.toml and "
                        "this plugin (setup.py is read, not run, unless --exec)")
    _add_path(p_migrate)
    _add_dry_run(p_migrate)
    p_migrate.add_argument("--exec", action="store_true",
                           help="run setup.py, with setup() intercepted, to record the values "
                                "reading it cannot tell (it runs whatever setup.py does)")
    p_migrate.set_defaults(func=_cmd_migrate)
    p_wheel = sub.add_parser(
        "wheel", help="build portable manylinux/musllinux wheels with zig (no Docker), repair "
                      "and check them")
    _add_path(p_wheel)
    p_wheel.add_argument("--target", required=True,
                         help="platform tag, e.g. manylinux_2_17_x86_64 (or its PEP 600 alias "
                              "manylinux2014_x86_64), manylinux_2_28_aarch64, "
                              "musllinux_1_2_x86_64")
    p_wheel.add_argument("--python", action="append", metavar="PY",
                         help="interpreter to build for (repeatable; default: this one); "
                              "GIL CPythons share one abi3 wheel")
    p_wheel.add_argument("-o", "--outdir", default="wheelhouse",
                         help="where the wheels go (default: wheelhouse)")
    p_wheel.add_argument("--json", action="store_true", help="machine-readable report")
    p_wheel.set_defaults(func=_cmd_wheel)
    p_check = sub.add_parser(
        "check", help="audit wheels before upload: tags vs modules, libc, unversioned "
                      "symbols, RUNPATH, auditwheel level, abi3audit")
    p_check.add_argument("wheels", nargs="+", metavar="WHEEL",
                         help="one or more wheel files or folders (every .whl file in it)")
    p_check.add_argument("--project", metavar="PATH",
                         help="also check that every cffi module this project declares is in "
                              "each wheel")
    p_check.add_argument("--json", action="store_true", help="machine-readable report")
    p_check.set_defaults(func=_cmd_check)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        code: int = args.func(args)
    except CffiBuildPluginError as exc:
        print(f"ERROR {exc}", file=sys.stderr)
        return exc.exit_code
    return code
