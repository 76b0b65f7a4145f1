"""Fit to budget: the richest level per file such that the rendered pack fits.

Levels, richest first: full (the file as is), deduplicated (clone members stubbed, or a
whole-file copy as one line), skeleton (bodies elided, see skeleton.py), omitted (listed in the
header only). Focus files are never touched.

The order of degradation: first every non-focus file from the least central upwards goes to
skeleton (so the reader still sees every file's API), then, still from the least central
upwards, files are omitted. Each step's saving is estimated from counts of its parts; after a
batch of steps whose estimate covers the excess, the pack is rendered and counted exactly, and
if it still overshoots (BPE merges across boundaries, a longer header table) more steps follow.
The count returned is always that of the rendered text, and never above the limit.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass, replace

from ctxlens.context.render import OmittedFile, PackedFile

LEVELS = ("full", "deduplicated", "skeleton", "omitted")
MAX_STEP_BACK = 8  # exact renders spent undoing steps the estimates took in excess
RenderCount = Callable[[tuple[PackedFile, ...], tuple[OmittedFile, ...]], tuple[str, int]]


class BudgetError(Exception):
    """Even with every non-focus file reduced as far as it goes the pack does not fit.

    `needed` is the smallest exact count the fitter reached.
    """

    def __init__(self, budget: int, reserve: int, needed: int, encoding: str) -> None:
        self.budget, self.reserve, self.needed = budget, reserve, needed
        self.limit = budget - reserve
        self.shortfall = needed - self.limit
        super().__init__(
            f"the pack cannot fit a budget of {budget} tokens ({encoding}"
            + (f", reserve {reserve}, so {self.limit} for the pack" if reserve else "")
            + f"): with every non-focus file reduced it still needs {needed} tokens, "
            f"{self.shortfall} over")


@dataclass(frozen=True, slots=True)
class FileFit:
    path: str
    level: str  # one of LEVELS
    rank: int  # 0 = most important
    tokens_before: int  # the file's text in the pack before fitting
    tokens_after: int  # 0 when omitted


@dataclass(frozen=True, slots=True)
class FitReport:
    budget: int
    reserve: int
    used: int  # exact count of the rendered pack
    tokens_before: int  # exact count of the pack rendered before fitting
    files: tuple[FileFit, ...]  # in rank order

    @property
    def limit(self) -> int:
        return self.budget - self.reserve

    @property
    def levels(self) -> dict[str, int]:
        counts = Counter(f.level for f in self.files)
        return {level: counts[level] for level in LEVELS}

    @property
    def reduced(self) -> tuple[FileFit, ...]:
        return tuple(f for f in self.files if f.level in ("skeleton", "omitted"))


@dataclass(frozen=True, slots=True)
class Fitted:
    text: str
    tokens: int
    files: tuple[PackedFile, ...]  # shown, by path
    omitted: tuple[OmittedFile, ...]  # by path
    report: FitReport


def _omitted(f: PackedFile) -> OmittedFile:
    return OmittedFile(path=f.path, language=f.language, tokens_raw=f.tokens_raw,
                       tokens=f.tokens)


def fit(
    files: Sequence[PackedFile],
    order: Sequence[str],
    focus: Collection[str],
    *,
    budget: int,
    reserve: int,
    encoding: str,
    skeleton_of: Callable[[PackedFile], str | None],
    render_count: RenderCount,
    count: Callable[[str], int],
    keep: Collection[str] = (),
) -> Fitted:
    """Fit `files` (sorted by path, at their richest level) into `budget - reserve` tokens.

    `keep`: paths that may be reduced to a skeleton but never omitted (they hold canonical
    members that stubs elsewhere point at).

    `order` ranks every path, most important first; `skeleton_of` gives a file's skeleton
    text (None when it has none); `render_count` renders shown and omitted files and counts
    the text exactly. Raises BudgetError when no state reached fits (focus files too big).
    """
    limit = budget - reserve
    original = {f.path: f for f in files}
    rank = {p: i for i, p in enumerate(order)}
    skeletons: dict[str, PackedFile | None] = {}
    effective: list[tuple[str, str, int]] = []  # (path, level, estimated saving), in order

    def state(k: int) -> tuple[tuple[PackedFile, ...], tuple[OmittedFile, ...]]:
        """Shown and omitted files after the first `k` effective steps."""
        shown = dict(original)
        gone: dict[str, OmittedFile] = {}
        for path, level, _ in effective[:k]:
            if level == "skeleton":
                skel = skeletons[path]
                assert skel is not None
                shown[path] = skel
            else:
                del shown[path]
                gone[path] = _omitted(original[path])
        return (tuple(shown[p] for p in sorted(shown)), tuple(gone[p] for p in sorted(gone)))

    def report(k: int, used: int, before: int) -> FitReport:
        shown = {f.path: f for f in state(k)[0]}
        rows = []
        for path in sorted(original, key=lambda p: (rank.get(p, len(rank)), p)):
            f = shown.get(path)
            rows.append(FileFit(path=path, level=f.level if f else "omitted",
                                rank=rank.get(path, len(rank)),
                                tokens_before=original[path].tokens,
                                tokens_after=f.tokens if f else 0))
        return FitReport(budget=budget, reserve=reserve, used=used, tokens_before=before,
                         files=tuple(rows))

    def done(k: int, text: str, tokens: int, before: int) -> Fitted:
        return Fitted(text, tokens, *state(k), report(k, tokens, before))

    text, tokens = render_count(*state(0))
    before = tokens
    if tokens <= limit:
        return done(0, text, tokens, before)
    movable = [p for p in sorted(original, key=lambda p: (-rank.get(p, len(rank)), p))
               if p not in focus]
    pending = iter([(p, "skeleton") for p in movable]
                   + [(p, "omitted") for p in movable if p not in keep])

    def next_step() -> bool:
        """Append the next step that saves tokens to `effective`; False when none is left."""
        for path, level in pending:
            f = original[path]
            if level == "omitted":
                shown = skeletons.get(path) or f
                section = count(f"## {path}\n\n```{f.language}\n```\n")
                row = count(f"| {path} | omitted | {f.tokens_raw} | 0 |\n")
                effective.append((path, level, shown.tokens + section - row))
                return True
            text = skeleton_of(f) if f.copy_of is None else None
            skel = None
            if text is not None:
                n = count(text)
                saving = f.tokens - n - count(f"| {path} | skeleton | {f.tokens_raw} | {n} |\n")
                if saving > 0:  # else its header row would cost what the skeleton saves
                    skel = replace(f, text=text, tokens=n, stubs=0, level="skeleton")
                    effective.append((path, level, saving))
            skeletons[path] = skel
            if skel is not None:
                return True
        return False

    # Batches of steps whose estimated saving covers the excess, each checked by an exact
    # count, until the pack fits.
    k, over, least = 0, tokens - limit, tokens
    while True:
        saved = 0
        while saved < over and (k < len(effective) or next_step()):
            saved += effective[k][2]
            k += 1
        text, tokens = render_count(*state(k))
        if tokens <= limit:
            break
        least = min(least, tokens)
        if k >= len(effective) and not next_step():
            raise BudgetError(budget, reserve, least, encoding)
        over = tokens - limit
    # The estimates may have overshot: step back while the richer state also fits.
    for _ in range(MAX_STEP_BACK):
        if k == 0:
            break
        richer_text, richer = render_count(*state(k - 1))
        if richer > limit:
            break
        k, text, tokens = k - 1, richer_text, richer
    return done(k, text, tokens, before)
