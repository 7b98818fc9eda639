"""Exceptions raised by augkit.

Every error derives from :class:`AugkitError` and from the built-in exception it refines,
so ``except ValueError`` keeps working in code written for other libraries.

>>> import augkit as A
>>> try:
...     A.Rotate(limit=(50, 10))
... except A.errors.InvalidParameterError as e:
...     print(e)
Rotate(limit=(50, 10)): limit must be (low, high) with low <= high
"""

from __future__ import annotations


class AugkitError(Exception):
    """Base class of every error raised by augkit."""


class InvalidParameterError(AugkitError, ValueError):
    """A transform or pipeline was constructed with a bad argument."""


class TargetError(AugkitError, ValueError):
    """An input given to a pipeline (image, mask, boxes, keypoints, labels) is invalid."""


class UnsupportedInputError(AugkitError, TypeError):
    """An input has a type, dtype or channel count the transform does not support."""


__all__ = ["AugkitError", "InvalidParameterError", "TargetError", "UnsupportedInputError"]
