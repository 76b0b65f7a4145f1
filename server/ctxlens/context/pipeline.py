"""`build_pack`: the story of a context pack, from a plan to rendered text with its exact count.

scan (the index) → select → whole-file copies → clone classes among what is left → stubs
from the plan → repeated file headers → each file's text → secrets redacted → (fit) → render
→ count the rendered text → (split into parts).
"""

from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass, field, replace
from functools import cache
from pathlib import Path

from ctxlens.clones.detect import find_clones_indexed
from ctxlens.clones.model import CloneClass
from ctxlens.config import Config, load_config
from ctxlens.context.boilerplate import Boilerplate, BoilerplatePlan, apply_cuts, find_boilerplate
from ctxlens.context.collapse import Stub, apply_stubs, plan_stubs
from ctxlens.context.copies import copy_reference, find_copies
from ctxlens.context.fit import BudgetError, FitReport, fit
from ctxlens.context.plan import ContextPlan, is_focus, load_plan, selects
from ctxlens.context.rank import rank_files
from ctxlens.context.render import (
    ClassEntry,
    OmittedFile,
    PackContent,
    PackedFile,
    boilerplate_section,
    render,
)
from ctxlens.context.skeleton import skeleton
from ctxlens.context.split import PackPart, SplitError, Target, split_pack
from ctxlens.index import FileRecord, scan_workspace
from ctxlens.secrets import Finding, SecretsReport, scan_and_redact
from ctxlens.tokens import ModelInfo, count_tokens


@dataclass(frozen=True, slots=True)
class Savings:
    """Tokens each kind of collapse saved, exact counts of the files' texts before and after
    (model's encoding). `boilerplate` is net of the header section that shows each block."""

    clones: int = 0  # clone members replaced by one-line references
    boilerplate: int = 0  # repeated file headers replaced by one-line references
    copies: int = 0  # whole-file copies replaced by one line

    @property
    def total(self) -> int:
        return self.clones + self.boilerplate + self.copies


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
    savings: Savings = field(default_factory=Savings)
    boilerplate: tuple[Boilerplate, ...] = ()  # repeated file headers found (see header)
    # Split into parts when the pack plus the plan's reserve exceeds `part_limit`: each
    # part's text then has at most part_limit - reserve tokens. () when not split: send
    # `text` whole.
    parts: tuple[PackPart, ...] = ()
    part_limit: int | None = None

    @property
    def encoding(self) -> str:
        return self.model.encoding

    @property
    def tokens_deduplicated(self) -> int:
        """Exact count of the pack rendered without a budget (every collapse, no fitting)."""
        return self.fit.tokens_before if self.fit is not None else self.tokens

    @property
    def tokens_raw(self) -> int:
        """Sum of the selected files' own counts: what they cost before the pack."""
        return sum(f.tokens_raw for f in self.files) + sum(f.tokens_raw for f in self.omitted)


class OverBudget(BudgetError):
    """`BudgetError` from `build_pack`, carrying the pack as it is without the budget
    (every collapse, nothing fitted), for callers that report figures anyway."""

    def __init__(self, err: BudgetError, unfitted: Pack) -> None:
        super().__init__(err.budget, err.reserve, err.needed, unfitted.encoding)
        self.unfitted = unfitted


def build_pack(
    root: Path,
    plan: ContextPlan | None = None,
    *,
    fmt: str = "md",
    config: Config | None = None,
    jobs: int | None = None,
    exclude: Collection[str] = (),
    budget: int | None = None,
    part_limit: int | None = None,
) -> Pack:
    """Pack the workspace at `root` as `plan` (default: its saved plan) says.

    `exclude` holds root-relative files or folders kept out whatever the plan says (the CLI
    passes what it is about to write, so a pack never packs the previous pack).
    `budget` (default: the plan's): the whole pack, plan reserve included, must fit in it
    (see fit.py); raises `OverBudget` (a `fit.BudgetError`) when the focus files alone do not.
    `part_limit`: when the fitted pack plus the reserve exceeds it, `Pack.parts` holds it
    split into self-contained parts of at most part_limit - reserve tokens each (split.py);
    raises `split.SplitError` when the shared header or one unit is too large for a part.
    """
    started = time.perf_counter()
    root = root.resolve()
    config = config or load_config(root)
    plan = plan if plan is not None else load_plan(root)
    budget = budget if budget is not None else plan.budget
    scan = scan_workspace(root, config, model=plan.model, jobs=jobs, with_streams=True)
    encoding = scan.model.encoding

    @cache
    def count(text: str) -> int:
        return count_tokens(text, encoding)

    kept_out = tuple(e.rstrip("/") for e in exclude)
    selected = [r for r in scan.files if selects(plan, r.path)
                and not any(r.path == e or r.path.startswith(e + "/") for e in kept_out)]
    records_by_path = {r.path: r for r in selected}
    copies = find_copies(selected, count)
    # Clones among the files that are shown, so every canonical member is in the pack.
    unique = [r for r in selected if r.path not in copies]
    # The index keeps near-miss verdicts: a repeated pack (the editor's budget) aligns
    # only pairs it has not seen.
    report = find_clones_indexed(scan, config.clones, unique)
    stubs = plan_stubs(report.classes, {r.path: r.language for r in unique}, plan)
    by_path: dict[str, list[Stub]] = defaultdict(list)
    for s in stubs:
        by_path[s.path].append(s)
    warnings = list(scan.warnings)
    sources: dict[str, str] = {}
    for record in unique:
        text = _read(root, record.path)
        if text is None:
            warnings.append(f"{record.path}: unreadable while packing; left out")
        else:
            sources[record.path] = text
    # Focus files stay byte for byte, so their headers are neither cut nor counted.
    headers = find_boilerplate(
        {r.path: (r.language, sources[r.path]) for r in unique
         if r.path in sources and not is_focus(plan, r.path)}, count)
    files = []
    findings: list[Finding] = []
    saved = {"clones": 0, "boilerplate": 0, "copies": 0}
    for record in selected:
        if record.path in copies:
            packed = _copy_file(record, copies[record.path], count)
            saved["copies"] += record.tokens - packed.tokens
        elif record.path in sources:
            packed, clones_saved, headers_saved = _pack_file(
                record, sources[record.path], by_path[record.path], headers, count)
            saved["clones"] += clones_saved
            saved["boilerplate"] += headers_saved
        else:
            continue
        redacted, found = scan_and_redact(record.path, packed.text)
        if found:
            findings.extend(found)
            packed = replace(packed, text=redacted, tokens=count(redacted))
        files.append(packed)
    classes = tuple(_class_entry(c, stubs, plan) for c in report.classes)

    def content_of(shown: tuple[PackedFile, ...],
                   omitted: tuple[OmittedFile, ...]) -> PackContent:
        return PackContent(title=root.name, model=scan.model.name, encoding=encoding,
                           files=shown, classes=classes, omitted=omitted,
                           boilerplate=headers.blocks)

    def render_count(shown: tuple[PackedFile, ...],
                     omitted: tuple[OmittedFile, ...]) -> tuple[str, int]:
        text = render(content_of(shown, omitted), fmt)
        return text, count_tokens(text, encoding)

    # What the header's copy of the repeated headers costs is part of their saving.
    shown_headers = boilerplate_section(content_of(tuple(files), ()), fmt)
    saved["boilerplate"] -= count_tokens(shown_headers, encoding) if shown_headers else 0

    # Canonical members that stubs point at keep their bodies, and their files stay in; so
    # do the originals of whole-file copies.
    referenced = {s.class_id for s in stubs}
    canonical_lines: dict[str, list[tuple[int, int]]] = defaultdict(list)
    for c in report.classes:
        if c.id in referenced:
            m = c.canonical_member
            canonical_lines[m.path].append((m.start_line, m.end_line))
    def make_pack(plan: ContextPlan, text: str, tokens: int, files: list[PackedFile],
                  omitted: tuple[OmittedFile, ...], fit_report: FitReport | None,
                  parts: tuple[PackPart, ...]) -> Pack:
        return Pack(root=root, plan=plan, model=scan.model, format=fmt, text=text,
                    tokens=tokens, files=tuple(files), classes=classes,
                    warnings=tuple(warnings), seconds=time.perf_counter() - started,
                    omitted=omitted, fit=fit_report, secrets=SecretsReport.of(findings),
                    savings=Savings(**saved), boilerplate=headers.blocks, parts=parts,
                    part_limit=part_limit)

    omitted: tuple[OmittedFile, ...] = ()
    fit_report = None
    if budget is None:
        text, tokens = render_count(tuple(files), ())
    else:
        focus = {f.path for f in files if is_focus(plan, f.path)}
        # A whole-file copy imports what its original does.
        order = rank_files({f.path: (f.language, sources.get(f.copy_of or f.path, ""))
                            for f in files}, focus)

        def skeleton_of(f: PackedFile) -> str | None:
            r = records_by_path[f.path]
            try:
                data = (root / f.path).read_bytes()
            except OSError:
                return None
            text = skeleton(data, r.language, r.units, count, canonical_lines.get(f.path, ()))
            text = apply_cuts(text, r.language, headers.cuts.get(f.path, ()),
                              {b.id: b for b in headers.blocks})[0]
            # Built from the original bytes: redact it like the deduplicated text.
            return scan_and_redact(f.path, text)[0]

        keep = set(canonical_lines) | set(copies.values())
        try:
            fitted = fit(files, order, focus, budget=budget, reserve=plan.reserve,
                         encoding=encoding, skeleton_of=skeleton_of,
                         render_count=render_count, count=count, keep=keep)
        except BudgetError as err:
            # Callers that show figures still want the pack without the budget: it is all
            # here already, so it travels with the error instead of being built again.
            text, tokens = render_count(tuple(files), ())
            raise OverBudget(err, make_pack(replace(plan, budget=None), text, tokens,
                                            files, (), None, ())) from err
        text, tokens, files, omitted, fit_report = (
            fitted.text, fitted.tokens, list(fitted.files), fitted.omitted, fitted.report)
    parts: tuple[PackPart, ...] = ()
    if part_limit is not None and tokens + plan.reserve > part_limit:
        if part_limit <= plan.reserve:
            raise SplitError(f"a part limit of {part_limit} tokens leaves nothing for the pack "
                             f"after the plan's reserve of {plan.reserve}")
        parts = split_pack(content_of(tuple(files), omitted), fmt, part_limit - plan.reserve,
                           count, _references(files, by_path, report.classes),
                           _target_text(root, {f.path: f for f in files}),
                           lambda path: (sources.get(path) or _read(root, path) or "",
                                         records_by_path[path].units))
    return make_pack(plan, text, tokens, files, omitted, fit_report, parts)


def _read(root: Path, path: str) -> str | None:
    try:
        # Decoded as the indexer decodes, so line numbers and counts agree with the index.
        return (root / path).read_bytes().decode("utf-8", errors="replace")
    except OSError:
        return None


def _copy_file(record: FileRecord, original: str, count: Callable[[str], int]) -> PackedFile:
    text = copy_reference(record, original) + "\n"
    return PackedFile(path=record.path, language=record.language, text=text,
                      tokens_raw=record.tokens, tokens=count(text), stubs=0,
                      copy_of=original, level="deduplicated")


def _pack_file(
    record: FileRecord, source: str, stubs: list[Stub], headers: BoilerplatePlan,
    count: Callable[[str], int],
) -> tuple[PackedFile, int, int]:
    """The file as packed, and the tokens its clone stubs and its header cuts saved."""
    text = apply_stubs(source, stubs)
    clones_saved = record.tokens - count(text) if stubs else 0
    cuts = headers.cuts.get(record.path, ())
    used: tuple[str, ...] = ()
    headers_saved = 0
    if cuts:
        # Stubs rewrite from their first line on: a header cut must end before it.
        first = min(s.start_line for s in stubs) - 1 if stubs else None
        cut, used = apply_cuts(text, record.language, cuts,
                               {b.id: b for b in headers.blocks}, before_line=first)
        if used:
            headers_saved = count(text) - count(cut)
            text = cut
    # An untouched file's count is the index's: the same decoded text, the same encoding.
    tokens = record.tokens if text == source else count(text)
    packed = PackedFile(path=record.path, language=record.language, text=text,
                        tokens_raw=record.tokens, tokens=tokens, stubs=len(stubs),
                        level="deduplicated" if stubs or used else "full", boilerplate=used)
    return packed, clones_saved, headers_saved


def _references(files: list[PackedFile], stubs: Mapping[str, list[Stub]],
                classes: Sequence[CloneClass]) -> dict[str, list[tuple[str, Target]]]:
    """Path -> (marker, target) for every reference a shown file's text makes."""
    canonical = {c.id: c.canonical_member for c in classes}
    refs: dict[str, list[tuple[str, Target]]] = {}
    for f in files:
        if f.copy_of is not None:
            refs[f.path] = [(f.text.rstrip("\n"), Target(f.copy_of, 0, 0, ""))]
        elif f.level == "deduplicated" and f.stubs:
            refs[f.path] = []
            for s in stubs.get(f.path, ()):
                m = canonical[s.class_id]
                refs[f.path].append((s.text, Target(m.path, m.start_line, m.end_line,
                                                    m.name.rsplit("::", 1)[-1])))
    return refs


def _target_text(root: Path, shown: Mapping[str, PackedFile]
                 ) -> Callable[[Target], tuple[str, str]]:
    """A target's language and text as the pack shows it: a whole file as packed; a member's
    lines from disk (its file may hold stubs or elided bodies around it), redacted."""
    def text_of(t: Target) -> tuple[str, str]:
        f = shown.get(t.path)
        if f is not None and t.start_line == 0:
            return f.language, f.text
        source = _read(root, t.path) or ""
        if t.start_line:
            source = "\n".join(source.split("\n")[t.start_line - 1:t.end_line]) + "\n"
        return (f.language if f else "text"), scan_and_redact(t.path, source)[0]
    return text_of


def _class_entry(c: CloneClass, stubs: tuple[Stub, ...], plan: ContextPlan) -> ClassEntry:
    canon = c.canonical_member
    return ClassEntry(
        id=c.id, kind=c.kind, similarity=c.similarity, canonical_path=canon.path,
        canonical_line=canon.start_line, canonical_name=canon.name.rsplit("::", 1)[-1],
        members=len(c.members), stubbed=sum(1 for s in stubs if s.class_id == c.id),
        tokens_saved=c.tokens_saved, expanded=plan.is_expanded(c.id))
