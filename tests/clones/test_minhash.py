"""Bulk MinHash signatures match datasketch's own; LSH candidates find near-duplicates."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
import pytest
from datasketch import LeanMinHash, MinHash

from ctxlens.clones import minhash
from ctxlens.clones.minhash import (
    EMPTY,
    SCHEME,
    candidate_pairs,
    shingle_hashes,
    signatures,
)

Codes = npt.NDArray[np.uint32]


def _random_streams(rng: np.random.Generator, lengths: list[int], vocab: int = 2**32) -> list[
    Codes
]:
    return [rng.integers(0, vocab, size=n, dtype=np.uint32) for n in lengths]


def _datasketch_signature(codes: Codes, num_perm: int, seed: int) -> Codes:
    """datasketch's own MinHash over the same 32-bit shingle hashes (identity hashfunc)."""
    m = MinHash(num_perm=num_perm, seed=seed, hashfunc=lambda h: h)
    if len(codes):
        m.update_batch(shingle_hashes(codes).tolist())
    return np.asarray(m.hashvalues, dtype=np.uint32)


@pytest.mark.parametrize(("num_perm", "seed"), [(128, 1), (64, 7)])
def test_bulk_signatures_equal_datasketch_update_batch(num_perm: int, seed: int) -> None:
    rng = np.random.default_rng(seed)
    streams = _random_streams(rng, [0, 1, 3, 5, 6, 120, 2_000])
    sigs = signatures(streams, num_perm=num_perm, seed=seed)
    assert sigs.shape == (len(streams), num_perm)
    for codes, row in zip(streams, sigs, strict=True):
        np.testing.assert_array_equal(row, _datasketch_signature(codes, num_perm, seed))
    # The rows load into datasketch as sketches of the same scheme and seed.
    lean = LeanMinHash(seed=seed, hashvalues=sigs[5], scheme=SCHEME)
    assert lean.jaccard(MinHash(num_perm=num_perm, seed=seed, hashvalues=sigs[5],
                                scheme=SCHEME)) == 1.0


def test_batches_do_not_change_signatures(monkeypatch: pytest.MonkeyPatch) -> None:
    rng = np.random.default_rng(3)
    streams = _random_streams(rng, [int(n) for n in rng.integers(0, 40, size=60)])
    alone = np.stack([signatures([s])[0] for s in streams])
    # Tiny batches: most streams start a batch or share one with several neighbours.
    monkeypatch.setattr(minhash, "_CHUNK_SHINGLES", 7)
    np.testing.assert_array_equal(signatures(streams), alone)


def test_empty_and_short_streams() -> None:
    rng = np.random.default_rng(5)
    long = rng.integers(0, 1000, size=20, dtype=np.uint32)
    sigs = signatures([np.empty(0, np.uint32), long[:3], long])
    assert (sigs[0] == EMPTY).all()
    assert len(shingle_hashes(long[:3])) == 1  # a short stream is one shingle
    assert len(shingle_hashes(long)) == 16
    # ...that is not the shingle of a longer stream starting the same way.
    assert shingle_hashes(long[:3])[0] not in set(shingle_hashes(long).tolist())
    # Order matters within a shingle.
    assert shingle_hashes(long[:5])[0] != shingle_hashes(long[:5][::-1].copy())[0]


def test_signatures_estimate_jaccard() -> None:
    rng = np.random.default_rng(9)
    a = rng.integers(0, 50_000, size=400, dtype=np.uint32)
    b = a.copy()
    b[200:260] = rng.integers(0, 50_000, size=60, dtype=np.uint32)
    sa, sb = set(shingle_hashes(a).tolist()), set(shingle_hashes(b).tolist())
    true = len(sa & sb) / len(sa | sb)
    sigs = signatures([a, b], num_perm=256)
    assert abs(float((sigs[0] == sigs[1]).mean()) - true) < 0.08


def _near_copy(rng: np.random.Generator, codes: Codes) -> Codes:
    out = codes.copy()
    out[30:32] = rng.integers(0, 300, size=2, dtype=np.uint32)  # two tokens changed
    return np.insert(out, 50, rng.integers(0, 300, size=3, dtype=np.uint32))  # three inserted


def test_lsh_finds_planted_near_duplicate_among_500() -> None:
    rng = np.random.default_rng(11)
    streams = _random_streams(rng, [int(n) for n in rng.integers(80, 160, size=500)], vocab=300)
    streams[499] = _near_copy(rng, streams[10])
    sigs = signatures(streams)
    pairs = candidate_pairs(sigs, threshold=0.5, num_perm=128)
    assert (10, 499) in pairs
    assert len(pairs - {(10, 499)}) <= 3  # unrelated random streams share no band
    assert all(i < j for i, j in pairs)


def test_bulk_banding_equals_datasketch_lsh() -> None:
    rng = np.random.default_rng(13)
    base = _random_streams(rng, [int(n) for n in rng.integers(60, 120, size=40)], vocab=300)
    streams = base + [_near_copy(rng, s) for s in base[:20]]
    streams.append(np.empty(0, np.uint32))
    streams.append(np.empty(0, np.uint32))  # two empty rows must not pair with each other
    sigs = signatures(streams)
    for threshold in (0.3, 0.5, 0.8):
        bulk = candidate_pairs(sigs, threshold=threshold, num_perm=128)
        reference = candidate_pairs(sigs, threshold=threshold, num_perm=128,
                                    storage_config={"type": "dict"})
        assert bulk == reference
        assert (len(streams) - 2, len(streams) - 1) not in bulk
    assert len(candidate_pairs(sigs, threshold=0.5, num_perm=128)) >= 20


def test_candidate_pairs_rejects_wrong_width() -> None:
    with pytest.raises(ValueError):
        candidate_pairs(np.zeros((3, 64), np.uint32), threshold=0.5, num_perm=128)


@pytest.mark.parametrize(("num_perm", "seed"), [(128, 1), (64, 7), (256, 42)])
def test_permutations_are_datasketchs(num_perm: int, seed: int) -> None:
    a, b = MinHash(num_perm=num_perm, seed=seed, scheme=SCHEME).permutations
    ours_a, ours_b = minhash._permutations(num_perm, seed)
    np.testing.assert_array_equal(ours_a, a)
    np.testing.assert_array_equal(ours_b, b)
    assert ours_a.dtype == ours_b.dtype == np.uint32


def test_known_lsh_params_are_datasketchs_and_cover_the_defaults() -> None:
    from datasketch import MinHashLSH

    from ctxlens.clones.options import CloneOptions

    defaults = CloneOptions()
    assert (defaults.lsh_threshold, defaults.num_perm, (0.5, 0.5)) in minhash.KNOWN_LSH_PARAMS
    for (threshold, num_perm, weights), params in minhash.KNOWN_LSH_PARAMS.items():
        lsh = MinHashLSH(threshold=threshold, num_perm=num_perm, weights=weights)
        assert params == (lsh.b, lsh.r)
    # Other options still ask datasketch's optimiser.
    minhash.lsh_params.cache_clear()
    assert minhash.lsh_params(0.6, 64, (0.5, 0.5)) == (
        MinHashLSH(threshold=0.6, num_perm=64).b, MinHashLSH(threshold=0.6, num_perm=64).r)


def test_a_default_detection_does_not_import_datasketch() -> None:
    import subprocess
    import sys

    code = ("import sys, numpy as np\n"
            "from ctxlens.clones.minhash import candidate_pair_array, signatures\n"
            "sigs = signatures([np.arange(40, dtype=np.uint32)] * 2)\n"
            "pairs = candidate_pair_array(sigs, threshold=0.4, num_perm=128)\n"
            "assert pairs.tolist() == [[0, 1]], pairs\n"
            "print('datasketch' in sys.modules)\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True, timeout=120)
    assert out.stdout.strip() == "False"
