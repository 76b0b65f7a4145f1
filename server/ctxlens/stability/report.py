"""A check result as the stable `--json` document and as console lines. Pure: no printing,
no torch."""

from __future__ import annotations

import math
from dataclasses import asdict
from typing import Any

from ctxlens import __version__
from ctxlens.stability.checks import Check, format_value, reasons
from ctxlens.stability.limit import StableLimit
from ctxlens.stability.probe import PROBE_VERSION, CheckResult

SCHEMA = 1


def _num(x: float | None) -> float | str | None:
    """JSON has no inf/NaN: say them as strings."""
    if x is None or math.isfinite(x):
        return x
    return "nan" if math.isnan(x) else ("inf" if x > 0 else "-inf")


def check_json(c: Check) -> dict[str, Any]:
    return {
        "name": c.name, "category": c.category, "value": _num(c.value), "unit": c.unit,
        "status": c.status, "threshold": c.threshold, "source": c.source,
        "closed_form": _num(c.closed_form), "detail": c.detail,
    }


def result_json(
    result: CheckResult, limit: StableLimit | None, tokens_from: dict[str, Any]
) -> dict[str, Any]:
    """The `ctxlens check --json` document (schema 1)."""
    m = result.measurements
    content = None
    if result.content is not None:
        content = asdict(result.content)
        content["queries"] = [asdict(q) for q in result.content.queries]
    return {
        "schema": SCHEMA,
        "ctxlens": __version__,
        "probe_version": PROBE_VERSION,
        "model": result.profile.name,
        "tokens": result.n,
        "tokens_from": tokens_from,
        "verdict": result.verdict,
        "reasons": reasons(result.checks),
        "stable_limit": None if limit is None else {
            "tokens": limit.tokens, "cached": limit.cached, "cache_file": limit.cache_file,
            "evaluations": limit.evaluations, "elapsed_s": round(limit.elapsed_s, 3),
        },
        "checks": [check_json(c) for c in result.checks],
        "variants": [
            {"dtype": r.dtype, "variant": r.variant.name, "rel_error": _num(r.rel_error),
             "denominator_error": _num(r.denominator_error), "nonfinite": r.nonfinite,
             "overflow_margin": _num(r.overflow_margin),
             "profile": r == m.profile_run}
            for r in m.runs
        ],
        "probe": {"sigma": m.sigma, "margin": m.margin, "seed": m.seed,
                  "elapsed_s": round(m.elapsed_s, 3)},
        "profile": result.profile.to_json(),
        "content": content,
    }


_MARK = {"ok": "ok", "warn": "WARN", "critical": "CRITICAL", "info": "info"}


def result_lines(result: CheckResult, limit: StableLimit | None, tokens_from: str) -> list[str]:
    """Console lines: header, one line per check, content mode, verdict, reasons."""
    p = result.profile
    lines = [
        f"{p.name}: {result.n:,} tokens ({tokens_from}) · window {p.context_window:,} · "
        f"attention {p.attention_dtype}, accumulators {p.accumulator_dtype}, "
        f"phase {p.phase_dtype}",
        "",
    ]
    rows = [(c.name, format_value(c.value, c.unit), _MARK[c.status],
             "" if c.closed_form is None else f"closed form {_value_of(c.closed_form)}",
             c.threshold) for c in result.checks]
    widths = [max(len(r[i]) for r in rows) for i in range(4)]
    for r in rows:
        lines.append("  ".join(cell.ljust(w) for cell, w in zip(r[:4], widths, strict=True))
                     + "  " + r[4])
    if result.content is not None:
        c = result.content
        lines += [
            "",
            f"content: {c.units:,} units, {c.distinct_units:,} distinct; "
            f"{c.tokens_raw:,} tokens raw, {c.tokens_dedup:,} deduplicated",
            f"  own-unit attention, mean of {len(c.queries)} unit queries: "
            f"{_change(c.own_raw, c.own_dedup)}",
        ]
        if c.duplicated_raw is not None and c.duplicated_dedup is not None:
            dup = sum(1 for q in c.queries if q.copies > 1)
            lines.append(f"  … of the {dup} duplicated units among them: "
                         f"{_change(c.duplicated_raw, c.duplicated_dedup)}")
    lines.append("")
    if limit is not None:
        how = "cached" if limit.cached else f"searched in {limit.elapsed_s:.1f} s"
        lines.append(f"stable limit: {limit.tokens:,} tokens ({how})")
    lines.append(f"verdict: {result.verdict.upper()}")
    lines += [f"  {r}" for r in reasons(result.checks)]
    return lines


def _change(raw: float, dedup: float) -> str:
    ratio = f" ({dedup / raw:.2f}×)" if raw > 0 else ""
    return f"raw {raw:.4g} → deduplicated {dedup:.4g}{ratio}"


def _value_of(x: float) -> str:
    if math.isinf(x):
        return "inf"
    if abs(x) >= 1e12:
        return f"{x:.3g}"
    return f"{x:,.0f}" if abs(x) >= 1e3 else f"{x:.4g}"
