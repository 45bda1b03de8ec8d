"""Run a batch of prepared CLI cases in one process: ``python -m tests.bad_input.worker ROOT ID...``.

Each case runs ``pilotdid.cli.main`` in its own folder with stdout and stderr captured to files
under ``ROOT/_results``, so one process pays the imports once for many cases (a fresh process
per case spends ~1.5 s importing pandas and scipy). A case that runs past its time limit is
stopped by an alarm and recorded as a hang; an exit code is recorded for every case.
"""

from __future__ import annotations

import contextlib
import os
import signal
import sys
import time
from pathlib import Path

LIMIT = 60  # seconds per case


class Hang(BaseException):
    """Raised by the alarm in a case that runs too long (not an Exception: main cannot catch it)."""


def _alarm(signum: int, frame: object) -> None:
    raise Hang


def run_case(root: Path, case_id: str, argv: list[str], where: Path) -> None:
    from pilotdid.cli import main

    results = root / "_results"
    start = time.perf_counter()
    with (
        open(results / f"{case_id}.out", "w", encoding="utf-8") as out,
        open(results / f"{case_id}.err", "w", encoding="utf-8") as err,
        contextlib.redirect_stdout(out),
        contextlib.redirect_stderr(err),
    ):
        os.chdir(where)
        signal.alarm(LIMIT)
        try:
            code: int | str = main(argv)
        except SystemExit as exc:  # argparse: usage errors and --version
            code = exc.code if isinstance(exc.code, int) else 2
        except Hang:
            code = "hang"
        except BaseException as exc:
            import traceback

            traceback.print_exc()
            code = f"escaped {type(exc).__name__}"
        finally:
            signal.alarm(0)
    seconds = time.perf_counter() - start
    (results / f"{case_id}.code").write_text(f"{code}\n{seconds:.3f}\n", encoding="utf-8")


def main() -> None:
    root = Path(sys.argv[1])
    signal.signal(signal.SIGALRM, _alarm)
    for line in (root / "_batches" / sys.argv[2]).read_text(encoding="utf-8").splitlines():
        case_id, where, *argv = line.split("\0")
        run_case(root, case_id, argv, root / where)


if __name__ == "__main__":
    main()
