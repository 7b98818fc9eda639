"""Shared helpers for the pixel-transform tests: call a transform without a pipeline."""

import types

import numpy as np


def state_for(img):
    """The facts a transform's ``sample`` reads from the pipeline state."""
    return types.SimpleNamespace(shape=img.shape[:2], num_channels=1 if img.ndim == 2 else img.shape[2],
                                 image_dtype=img.dtype, extra={})


def sample(t, img, seed=0):
    return t.sample(np.random.default_rng(seed), state_for(img))


def run(t, img, seed=0):
    return t.apply(img, **sample(t, img, seed))


def gradient_rgb(h, w, seed=0, noise=12.0):
    """Colour gradients over the whole range plus Gaussian texture, uint8."""
    rng = np.random.default_rng(seed)
    y, x = np.mgrid[0:h, 0:w]
    img = np.stack([255 * x / (w - 1), 255 * y / (h - 1), 255 * (x + y) / (h + w - 2)], -1)
    img += rng.normal(0, noise, img.shape)
    return np.clip(img, 0, 255).astype(np.uint8)
