"""The console entry point (``djstate``).

``djstate scan [PATH] [--format text|json]`` whose snapshot is current (djstate/scan_cache.py)
is answered here, before typer is imported: typer converts a command's parameters through
pydantic, whose import alone costs about a quarter of a second, more than the rest of a hit.
Every other form, every miss, and anything this path would print differently (configuration
warnings, a settings module not found, text the terminal cannot encode) goes to the typer
command line (djstate/cli.py), which checks the same snapshot and does the rest.
"""

from __future__ import annotations

import os
import sys

FORMATS = ("text", "json")


def main() -> None:
    code = quick_scan(sys.argv[1:])
    if code is not None:
        sys.exit(code)
    from djstate.cli import main as cli_main

    cli_main()


def plain_scan(args: list[str]) -> tuple[str, str] | None:
    """(PATH, FORMAT) of ``scan [PATH] [--format text|json]``; None for anything else."""
    if not args or args[0] != "scan":
        return None
    path, format, have_path = ".", "text", False
    rest = args[1:]
    while rest:
        arg = rest.pop(0)
        if arg == "--format" and rest:
            format = rest.pop(0)
        elif arg.startswith("--format="):
            format = arg.partition("=")[2]
        elif arg and not arg.startswith("-") and not have_path:
            path, have_path = arg, True
            continue
        else:
            return None
        if format not in FORMATS:
            return None
    return path, format


def quick_scan(args: list[str]) -> int | None:
    """The exit code after printing the snapshot's report, or None when typer must answer."""
    parsed = plain_scan(args)
    if parsed is None or os.environ.get("DJSTATE_NO_SITE_PACKAGES"):  # typer reads that variable
        return None
    from pathlib import Path

    from djstate import output, scan_cache
    from djstate.cache import default_cache_dir
    from djstate.config import ConfigError, load_config

    path, format = Path(parsed[0]), parsed[1]
    if not path.is_dir():
        return None
    root = path.resolve()
    try:
        config = load_config(root, {}, find_venv=True)  # what the command line resolves for these forms
    except ConfigError:
        return None
    if config.warnings:
        return None
    report = scan_cache.lookup(default_cache_dir(), root, config, remember_miss=True)
    if report is None:
        return None
    if config.settings and not (report.settings_path and (root / report.settings_path).is_file()):
        return None
    stats = output.stats_of(report, config, root)
    text = output.render(format, report.findings, stats, root, statistics=False, show_source=False,
                         color=output.use_color(False, None), quiet=False, hidden=0)  # fmt: skip
    if text:
        try:
            text.encode(sys.stdout.encoding or "utf-8")
        except (UnicodeEncodeError, LookupError):
            return None
        sys.stdout.write(text + "\n")
        sys.stdout.flush()
    return 1 if output.fails(report.findings, config.fail_on) else 0
