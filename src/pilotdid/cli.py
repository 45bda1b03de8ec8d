"""The ``pilotdid`` command: argument parsing and exit codes only.

Commands::

    pilotdid init [study.toml]            write a commented study-file template
    pilotdid validate study.toml          check the study file against its data, run nothing
    pilotdid run study.toml [--out DIR]   run every stage and write the report
    pilotdid demo [--out demo_out]        the paper's study on the built-in demo panel
    pilotdid measure expy --trade 'baci/*.parquet' --gdp gdp.csv --regional customs.parquet
                          --level province --out expy.parquet
                                          PRODY/EXPY/RCA from trade records (pilotdid.measures)

Exit codes: 0 success; 2 bad input (an invalid study file, unusable data, an output folder that
cannot be written, a design that cannot be estimated, wrong command-line arguments) with a
message saying what to fix; 1 an internal failure (a bug: the traceback is printed, please
report it); 130 interrupted. Outputs are written atomically, so a failed run leaves no partial
output folder behind.
"""

from __future__ import annotations

import argparse
import sys
import time
import tomllib
import traceback
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from pilotdid.study.config import Study
    from pilotdid.study.pipeline import StudyResult

__all__ = ["EXIT_BAD_INPUT", "EXIT_INTERNAL", "EXIT_INTERRUPTED", "EXIT_OK", "main"]

EXIT_OK = 0
EXIT_INTERNAL = 1
EXIT_BAD_INPUT = 2
EXIT_INTERRUPTED = 130

DEMO_STUDY = "bigdata_pilot.toml"  # package data in pilotdid/study/, a copy is in examples/


class _Parser(argparse.ArgumentParser):
    """argparse exits with 2 on bad arguments, which is our bad-input code too."""


def _set_value(text: str) -> tuple[str, Any]:
    """Parse ``key.path=value``; the value is TOML (``100``, ``true``, ``"x"``) or else text."""
    key, sep, raw = text.partition("=")
    if not sep or not key.strip():
        raise argparse.ArgumentTypeError(
            f"--set needs key=value (e.g. placebo.draws=100), got {text!r}"
        )
    try:
        value = tomllib.loads(f"v = {raw}")["v"]
    except tomllib.TOMLDecodeError:
        value = raw
    return key.strip(), value


def _parser() -> argparse.ArgumentParser:
    from pilotdid import __version__

    parser = _Parser(
        prog="pilotdid",
        description="PSM-DID evaluation of pilot policies: one study file in, the whole paper out.",
        epilog="Exit codes: 0 ok, 2 bad input (message says what to fix), 1 internal error.",
    )
    parser.add_argument("--version", action="version", version=f"pilotdid {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    p_init = sub.add_parser("init", help="write a commented study-file template")
    p_init.add_argument("path", nargs="?", default="study.toml", help="where (default study.toml)")
    p_init.add_argument("--force", action="store_true", help="overwrite an existing file")
    p_val = sub.add_parser("validate", help="check a study file and its data; run nothing")
    p_val.add_argument("study", help="the study file (.toml)")
    p_run = sub.add_parser("run", help="run a study and write its report")
    p_run.add_argument("study", help="the study file (.toml)")
    p_demo = sub.add_parser("demo", help="run the paper's study on the built-in demo panel")
    p_demo.add_argument("--seed", type=int, help="seed of the demo panel and the placebo draws")
    for p in (p_val, p_run, p_demo):
        default = "demo_out" if p is p_demo else None
        p.add_argument("--out", default=default, help="output folder (default: report.output)"
                       if p is not p_demo else "output folder (default demo_out)")  # fmt: skip
        p.add_argument("--set", dest="overrides", action="append", type=_set_value, default=[],
                       metavar="KEY=VALUE", help="override a study-file value, e.g. placebo.draws=100")  # fmt: skip
    for p in (p_run, p_demo):
        p.add_argument("-q", "--quiet", action="store_true", help="no progress lines")
    _measure_parser(sub)
    return parser


def _measure_parser(sub: Any) -> None:
    p = sub.add_parser("measure", help="PRODY, EXPY (or the city index) or RCA from trade records")
    p.add_argument("measure", choices=["prody", "expy", "rca"])
    p.add_argument(
        "--trade",
        action="append",
        required=True,
        metavar="PATH",
        help="world trade records: Parquet/CSV files or glob patterns (repeatable)",
    )
    p.add_argument("--gdp", help="GDP per capita by exporter and year (Parquet/CSV)")
    p.add_argument(
        "--regional",
        action="append",
        metavar="PATH",
        help="expy: the regions' export records (default: --trade, country EXPY)",
    )
    p.add_argument("--level", help="expy: region column of --regional (province, city ...)")
    p.add_argument("--out", required=True, help="output file (.parquet or .csv)")
    p.add_argument("--engine", choices=["duckdb", "spark"], default="duckdb")
    p.add_argument("--years", type=int, nargs="+", help="fixed base: mean PRODY over these years")
    p.add_argument("--window", type=int, help="rolling base: mean PRODY over the last N years")
    p.add_argument("--min-exports", type=float, default=0.0, help="drop smaller exporter-years")
    p.add_argument("--quality-adjusted", action="store_true", help="Xu (2010); needs --quantity")
    for name, default in (("year", "t"), ("exporter", "i"), ("product", "k"), ("value", "v")):
        p.add_argument(f"--{name}", default=default, help=f"trade column (default {default})")
    p.add_argument("--quantity", help="trade (and regional) quantity column (BACI: q)")
    p.add_argument("--gdp-value", default="gdppc", help="GDP per capita column (default gdppc)")
    for name in ("year", "product", "value"):
        p.add_argument(f"--regional-{name}", help=f"regional {name} column (default: --{name})")
    p.add_argument("--regional-digits", type=int, default=6, help="regional code length (8: HS8)")
    p.add_argument("--tertiary", help="expy: city tertiary shares -> the city index (Chao 2022)")
    p.add_argument("--city", default="city", help="--tertiary: city column")
    p.add_argument("--province", default="province", help="--tertiary: province column")
    p.add_argument("--share", default="tertiary_share", help="--tertiary: share column")
    p.add_argument("--log-name", default="lnEXPY", help="name of the log column written")
    p.add_argument("-q", "--quiet", action="store_true", help="no progress lines")


def _say(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def _progress(
    i: int, n: int, stage: str, seconds: float | None, peak_mib: float | None = None
) -> None:
    # the stage name appears when it starts, its time and peak memory when it ends (same line)
    if seconds is None:
        print(f"  [{i}/{n}] {stage:<13}", end="", file=sys.stderr, flush=True)
    else:
        _say(f" {seconds:6.2f} s{_peak(peak_mib)}")


def _peak(peak_mib: float | None) -> str:
    """``"   1,234 MiB peak"`` (nothing when the peak is unknown)."""
    if peak_mib is None or peak_mib != peak_mib:
        return ""
    return f"  {peak_mib:7,.0f} MiB peak"


def _cmd_init(args: argparse.Namespace) -> int:
    from importlib import resources

    from pilotdid.errors import StudyFileError

    target = Path(args.path)
    if target.exists() and not args.force:
        raise StudyFileError(f"{target} already exists; pass --force to overwrite it.")
    template = resources.files("pilotdid.study").joinpath("template.toml").read_text("utf-8")
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(template, encoding="utf-8")
    except OSError as exc:
        raise StudyFileError(f"cannot write {target}: {exc.strerror}.") from exc
    _say(f"wrote {target}: edit [data], [treatment] and [model], then `pilotdid run {target}`.")
    return EXIT_OK


def _load(args: argparse.Namespace) -> Study:
    from pilotdid.study.config import load_study

    return load_study(args.study, overrides=dict(args.overrides))


def _cmd_validate(args: argparse.Namespace) -> int:
    from pilotdid.report.build import check_output_dir
    from pilotdid.study.prepare import prepare_panel
    from pilotdid.study.sample_checks import check_sample
    from pilotdid.study.stages import run_matching, staggered_note

    study = _load(args)
    panel = prepare_panel(study)
    matching = run_matching(study.config, panel)  # the analysis sample every stage uses
    check_sample(study, matching)
    out = study.output_dir(args.out)
    check_output_dir(out, "--out" if args.out else "report.output", create=False)
    print(f"{study.name}: OK")
    print(f"  data: {panel.source}")
    print(f"  {panel.check}".replace("\n", "\n  "))
    print(f"  {panel.treatment.report}".replace("\n", "\n  "))
    print(f"  analysis sample: {len(matching.sample):,} rows")
    staggered = staggered_note(study.config, matching)
    if staggered:
        print(f"  note: {staggered}")
    from pilotdid.study.staggered import staggered_plan

    for line in staggered_plan(study.config, matching):
        print(f"  {line}")
    print(f"  output folder: {out}")
    return EXIT_OK


def _run_and_write(study: Study, out_arg: str | None, quiet: bool) -> StudyResult:
    from pilotdid.report.build import missing_parents, remove_empty

    made = missing_parents(study.output_dir(out_arg))
    try:
        return _run_and_write_in(study, out_arg, quiet)
    except BaseException:
        remove_empty(made)  # a failed run leaves no folder it created behind
        raise


def _run_and_write_in(study: Study, out_arg: str | None, quiet: bool) -> StudyResult:
    from pilotdid.report.build import check_output_dir
    from pilotdid.report.messages import capture
    from pilotdid.study.peak_memory import PeakMeter
    from pilotdid.study.pipeline import run_study

    out = check_output_dir(study.output_dir(out_arg), "--out" if out_arg else "report.output")
    start = time.perf_counter()
    if not quiet:
        _say(f"pilotdid: running {study.name}")
    notes: list[str] = []  # Python warnings: one line each after the progress lines
    with capture("run", notes):
        result = run_study(study, progress=None if quiet else _progress)
    if not quiet:
        print(f"  {'writing report':<19}", end="", file=sys.stderr, flush=True)
    written = time.perf_counter()
    meter = PeakMeter()
    meter.start()
    with capture("report", notes):
        result.write_report(out)
    if not quiet:
        _say(f" {time.perf_counter() - written:6.2f} s{_peak(meter.stop())}")
        for line in dict.fromkeys([*result.messages, *(_unprefix(n) for n in notes)]):
            _say(f"  note: {line}")
        _say(f"  wrote {out} in {time.perf_counter() - start:.1f} s: open {out / 'report.html'}")
    return result


def _unprefix(note: str) -> str:
    """``"report: figures: ..."`` (re-raised by the report writer) -> ``"figures: ..."``."""
    for head in ("run: ", "report: "):
        if note.startswith(head):
            return note[len(head) :]
    return note


def _cmd_run(args: argparse.Namespace) -> int:
    _run_and_write(_load(args), args.out, args.quiet)
    return EXIT_OK


def _cmd_demo(args: argparse.Namespace) -> int:
    from importlib import resources

    from pilotdid.study.config import parse_study

    text = resources.files("pilotdid.study").joinpath(DEMO_STUDY).read_text("utf-8")
    overrides = dict(args.overrides)
    if args.seed is not None:
        overrides["study.seed"] = args.seed
    study = parse_study(text, base_dir=Path.cwd(), name=DEMO_STUDY, overrides=overrides)
    _run_and_write(study, args.out, args.quiet)
    return EXIT_OK


def _cmd_measure(args: argparse.Namespace) -> int:
    from pilotdid.measures.command import measure_command

    if not args.quiet:
        _say(f"pilotdid: measure {args.measure} ({args.engine})")
    measure_command(vars(args), (lambda _line: None) if args.quiet else _say)
    return EXIT_OK


_COMMANDS = {
    "init": _cmd_init,
    "validate": _cmd_validate,
    "run": _cmd_run,
    "demo": _cmd_demo,
    "measure": _cmd_measure,
}


def main(argv: Sequence[str] | None = None) -> int:
    """Run the ``pilotdid`` command line; return the exit code (see the module docstring).

    Examples
    --------
    >>> main(["--version"])  # doctest: +SKIP
    pilotdid 0.1.0
    """
    args = _parser().parse_args(argv)
    from pilotdid.errors import PilotdidError

    try:
        return _COMMANDS[args.command](args)
    except PilotdidError as exc:
        _say(f"pilotdid: error: {exc}")
        return EXIT_BAD_INPUT
    except KeyboardInterrupt:
        _say("pilotdid: interrupted")
        return EXIT_INTERRUPTED
    except Exception:  # a bug: show everything needed to report it
        _say("pilotdid: internal error (please report it with the traceback below):")
        traceback.print_exc()
        return EXIT_INTERNAL


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
