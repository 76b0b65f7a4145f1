"""Content-aware mode: hashed keys from token ids; own-unit attention raw vs deduplicated."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import torch

from ctxlens.stability import content
from ctxlens.stability.pack_input import read_context
from ctxlens.tokens import get_encoding

FUNCTION = '''def parse_header(line):
    key, _, value = line.partition(":")
    key = key.strip().lower()
    if not key:
        raise ValueError("empty header name")
    return key, value.strip()
'''


def helper(i: int) -> str:
    return (f"def helper_{i}(x, y):\n    total = x * {i} + y\n"
            f"    for k in range({i % 7 + 2}):\n        total += k * {(i * 37) % 97}\n"
            f"    return total - {i}\n")


@pytest.fixture
def duplicated_file(tmp_path: Path) -> Path:
    """60 distinct helpers and 20 copies of one function, as blank-line-separated blocks."""
    blocks: list[str] = []
    for i in range(60):
        blocks.append(helper(i))
        if i % 3 == 0:
            blocks.append(FUNCTION)
    path = tmp_path / "context.py"
    path.write_text("\n\n".join(blocks))
    return path


def test_context_file_counts_exactly_and_finds_its_blocks(duplicated_file: Path) -> None:
    ctx = read_context(duplicated_file, "o200k_base")
    text = duplicated_file.read_text()
    assert ctx.tokens == len(get_encoding("o200k_base").encode_ordinary(text))
    assert len(ctx.units) == 80
    assert sum(k == FUNCTION.strip().encode() for k in ctx.keys) == 20
    enc = get_encoding("o200k_base")
    s, e = ctx.units[1]  # the first copy of FUNCTION
    assert enc.decode(ctx.ids[s:e].tolist()).strip() == FUNCTION.strip()


def test_repeated_code_gives_repeated_keys() -> None:
    ids = np.array([5, 6, 7, 8, 9, 5, 6, 7, 8, 9, 1, 7, 8], dtype=np.int64)
    rows = content._buckets(ids, seed=0)
    assert (rows[2:5] == rows[7:10]).all()  # same trigrams, same keys
    assert rows[12] != rows[8]  # token 8 after (1, 7) is not token 8 after (6, 7)
    assert (content._buckets(ids, seed=0) == rows).all()  # fixed for a seed
    assert (content._buckets(ids, seed=1) != rows).any()


def test_deduplicate_drops_later_copies_and_remaps_spans() -> None:
    ids = np.arange(20, dtype=np.int64)
    ids[10:14] = ids[2:6]  # unit 2 repeats unit 0
    units = [(2, 6), (6, 9), (10, 14), (15, 18)]
    dedup, spans, canonical = content.deduplicate(ids, units)
    assert canonical == [0, 1, 0, 3]
    assert spans == [(2, 6), (6, 9), None, (11, 14)]
    assert len(dedup) == 16 and (dedup[11:14] == ids[15:18]).all()
    with pytest.raises(ValueError, match="non-overlapping"):
        content.deduplicate(ids, [(0, 5), (4, 8)])


def test_deduplication_raises_own_unit_attention(duplicated_file: Path) -> None:
    ctx = read_context(duplicated_file, "o200k_base")
    report = content.content_attention(ctx.ids, ctx.units, ctx.keys)
    assert report.units == 80 and report.distinct_units == 61
    assert report.tokens_dedup < report.tokens_raw
    dup = [q for q in report.queries if q.copies > 1]
    assert len(dup) == 1 and dup[0].copies == 20
    # 19 competing copies are gone: the function's query keeps far more on itself
    assert dup[0].own_dedup > 1.5 * dup[0].own_raw
    assert report.duplicated_dedup == dup[0].own_dedup
    assert report.own_dedup > report.own_raw
    # a context without duplicates has nothing to collapse
    unique = [u for u, k in zip(ctx.units, ctx.keys, strict=True) if k != FUNCTION.strip().encode()]
    plain = content.content_attention(ctx.ids, unique)
    assert plain.tokens_dedup == plain.tokens_raw and plain.duplicated_raw is None
    assert plain.own_dedup == pytest.approx(plain.own_raw, rel=1e-9)


def test_own_unit_attention_matches_a_one_shot_softmax() -> None:
    rng = np.random.default_rng(0)
    ids = rng.integers(0, 200_000, size=70_000).astype(np.int64)  # two chunks
    spans = [(100, 180), (69_000, 69_050)]
    streamed = content.own_unit_attention(ids, spans, sigma=1.0, seed=4)
    keys = content._table(4)[torch.from_numpy(content._buckets(ids, 4))].double()
    for (s, e), got in zip(spans, streamed, strict=True):
        q = keys[s:e].mean(0)
        q = q / q.norm() * (content.EMBED_DIM ** 0.5)
        w = torch.softmax(keys @ q, 0)
        assert got == pytest.approx(float(w[s:e].sum()), rel=1e-4)
