"""Text rendering transforms (``TextImage``, Albumentations 2.0.8 name and arguments).

Kernels live in :mod:`augkit.functional.text`. Dtypes: uint8, uint16 and float32 in
[0, 1]; the output keeps the input dtype.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from augkit.core import params as P
from augkit.core.targets import metadata_dicts
from augkit.core.transform import ImageOnlyTransform
from augkit.errors import TargetError
from augkit.functional import text as F

__all__ = ["TextImage"]

_AUGS = ("insertion", "swap", "deletion", None)


def _unit_range(owner: str, name: str, value: Any) -> tuple[float, float]:
    return P.to_range(owner, name, value, scalar="point", bounds=(0, 1))


class TextImage(ImageOnlyTransform):
    """Render text into boxes given with the call (Albumentations ``TextImage``).

    The boxes come as call metadata under ``metadata_key``: one dict or a list of dicts
    with ``"bbox"`` (normalized ``x_min, y_min, x_max, y_max``) and ``"text"``, e.g.
    ``pipeline(image=img, textimage_metadata=[{"bbox": [0.1, 0.1, 0.9, 0.3], "text": "hi"}])``.
    Each call draws ``int(fraction * number of boxes)`` random boxes; each gets its text
    (edited by one random entry of ``augmentations``) at a height of a random fraction of
    the box height. The sampled parameters hold ``"overlay_data"`` (what was drawn where).

    Args:
        font_path: TrueType/OpenType font file, used through PIL when PIL is importable;
            None (or PIL missing) renders with OpenCV's Hershey simplex font.
        stopwords: words that ``"insertion"`` inserts.
        augmentations: text edits to choose from per box: ``"insertion"``, ``"swap"``,
            ``"deletion"`` or None (text as given).
        fraction_range: range of the fraction of boxes drawn (and of words edited), in [0, 1].
        font_size_fraction_range: range of the text height as a fraction of the box height.
        font_color: text colour in 0..255 units (scaled for uint16 and float32); one value
            per channel, or one value, or RGB (luma on grey images).
        clear_bg: fill each box with the mean colour of its border before drawing.
        metadata_key: name of the call argument that holds the boxes.
        p: probability of applying the transform.

    Targets: image. Dtypes: uint8, uint16, float32. Channels: any.

    Differs from 2.0.8: PIL is optional (Hershey glyphs without it, so glyph shapes differ);
    text wider than its box is shrunk to fit and nothing is drawn outside the boxes
    (2.0.8 lets it overflow); ``clear_bg`` fills with the border mean instead of
    inpainting; a call without the metadata draws nothing (2.0.8 raises); the call's
    output does not get an ``"overlay_data"`` key (outputs hold the input keys only); the
    number of word edits is ``max(1, round(fraction * words / 2))``.

    >>> import numpy as np
    >>> from augkit.transforms.text import TextImage
    >>> t = TextImage(font_path=None, font_color=(255, 0, 0), p=1.0)
    >>> img = np.full((40, 80, 3), 255, np.uint8)
    >>> out = t(image=img, textimage_metadata={"bbox": [0.0, 0.0, 1.0, 0.5], "text": "Hi"})
    >>> changed = (out["image"] != img).any(axis=2)
    >>> bool(changed[:20].any()), bool(changed[20:].any())
    (True, False)
    """

    supported_dtypes = ("uint8", "uint16", "float32")

    def __init__(self, font_path, stopwords: Sequence[str] = ("the", "is", "in", "at", "of"),
                 augmentations=(None,), fraction_range=(1.0, 1.0),
                 font_size_fraction_range=(0.8, 0.9), font_color=(0, 0, 0),
                 clear_bg: bool = False, metadata_key: str = "textimage_metadata", p: float = 0.5):
        super().__init__(p=p)
        n = "TextImage"
        if font_path is not None:
            if not isinstance(font_path, (str, os.PathLike)):
                raise P.fail(n, "font_path", font_path, "font_path must be a path to a font file or None")
            if not os.path.isfile(font_path):
                raise P.fail(n, "font_path", font_path, "font_path must name an existing font file")
        self.font_path = font_path
        if isinstance(stopwords, str) or not isinstance(stopwords, Sequence) \
                or not all(isinstance(w, str) for w in stopwords):
            raise P.fail(n, "stopwords", stopwords, "stopwords must be a sequence of strings")
        self.stopwords = tuple(stopwords)
        if isinstance(augmentations, str) or augmentations is None:
            augmentations = (augmentations,)
        if not isinstance(augmentations, Sequence) or not augmentations \
                or any(a not in _AUGS for a in augmentations):
            raise P.fail(n, "augmentations", augmentations,
                         "augmentations must be a non-empty sequence of 'insertion', 'swap', 'deletion' or None")
        self.augmentations = tuple(augmentations)
        self.fraction_range = _unit_range(n, "fraction_range", fraction_range)
        self.font_size_fraction_range = _unit_range(n, "font_size_fraction_range", font_size_fraction_range)
        if P.is_number(font_color):
            font_color = (font_color,)
        if not isinstance(font_color, Sequence) or isinstance(font_color, str) or not font_color \
                or not all(P.is_number(v) and 0 <= v <= 255 for v in font_color):
            raise P.fail(n, "font_color", font_color, "font_color must be a number or a sequence of "
                         "numbers in [0, 255] (e.g. (R, G, B))")
        self.font_color = tuple(float(v) for v in font_color)
        if not isinstance(clear_bg, (bool, np.bool_)):
            raise P.fail(n, "clear_bg", clear_bg, "clear_bg must be True or False")
        self.clear_bg = bool(clear_bg)
        if not isinstance(metadata_key, str):
            raise P.fail(n, "metadata_key", metadata_key, "metadata_key must be a string")
        self.metadata_key = metadata_key

    @property
    def targets_as_params(self) -> list[str]:
        return [self.metadata_key]

    def _entries(self, extra: Mapping[str, Any]) -> list[dict[str, Any]] | None:
        md = extra.get(self.metadata_key)
        if md is None:
            return None
        md = metadata_dicts("TextImage", self.metadata_key, md, ("bbox", "text"), "with 'bbox' and 'text'")
        for i, e in enumerate(md):
            if len(e["bbox"]) < 4 or not isinstance(e["text"], str):
                raise TargetError(f"TextImage: {self.metadata_key}[{i}] must be a dict with 'bbox' "
                                  f"(normalized x_min, y_min, x_max, y_max) and 'text' (a string), got {e!r}")
        return list(md)

    def sample(self, rng, state):
        extra = getattr(state, "extra", None) or {}
        entries = self._entries(extra)
        if not entries:
            return {"overlays": [], "overlay_data": []}
        h, w = state.shape
        fraction = float(P.draw_uniform(rng, *self.fraction_range))
        k = int(len(entries) * fraction)
        chosen = rng.choice(len(entries), k, replace=False) if k else []
        color = F.fit_color(self.font_color, state.num_channels, np.dtype(state.image_dtype))
        overlays, report = [], []
        for idx in chosen:
            idx = int(idx)
            bx = [float(v) for v in entries[idx]["bbox"][:4]]
            x1, y1 = max(0, int(bx[0] * w)), max(0, int(bx[1] * h))
            x2, y2 = min(w, int(bx[2] * w)), min(h, int(bx[3] * h))
            original = entries[idx]["text"]
            choice = self.augmentations[P.draw_int(rng, 0, len(self.augmentations) - 1)]
            text = F.augment_words(original, choice, fraction, self.stopwords, rng)
            font_px = float(P.draw_uniform(rng, *self.font_size_fraction_range)) * max(y2 - y1, 0)
            mask = F.text_mask(text, x2 - x1, y2 - y1, font_px, self.font_path)
            overlays.append({"bbox_coords": (x1, y1, x2, y2), "mask": mask, "color": color})
            report.append({"bbox_coords": (x1, y1, x2, y2), "text": text, "original_text": original,
                           "bbox_index": idx, "font_color": self.font_color})
        return {"overlays": overlays, "overlay_data": report}

    def apply(self, img, overlays=(), **_):
        if not overlays:
            return img.copy()
        return F.draw_text(img, overlays, self.clear_bg)
