"""1.x spellings still work, with a DeprecationWarning naming the 2.x spelling."""

import numpy as np
import pytest

import augkit as A


@pytest.mark.parametrize("cls", [A.RandomResizedCrop, A.RandomSizedCrop])
def test_height_width_become_size(cls):
    extra = {"min_max_height": (4, 6)} if cls is A.RandomSizedCrop else {}
    with pytest.warns(DeprecationWarning, match=r"size=\(height, width\)"):
        t = cls(height=5, width=7, **extra)
    assert t.size == (5, 7)
    out = A.Compose([t], seed=0)(image=np.zeros((10, 10, 3), np.uint8))
    assert out["image"].shape == (5, 7, 3)


def test_size_and_height_together_is_an_error():
    with pytest.raises(A.errors.InvalidParameterError, match="not both"):
        A.RandomResizedCrop(size=(5, 5), height=5, width=5)


def test_always_apply_true_means_p_one():
    with pytest.warns(DeprecationWarning, match="always_apply"):
        t = A.HorizontalFlip(p=0.0, always_apply=True)
    assert t.p == 1.0
    img = np.arange(6, dtype=np.uint8).reshape(2, 3)
    np.testing.assert_array_equal(A.Compose([t])(image=img)["image"], img[:, ::-1])
