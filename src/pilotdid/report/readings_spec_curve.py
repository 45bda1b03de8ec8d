"""Reading of the specification curve: whether the headline result survives the other choices."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from pilotdid.report.narrative import Reading, count, num, pct, pval, reading, word
from pilotdid.tables.strings import text

if TYPE_CHECKING:
    from pilotdid.report.source import StudyOutputs as StudyResult

__all__ = ["ROBUST_SAME_SIGN", "ROBUST_SIGNIFICANT", "read_spec_curve"]

#: The curve backs the headline when at least this share of the specifications has its sign ...
ROBUST_SAME_SIGN = 0.9
#: ... and at least this share is significant at 5 % with that sign.
ROBUST_SIGNIFICANT = 0.5


def read_spec_curve(result: StudyResult) -> list[Reading]:
    """Read the specification curve against the headline estimate (empty when not run).

    Parameters
    ----------
    result : StudyOutputs
        A study run.

    Returns
    -------
    list of Reading
        How many specifications share the headline's sign and are significant with it, the
        median and range, and a verdict: robust when at least 90 % share the sign and 50 % are
        significant with it; then, with the SSN test, its p-values.
    """
    curve = result.spec_curve
    if curve is None:
        return []
    lang = result.study.config.report.language
    est = curve.estimated
    if est.empty:
        return []
    did = result.study.config.treatment.names.did
    headline = float(result.main.coef().get(did, np.nan))
    sign = 1.0 if not np.isfinite(headline) or headline >= 0 else -1.0
    b = est["estimate"].to_numpy(float)
    same = float(np.mean(np.sign(b) == sign))
    sig = float(np.mean((np.sign(b) == sign) & (est["p_value"].to_numpy(float) < 0.05)))
    robust = same >= ROBUST_SAME_SIGN and sig >= ROBUST_SIGNIFICANT
    out = [
        reading(
            "spec_curve",
            lang,
            n=count(len(est), "spec_curve.n"),
            same=pct(same, "spec_curve.share_same_sign"),
            sig=pct(sig, "spec_curve.share_significant_same_sign"),
            median=num(float(np.median(b)), "spec_curve.median"),
            low=num(float(b.min()), "spec_curve.min"),
            high=num(float(b.max()), "spec_curve.max"),
            verdict=word(text(f"reading.spec_curve.{'robust' if robust else 'fragile'}", lang)),
        )
    ]
    if curve.ssn is not None:
        st = curve.ssn.statistics
        out.append(
            reading(
                "spec_curve.ssn",
                lang,
                draws=count(curve.ssn.draws, "spec_curve.ssn.draws"),
                p_median=pval(float(st.loc["median", "p_value"]), "spec_curve.ssn.p_median"),
                p_share=pval(
                    float(st.loc["share_significant", "p_value"]), "spec_curve.ssn.p_share"
                ),
            )
        )
    return out
