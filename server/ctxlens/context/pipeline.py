"""`build_pack`: the story of a context pack, from a plan to rendered text with its exact count.

scan (the index) → select → whole-file copies → clone classes among what is left → stubs
from the plan → each file's text → secrets redacted → (fit) → render → count the rendered text.
"""

from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Callable, Collection
from dataclasses import dataclass, field, replace
from functools import cache
from pathlib import Path

from ctxlens.clones.detect import find_clones
from ctxlens.clones.model import CloneClass
from ctxlens.config import Config, load_config
from ctxlens.context.collapse import Stub, apply_stubs, plan_stubs
from ctxlens.context.copies import copy_reference, find_copies
from ctxlens.context.fit import FitReport, fit
from ctxlens.context.plan import ContextPlan, is_focus, load_plan, selects
from ctxlens.context.rank import rank_files
from ctxlens.context.render import ClassEntry, OmittedFile, PackContent, PackedFile, render
from ctxlens.context.skeleton import skeleton
from ctxlens.index import FileRecord, scan_workspace
from ctxlens.secrets import Finding, SecretsReport, scan_and_redact
from ctxlens.tokens import ModelInfo, count_tokens


@dataclass(frozen=True, slots=True)
class Pack:
    root: Path
    plan: ContextPlan
    model: ModelInfo
    format: str  # "md" | "xml"
    text: str
    tokens: int  # exact: len(encode_ordinary(text)) in model.encoding; not a sum of parts
    files: tuple[PackedFile, ...]
    classes: tuple[ClassEntry, ...]  # every class found in the selection, expanded ones too
    warnings: tuple[str, ...]
    seconds: float
    omitted: tuple[OmittedFile, ...] = ()  # left out to fit the budget, by path
    fit: FitReport | None = None  # None: no budget was given
    # Secrets found (and redacted) in the files' text as packed; lines are those of the
    # file as shown in the pack. A pack with findings needs an explicit override to be sent.
    secrets: SecretsReport = field(default_factory=SecretsReport)

    @property
    def encoding(self) -> str:
        return self.model.encoding

    @property
    def tokens_raw(self) -> int:
        """Sum of the selected files' own counts: what they cost before the pack."""
        return sum(f.tokens_raw for f in self.files) + sum(f.tokens_raw for f in self.omitted)


def build_pack(
    root: Path,
    plan: ContextPlan | None = None,
    *,
    fmt: str = "md",
    config: Config | None = None,
    jobs: int | None = None,
    exclude: Collection[str] = (),
    budget: int | None = None,
) -> Pack:
    """Pack the workspace at `root` as `plan` (default: its saved plan) says.

    `exclude` holds root-relative paths kept out whatever the plan says (the CLI passes the
    file it is about to write, so a pack never packs the previous pack).
    `budget`: the whole pack, plan reserve included, must fit in it (see fit.py); raises
    `fit.BudgetError` when the focus files alone do not.
    """
    started = time.perf_counter()
    root = root.resolve()
    config = config or load_config(root)
    plan = plan if plan is not None else load_plan(root)
    scan = scan_workspace(root, config, model=plan.model, jobs=jobs, with_streams=True)
    encoding = scan.model.encoding

    @cache
    def count(text: str) -> int:
        return count_tokens(text, encoding)

    selected = [r for r in scan.files if selects(plan, r.path) and r.path not in exclude]
    copies = find_copies(selected, count)
    # Clones among the files that are shown, so every canonical member is in the pack.
    unique = [r for r in selected if r.path not in copies]
    report = find_clones(scan.root, unique, encoding, config.clones)
    stubs = plan_stubs(report.classes, {r.path: r.language for r in unique}, plan)
    by_path: dict[str, list[Stub]] = defaultdict(list)
    for s in stubs:
        by_path[s.path].append(s)
    warnings = list(scan.warnings)
    files = []
    findings: list[Finding] = []
    for record in selected:
        packed = _pack_file(root, record, by_path[record.path], copies.get(record.path), count)
        if packed is None:
            warnings.append(f"{record.path}: unreadable while packing; left out")
            continue
        redacted, found = scan_and_redact(record.path, packed.text)
        if found:
            findings.extend(found)
            packed = replace(packed, text=redacted, tokens=count(redacted))
        files.append(packed)
    classes = tuple(_class_entry(c, stubs, plan) for c in report.classes)

    def render_count(shown: tuple[PackedFile, ...],
                     omitted: tuple[OmittedFile, ...]) -> tuple[str, int]:
        content = PackContent(title=root.name, model=scan.model.name, encoding=encoding,
                              files=shown, classes=classes, omitted=omitted)
        text = render(content, fmt)
        return text, count_tokens(text, encoding)

    omitted: tuple[OmittedFile, ...] = ()
    fit_report = None
    if budget is None:
        text, tokens = render_count(tuple(files), ())
    else:
        records = {r.path: r for r in selected}
        sources = {f.path: (f.language, _read(root, f.path)) for f in files}
        focus = {f.path for f in files if is_focus(plan, f.path)}
        order = rank_files(sources, focus)

        # Canonical members that stubs point at keep their bodies, and their files stay in.
        referenced = {s.class_id for s in stubs}
        canonical_lines: dict[str, list[tuple[int, int]]] = defaultdict(list)
        for c in report.classes:
            if c.id in referenced:
                m = c.canonical_member
                canonical_lines[m.path].append((m.start_line, m.end_line))

        def skeleton_of(f: PackedFile) -> str | None:
            r = records[f.path]
            try:
                data = (root / f.path).read_bytes()
            except OSError:
                return None
            text = skeleton(data, r.language, r.units, count, canonical_lines.get(f.path, ()))
            # Built from the original bytes: redact it like the deduplicated text.
            return scan_and_redact(f.path, text)[0]

        fitted = fit(files, order, focus, budget=budget, reserve=plan.reserve,
                     encoding=encoding, skeleton_of=skeleton_of, render_count=render_count,
                     count=count, keep=set(canonical_lines))
        text, tokens, files, omitted, fit_report = (
            fitted.text, fitted.tokens, list(fitted.files), fitted.omitted, fitted.report)
    return Pack(root=root, plan=plan, model=scan.model, format=fmt, text=text,
                tokens=tokens, files=tuple(files), classes=classes,
                warnings=tuple(warnings), seconds=time.perf_counter() - started,
                omitted=omitted, fit=fit_report, secrets=SecretsReport.of(findings))


def _read(root: Path, path: str) -> str:
    try:
        return (root / path).read_bytes().decode("utf-8", errors="replace")
    except OSError:
        return ""


def _pack_file(
    root: Path, record: FileRecord, stubs: list[Stub], copy_of: str | None,
    count: Callable[[str], int],
) -> PackedFile | None:
    if copy_of is not None:
        text = copy_reference(record, copy_of) + "\n"
    else:
        try:
            data = (root / record.path).read_bytes()
        except OSError:
            return None
        # Decoded as the indexer decodes, so line numbers and counts agree with the index.
        text = apply_stubs(data.decode("utf-8", errors="replace"), stubs)
    return PackedFile(path=record.path, language=record.language, text=text,
                      tokens_raw=record.tokens, tokens=count(text), stubs=len(stubs),
                      copy_of=copy_of,
                      level="deduplicated" if stubs or copy_of is not None else "full")


def _class_entry(c: CloneClass, stubs: tuple[Stub, ...], plan: ContextPlan) -> ClassEntry:
    canon = c.canonical_member
    return ClassEntry(
        id=c.id, kind=c.kind, similarity=c.similarity, canonical_path=canon.path,
        canonical_line=canon.start_line, canonical_name=canon.name.rsplit("::", 1)[-1],
        members=len(c.members), stubbed=sum(1 for s in stubs if s.class_id == c.id),
        tokens_saved=c.tokens_saved, expanded=plan.is_expanded(c.id))
