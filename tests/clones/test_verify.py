"""The near-miss check: ordered token similarity that demands a consistent renaming."""

from __future__ import annotations

import numpy as np
import pytest

from ctxlens.clones.streams import UnitStream
from ctxlens.clones.verify import (
    alignment,
    consistency_factor,
    folded_texts,
    similarities,
    similarity,
    within_lcs_bound,
)
from stream_helpers import toy_stream

ORIGINAL = """
t = open ( p , "r" )
r = [ ]
for l in t :
    s = l . strip ( )
    if not s :
        continue
    k , v = s . split ( "=" , 1 )
    r . append ( ( k . strip ( ) , int ( v ) ) )
t . close ( )
r . sort ( key = first )
return r
"""

# Every name renamed (t→f, p→a, r→o, l→x, s→y, k→n, v→m), one statement inserted.
INSERTED = """
f = open ( a , "r" )
o = [ ]
for x in f :
    y = x . strip ( )
    log ( y )
    if not y :
        continue
    n , m = y . split ( "=" , 1 )
    o . append ( ( n . strip ( ) , int ( m ) ) )
f . close ( )
o . sort ( key = first )
return o
"""

# Renamed, one statement changed and one deleted (`t . close ( )`).
EDITED = """
f = open ( a , "r" )
o = [ ]
for x in f :
    y = x . lower ( )
    if not y :
        continue
    n , m = y . split ( "=" , 1 )
    o . append ( ( n . strip ( ) , int ( m ) ) )
o . sort ( key = first )
return o
"""

# Same shape, token for token, but the data flows differently: the loop reads `p` instead
# of the file, strips `l` into the result, splits the wrong value, appends the raw line.
REWIRED = """
t = open ( p , "r" )
r = [ ]
for l in p :
    s = r . strip ( )
    if not l :
        continue
    k , v = t . split ( "=" , 1 )
    r . append ( ( l . strip ( ) , int ( s ) ) )
t . close ( )
s . sort ( key = first )
return k
"""


def test_identical_and_renamed_copies_score_one() -> None:
    assert similarity(stream(ORIGINAL), stream(ORIGINAL)) == 1.0
    to = dict(zip("tprlskv", "faoxynm", strict=True))
    renamed = "\n".join(" ".join(to.get(t, t) for t in line.split())
                        for line in ORIGINAL.splitlines())
    assert renamed != ORIGINAL
    assert similarity(stream(ORIGINAL), stream(renamed)) == 1.0
    assert similarity(stream("d = a + b"), stream("s = p + q")) == 1.0


def test_renamed_copy_with_edited_statements_scores_high() -> None:
    inserted = similarity(stream(ORIGINAL), stream(INSERTED))
    edited = similarity(stream(ORIGINAL), stream(EDITED))
    assert 0.9 <= inserted < 1.0
    assert 0.8 <= edited < 1.0
    assert similarity(stream(INSERTED), stream(ORIGINAL)) == inserted  # symmetric


def test_same_shape_different_logic_scores_low() -> None:
    assert similarity(stream("x = x + x"), stream("a = b + c")) == 0.0
    assert similarity(stream("a = b + c"), stream("x = x + x")) == 0.0
    common, consistency = alignment(stream(ORIGINAL), stream(REWIRED))
    assert common < len(stream(ORIGINAL))  # the crossed identifiers are not common tokens
    assert consistency < 0.6
    assert similarity(stream(ORIGINAL), stream(REWIRED)) < 0.5


def test_an_ambiguous_alignment_does_not_count_as_inconsistent() -> None:
    # Blinded, `m = v` and `m = t or v` can align `v` with `t`; the renaming-aware second
    # alignment must pair `v` with `v` again.
    original = "\n".join(["s . m = m", "s . n = n", "s . o = o", "s . p = p", "return s"])
    edited = "\n".join(["s . m = m", "s . n = t or n", "s . o = t or o", "s . p = p",
                        "return s"])
    _, consistency = alignment(stream(original), stream(edited))
    assert consistency == 1.0
    assert similarity(stream(original), stream(edited)) >= 0.8


# A constructor that stores its arguments, and a renamed copy whose `s . a = q` became
# `pass` and whose calls were renamed. Blinded, the remaining `s . x = y` lines all look
# alike, so the plain alignment slides them against each other near the deletion.
INIT = """
def init ( s , q , n = e , l = None ,
p = None ) :
s . o = None
s . a = q
s . n = n
s . b = p
if l is not None :
s . c = l
s . h = NodeList ( )
s . h . append ( Text ( ) )
"""
INIT_EDITED = """
def init ( f , g , j = k , m = None ,
r = None ) :
f . t = None
pass
f . j = j
f . u = r
if m is not None :
f . v = m
f . w = Nodes ( )
f . w . add ( Node ( ) )
"""


def test_a_deleted_statement_among_look_alike_ones() -> None:
    # Pairs aligned inside long equal blocks decide the renaming over those next to the
    # edit; by plain counts this copy scored 0.46.
    _common, consistency = alignment(stream(INIT), stream(INIT_EDITED))
    assert consistency > 0.9
    assert similarity(stream(INIT), stream(INIT_EDITED)) >= 0.85


def test_consistency_factor_shape() -> None:
    assert consistency_factor(1.0) == consistency_factor(0.9) == 1.0
    assert consistency_factor(0.5) == consistency_factor(0.2) == 0.0
    assert consistency_factor(0.8) == pytest.approx(0.75)
    values = [consistency_factor(c / 100) for c in range(101)]
    assert values == sorted(values)


def test_bulk_similarities_match_each_pair_and_the_bound_keeps_every_passing_pair() -> None:
    texts = [ORIGINAL, EDITED, INSERTED, REWIRED, INIT, INIT_EDITED, "x = x + x", "a = b + c",
             " ".join(["x"] * 10), " ".join(["x"] * 40)]
    streams = [stream(t) for t in texts]
    pairs = np.array([(i, j) for i in range(len(texts)) for j in range(len(texts))])
    bulk = similarities(streams, pairs)
    one_by_one = [similarity(streams[i], streams[j]) for i, j in pairs.tolist()]
    assert bulk == one_by_one
    assert bulk[1] == similarity(stream(ORIGINAL), stream(EDITED)) >= 0.8
    for (i, j), score in zip(pairs.tolist(), bulk, strict=True):
        codes_a, codes_b = streams[i].codes.tolist(), streams[j].codes.tolist()
        assert within_lcs_bound(codes_a, codes_b, score) or score == 0.0
    # Lengths alone rule it out: 10 against 40 tokens cannot reach 2·10/50 = 0.4.
    short, long = streams[-2].codes.tolist(), streams[-1].codes.tolist()
    assert not within_lcs_bound(short, long, 0.41)
    assert within_lcs_bound(short, long, 0.4)
    assert similarity(streams[-2], streams[-1]) == pytest.approx(0.4)


def test_empty_units_are_not_similar() -> None:
    empty = UnitStream(np.empty(0, np.uint32), np.empty(0, np.uint32),
                       np.empty(0, np.uint32), "", "")
    assert similarity(empty, stream(ORIGINAL)) == 0.0
    assert similarity(empty, empty) == 0.0
    assert similarities([empty, empty], np.array([[0, 1]])) == [0.0]


def stream(text: str) -> UnitStream:
    return toy_stream(text.strip().splitlines())


def test_folded_texts_keep_the_lcs_bound_a_bound() -> None:
    """Folding 32-bit codes into code points may merge two tokens, never split one: every
    pair that passes the bound on the codes passes it on the folded texts."""
    rng = np.random.default_rng(5)
    modulus = 0x110000 - 0x800
    vocabulary = np.array([3, 0xD800, 0xDFFF, 3 + modulus, 0xFFFFFFFF, 0x10FFFF, 77, 12],
                          dtype=np.uint32)
    streams = []
    for _ in range(100):  # pairs: a random stream and a copy with a third of it redrawn
        a = vocabulary[rng.integers(0, len(vocabulary), rng.integers(1, 40))]
        b = a.copy()
        redrawn = rng.random(len(b)) < 0.35
        b[redrawn] = vocabulary[rng.integers(0, len(vocabulary), int(redrawn.sum()))]
        streams += [a, b]
    texts = folded_texts(streams)
    assert [len(t) for t in texts] == [len(s) for s in streams]
    assert not any(0xD800 <= ord(c) <= 0xDFFF for t in texts for c in t)  # valid UTF-32
    passed = merged = 0
    for i in range(0, 200, 2):
        a, b = streams[i].tolist(), streams[i + 1].tolist()
        on_codes = within_lcs_bound(a, b, 0.6)
        on_texts = within_lcs_bound(texts[i], texts[i + 1], 0.6)
        assert on_texts or not on_codes
        passed += on_codes
        merged += on_texts and not on_codes
    assert passed > 10 and merged > 0  # both cases occur: the check is not vacuous
    # 3 and 3 + modulus fold together: a collision the bound must tolerate.
    a, b = folded_texts([np.array([3], np.uint32), np.array([3 + modulus], np.uint32)])
    assert a == b
