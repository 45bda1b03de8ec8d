"""Write a study's outputs into one folder, atomically.

``out/report.html`` (self-contained), ``out/tables.{docx,tex,xlsx,md}``, ``out/figures/*.png|svg``,
``out/results.json`` (the headline numbers), ``out/panel.dta`` and ``out/results.dta`` (when
``report.formats`` lists "dta"), ``out/study.toml`` (the study file as run) and a
marker file. Everything is written into a temporary sibling folder first and then swapped into
place (old folder renamed aside, new one renamed in, old one removed): a failure at any point
leaves the previous output folder untouched and no partial folder behind. An existing folder is
only ever replaced when pilotdid wrote it (it holds the marker) or it is empty.
"""

from __future__ import annotations

import contextlib
import dataclasses
import io
import json
import os
import re
import shutil
import tempfile
import uuid
import warnings
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pilotdid.errors import PilotdidWarning, StudyFileError
from pilotdid.report.messages import capture
from pilotdid.tables.fonts import CJK_FONTS
from pilotdid.tables.strings import text

if TYPE_CHECKING:
    from matplotlib.figure import Figure

    from pilotdid.report.source import StudyOutputs as StudyResult
    from pilotdid.tables.table import Table

__all__ = [
    "CJK_FONTS",
    "MARKER",
    "TABLE_FILES",
    "check_output_dir",
    "collect_tables",
    "figure_rc",
    "missing_parents",
    "normalise_ooxml",
    "remove_empty",
    "remove_stale_staging",
    "write_report",
]

#: Name of the file that marks a folder as pilotdid output (safe to replace).
MARKER = ".pilotdid-output"

#: Report format -> file name of the combined tables.
TABLE_FILES = {"docx": "tables.docx", "tex": "tables.tex", "xlsx": "tables.xlsx", "md": "tables.md"}


def check_output_dir(
    out: str | os.PathLike[str], key: str = "report.output", *, create: bool = True
) -> Path:
    """Check up front that ``out`` can be (re)written.

    Parameters
    ----------
    out : path-like
        The output folder.
    key : str
        How the user named it, for messages (``report.output`` or ``--out``).
    create : bool, default True
        Create missing parent folders and prove writability with a probe folder; ``False``
        only checks permissions of the nearest existing folder (``pilotdid validate``).

    Returns
    -------
    pathlib.Path
        The absolute output folder.

    Raises
    ------
    StudyFileError
        ``out`` is a file, a folder pilotdid did not write (and not empty), or its parent folder
        cannot be created or written to.
    """
    target = Path(out).expanduser().absolute()
    if target.exists() and not target.is_dir():
        raise StudyFileError(f"{key}: {target} is a file, not a folder; choose a folder name.")
    if target.is_dir() and any(target.iterdir()) and not (target / MARKER).exists():
        raise StudyFileError(
            f"{key}: {target} already exists and was not written by pilotdid; choose another "
            "output folder or empty this one (pilotdid only replaces its own output)."
        )
    try:
        if create:
            target.parent.mkdir(parents=True, exist_ok=True)
            os.rmdir(tempfile.mkdtemp(prefix=f".{target.name}.probe-", dir=target.parent))
        else:
            existing = next(p for p in target.parents if p.exists())
            if not os.access(existing, os.W_OK | os.X_OK):
                raise PermissionError(13, "Permission denied")
    except OSError as exc:
        reason = exc.strerror or type(exc).__name__
        raise StudyFileError(
            f"{key}: cannot write the output folder {target} ({reason} in {target.parent}); "
            "choose a folder you can write to."
        ) from exc
    return target


def collect_tables(result: StudyResult) -> dict[str, Table]:
    """Every table of the report by key, in report order, each carrying its key."""
    from pilotdid.report.study_tables import drops_table, truth_table

    tables = dict(result.tables)
    truth = truth_table(result)
    if truth is not None:
        tables["truth"] = truth
    tables["drops"] = drops_table(result)
    return {k: dataclasses.replace(t, key=k) for k, t in tables.items()}


def figure_rc(language: str) -> dict[Any, Any]:
    """Return the matplotlib settings for drawing and saving the report's figures.

    SVG ids are deterministic and text stays text; for Chinese a font with Chinese glyphs is put
    first (:func:`pilotdid.tables.fonts.cjk_font`; DejaVu Sans, matplotlib's default, has none).
    """
    rc: dict[Any, Any] = {"svg.hashsalt": "pilotdid", "svg.fonttype": "none"}
    if language == "zh":
        from pilotdid.tables.fonts import cjk_font

        cjk = cjk_font()
        rc["font.family"] = "sans-serif"
        rc["font.sans-serif"] = [*([cjk] if cjk else []), "DejaVu Sans"]
        rc["axes.unicode_minus"] = False  # CJK fonts often lack the Unicode minus sign
    return rc


def _save_figure(
    fig: Figure, folder: Path, key: str, formats: list[str], dpi: int, language: str
) -> bytes:
    """Save ``fig`` in each format; return its PNG bytes (for inlining), made deterministic."""
    import matplotlib

    png = io.BytesIO()
    meta = {"png": {"Software": None}, "svg": {"Date": None}, "pdf": {"CreationDate": None}}
    with matplotlib.rc_context(figure_rc(language)):
        fig.savefig(png, format="png", dpi=dpi, metadata=meta["png"])
        for fmt in formats:
            path = folder / f"{key}.{fmt}"
            if fmt == "png":
                path.write_bytes(png.getvalue())
            else:
                fig.savefig(path, format=fmt, dpi=dpi, metadata=meta[fmt])
    return png.getvalue()


_OOXML_DATES = re.compile(rb"<dcterms:(created|modified)\b[^>]*>[^<]*</dcterms:\1>")


def normalise_ooxml(path: Path) -> None:
    """Make a .docx/.xlsx file depend only on its content, not on when it was written.

    Word and Excel files are zip archives whose entries carry the writing time, and whose
    ``docProps/core.xml`` records creation and modification times (both optional in OOXML). The
    archive is rewritten with a fixed entry time and without those two elements, so the same
    tables give the same bytes.
    """
    with zipfile.ZipFile(path) as source:
        entries = [(info, source.read(info)) for info in source.infolist()]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as target:
        for info, data in entries:
            if info.filename == "docProps/core.xml":
                data = _OOXML_DATES.sub(b"", data)
            fixed = zipfile.ZipInfo(info.filename, date_time=(1980, 1, 1, 0, 0, 0))
            fixed.external_attr = info.external_attr
            target.writestr(fixed, data, compress_type=zipfile.ZIP_DEFLATED)


def _json_value(value: Any) -> Any:
    if isinstance(value, float) and value != value:  # NaN is not JSON
        return None
    return value


def _results_json(result: StudyResult, pngs: dict[str, bytes]) -> str:
    from pilotdid.report import readings
    from pilotdid.report.readings_inference import read_inference
    from pilotdid.report.readings_sensitivity import read_sensitivity, read_staggered_sensitivity
    from pilotdid.report.readings_staggered import read_staggered

    found: dict[str, Any] = {}
    for reading in (
        readings.read_data(result), readings.read_table1(result), readings.read_table2(result),
        readings.read_matching(result), readings.read_table3(result), *read_inference(result), *readings.read_exclusions(result),
        readings.read_placebo(result), readings.read_event_study(result), *read_sensitivity(result),
        *read_staggered(result), *read_staggered_sensitivity(result),
        *readings.read_mechanisms(result), *readings.read_moderation(result), readings.read_truth(result),
    ):  # fmt: skip
        if reading is not None:
            found.update(reading.numbers())
    models = {
        title: {
            "nobs": fit.nobs,
            "r2": fit.r2,
            "coef": fit.coef().to_dict(),
            "se": fit.se().to_dict(),
        }
        for title, fit in result.baseline.models.items()
    }
    payload = {
        "study_sha256": result.study.sha256,
        "numbers": {k: _json_value(v) for k, v in sorted(found.items())},
        "table3": models,
        "seeds": result.seeds(),
        "figures": sorted(pngs),
    }
    return json.dumps(payload, indent=2, ensure_ascii=False, default=float) + "\n"


def _write_all(result: StudyResult, folder: Path) -> None:
    from pilotdid.report.render_report import render_report
    from pilotdid.tables.table import save_tables

    cfg = result.study.config
    tables = collect_tables(result)
    for fmt, name in TABLE_FILES.items():
        if fmt in cfg.report.formats:
            # keys label LaTeX tables (tab:table3); Excel sheets read better as "Table 3"
            items = [
                dataclasses.replace(t, key="") if fmt == "xlsx" else t for t in tables.values()
            ]
            save_tables(items, folder / name)
            if fmt in ("docx", "xlsx"):
                normalise_ooxml(folder / name)
    figures_dir = folder / "figures"
    figures_dir.mkdir()
    pngs = {}
    import matplotlib

    messages = list(result.messages)
    # figures lay out their text when drawn, so the font settings must hold from creation on
    with capture("figures", messages), matplotlib.rc_context(figure_rc(cfg.report.language)):
        for key, fig in result.figures():
            pngs[key] = _save_figure(
                fig, figures_dir, key, list(cfg.report.figures), cfg.report.dpi, cfg.report.language
            )
    for line in messages[len(result.messages) :]:  # tell API users and the CLI, in one line each
        warnings.warn(line, PilotdidWarning, stacklevel=2)
    if "dta" in cfg.report.formats:
        from pilotdid.report.stata_out import write_study_dta

        for name, dta in write_study_dta(result, folder).items():
            if dta.renamed:
                pairs = ", ".join(f"{a!r} -> {b}" for a, b in dta.renamed.items())
                warnings.warn(
                    f"{name}.dta: Stata variable names differ from the column names: {pairs} "
                    "(each variable's label keeps its original name)",
                    PilotdidWarning, stacklevel=2,
                )  # fmt: skip
    if "html" in cfg.report.formats:
        html = render_report(result, tables, pngs, messages)
        (folder / "report.html").write_text(html, encoding="utf-8")
    (folder / "results.json").write_text(_results_json(result, pngs), encoding="utf-8")
    (folder / "study.toml").write_text(_study_text(result), encoding="utf-8")
    if result.panel.demo is not None:
        # the synthetic input, so a newcomer sees the data format a study file points to
        result.panel.demo.data.to_csv(folder / "demo_panel.csv", index=False)
    (folder / MARKER).write_text(
        text("generated", "en", version=result.versions.get("pilotdid", "")) + "\n",
        encoding="utf-8",
    )


def _study_text(result: StudyResult) -> str:
    """Return the study file as run: its text, preceded by the command-line overrides if any."""
    study = result.study
    body: str = study.text
    if not study.overrides:
        return body
    lines = [f"#   {key} = {value!r}" for key, value in study.overrides]
    head = "# Run with these values set on the command line (--set), on top of the file below:\n"
    return head + "\n".join(lines) + "\n\n" + body


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


#: Age (seconds) after which a staging folder without a live owner is stale.
STALE_AFTER = 60.0


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # exists but belongs to someone else
        return True
    return True


def remove_stale_staging(target: Path) -> list[Path]:
    """Remove staging folders of ``target`` left by runs that were killed; return them.

    Only this output's own siblings are touched: ``.<name>.tmp-<pid>-*`` whose process is gone,
    and ``.<name>.tmp-*`` / ``.<name>.old-*`` older than :data:`STALE_AFTER` seconds whose
    owner cannot be told (or is gone).
    """
    import time

    removed: list[Path] = []
    pattern = re.compile(rf"^\.{re.escape(target.name)}\.(tmp|old)-(?:(\d+)-)?[^/]*$")
    try:
        siblings = list(target.parent.iterdir())
    except OSError:
        return removed
    for path in siblings:
        hit = pattern.match(path.name)
        if hit is None or not path.is_dir() or path.is_symlink():
            continue
        pid = int(hit.group(2)) if hit.group(2) else None
        try:
            age = time.time() - path.stat().st_mtime
        except OSError:
            continue
        if pid is not None and pid != os.getpid() and not _pid_alive(pid):
            stale = True
        else:
            stale = pid is None and age > STALE_AFTER
        if stale:
            shutil.rmtree(path, ignore_errors=True)
            removed.append(path)
    return removed


def missing_parents(target: str | os.PathLike[str]) -> list[Path]:
    """Folders above ``target`` that do not exist yet, deepest first."""
    out = []
    for parent in Path(target).expanduser().absolute().parents:
        if parent.exists():
            break
        out.append(parent)
    return out


def remove_empty(folders: list[Path]) -> None:
    """Remove each folder of ``folders`` (deepest first) that exists and is empty."""
    for folder in folders:
        try:
            folder.rmdir()
        except OSError:
            return


@contextlib.contextmanager
def _staging(target: Path) -> Iterator[Path]:
    """Yield a temporary sibling folder; removed on failure, swapped into ``target`` on success."""
    remove_stale_staging(target)
    prefix = f".{target.name}.tmp-{os.getpid()}-"
    staging = Path(tempfile.mkdtemp(prefix=prefix, dir=target.parent))
    try:
        os.chmod(staging, 0o777 & ~_umask())  # mkdtemp makes it private; outputs are not
        yield staging
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    backup = None
    if target.exists():
        backup = target.parent / f".{target.name}.old-{uuid.uuid4().hex[:8]}"
        os.rename(target, backup)
    try:
        os.rename(staging, target)
    except BaseException:
        if backup is not None:
            os.rename(backup, target)
        shutil.rmtree(staging, ignore_errors=True)
        raise
    if backup is not None:
        shutil.rmtree(backup, ignore_errors=True)


def write_report(result: StudyResult, out: str | os.PathLike[str]) -> Path:
    """Write every output of ``result`` into the folder ``out``, atomically.

    Parameters
    ----------
    result : StudyResult
        The results of :func:`pilotdid.study.pipeline.run_study`.
    out : path-like
        The output folder (replaced as a whole if pilotdid wrote it before).

    Returns
    -------
    pathlib.Path
        The output folder.

    Raises
    ------
    StudyFileError
        The folder cannot be written (see :func:`check_output_dir`).
    """
    made = missing_parents(out)
    try:
        target = check_output_dir(out)
        with _staging(target) as folder:
            _write_all(result, folder)
    except BaseException:
        remove_empty(made)
        raise
    return target
