"""`unique` is `np.unique` for every shape and dtype it is given."""

from __future__ import annotations

import numpy as np
import pytest

from ctxlens.unique import unique


@pytest.mark.parametrize("dtype", [np.int64, np.uint32, np.intp, np.uint64])
def test_same_as_numpy(dtype: type) -> None:
    rng = np.random.default_rng(3)
    for values in (rng.integers(0, 50, 1000), rng.integers(0, 2**31, 5000),
                   rng.integers(0, 9, (40, 2)), np.array([7]), np.array([], dtype=int)):
        values = values.astype(dtype)
        got = unique(values)
        expected = np.unique(values)
        assert got.dtype == expected.dtype
        assert np.array_equal(got, expected)
    original = np.array([3, 1, 3], dtype=dtype)
    unique(original)
    assert original.tolist() == [3, 1, 3]  # the input is not sorted in place
