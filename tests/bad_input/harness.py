"""Run the CLI cases: prepare a folder per case, then run them in a few worker processes.

Each worker (:mod:`tests.bad_input.worker`) is a fresh Python process that runs a batch of
cases through ``pilotdid.cli.main`` with a per-case alarm, so a hang, a crash (exit 1), an
exception escaping ``main`` or a dead worker all show up as that case's outcome.
"""

from __future__ import annotations

import html
import os
import re
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from tests.bad_input.cases_cli import BASE, CliCase
from tests.bad_input.data import panel
from tests.bad_input.worker import LIMIT

ROOT = Path(__file__).resolve().parents[2]


@dataclass(frozen=True)
class Outcome:
    code: int | str | None  # int: exit code; "hang"; "escaped ..."; None: the worker died
    stdout: str
    stderr: str
    folder: Path
    seconds: float

    @property
    def text(self) -> str:
        """Everything the user sees: both streams and, after a run, the report page as text."""
        page = self.folder / "out" / "report.html"
        report = page.read_text(encoding="utf-8") if page.exists() else ""
        report = html.unescape(re.sub(r"<[^>]+>", " ", report))
        return re.sub(r"\s+", " ", "\n".join([self.stdout, self.stderr, report]))


def prepare(case: CliCase, root: Path) -> Path:
    """Write the case's folder: the panel, the study file and any extra files."""
    folder = root / case.id
    home = folder / case.where
    home.mkdir(parents=True)
    if case.panel_text is not None:
        (home / "panel.csv").write_text(case.panel_text, encoding="utf-8")
    else:
        base = panel()
        df = base if case.data is None else case.data(base)
        df = df.drop(columns=[c for c in ("treat", "did", "cohort") if c in df.columns])
        df.to_csv(home / "panel.csv", index=False)
    study = BASE if case.study is None else case.study(BASE)
    (home / "study.toml").write_text(study, encoding="utf-8")
    for name, content in case.files.items():
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
    return folder


def argv(case: CliCase) -> list[str]:
    return list(case.argv if case.argv is not None else (case.command, "study.toml", *case.args))


def _env() -> dict[str, str]:
    paths = [str(ROOT / "src"), str(ROOT), os.environ.get("PYTHONPATH", "")]
    return {**os.environ, "PYTHONPATH": os.pathsep.join(p for p in paths if p), "MPLBACKEND": "Agg"}


def _run_batch(root: Path, name: str, n_cases: int) -> str:
    try:
        done = subprocess.run(
            [sys.executable, "-m", "tests.bad_input.worker", str(root), name],
            cwd=ROOT, env=_env(), capture_output=True, text=True,
            timeout=LIMIT * 2 + 10 * n_cases, check=False,
        )  # fmt: skip
    except subprocess.TimeoutExpired as exc:
        return f"worker {name} timed out: {exc.stderr or ''}"
    return "" if done.returncode == 0 else f"worker {name} exited {done.returncode}: {done.stderr}"


def _read(root: Path, case: CliCase, worker_error: str) -> Outcome:
    results = root / "_results"
    code_file = results / f"{case.id}.code"

    def text(suffix: str) -> str:
        path = results / f"{case.id}{suffix}"
        return path.read_text(encoding="utf-8") if path.exists() else ""

    if not code_file.exists():
        return Outcome(None, text(".out"), text(".err") + worker_error, root / case.id, 0.0)
    raw, seconds = code_file.read_text(encoding="utf-8").split()
    code: int | str = int(raw) if raw.lstrip("-").isdigit() else raw
    return Outcome(code, text(".out"), text(".err"), root / case.id, float(seconds))


def run_all(cases: list[CliCase], root: Path, workers: int = 2) -> dict[str, Outcome]:
    """Run every case in ``workers`` processes; return the outcomes by case id.

    Slow cases (``run``) are dealt out first, round robin, so the batches take about as long.
    """
    for case in cases:
        prepare(case, root)
    (root / "_results").mkdir()
    (root / "_batches").mkdir()
    ordered = sorted(cases, key=lambda c: argv(c)[:1] != ["run"])
    batches = [ordered[i::workers] for i in range(workers)]
    for i, batch in enumerate(batches):
        lines = ["\0".join([c.id, c.id, *argv(c)]) for c in batch]
        (root / "_batches" / str(i)).write_text("\n".join(lines), encoding="utf-8")
    with ThreadPoolExecutor(max_workers=workers) as pool:
        errors = list(pool.map(lambda i: _run_batch(root, str(i), len(batches[i])), range(workers)))
    by_case = {c.id: errors[i] for i, b in enumerate(batches) for c in b}
    return {c.id: _read(root, c, by_case[c.id]) for c in cases}
