"""Channel transforms: drop, shuffle, swap and shift colour channels.

Names, arguments and defaults follow Albumentations 2.0.8 (``ChannelSwap`` is an augkit
addition). Kernels live in :mod:`augkit.functional.channels` and
:mod:`augkit.functional.tone`. Dtypes: uint8, uint16, float32; the output keeps the dtype.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from augkit.core import params as P
from augkit.core.transform import ImageOnlyTransform
from augkit.errors import UnsupportedInputError
from augkit.functional import channels as F
from augkit.functional import color as FC
from augkit.functional import tone as FT

__all__ = ["ChannelDropout", "ChannelShuffle", "ChannelSwap", "RGBShift"]

_DTYPES = ("uint8", "uint16", "float32")


class ChannelDropout(ImageOnlyTransform):
    """Set a random number of randomly chosen channels to ``fill``.

    Args:
        channel_drop_range: (min, max) number of channels to drop, 1 <= min <= max; the
            image must have more than ``max`` channels.
        fill: value written into the dropped channels (image units: 0..255 for uint8,
            0..65535 for uint16, 0..1 for float32).
        p: probability of applying the transform.

    Targets: image. Dtypes: uint8, uint16, float32. Channels: 2 or more.

    >>> import numpy as np
    >>> from augkit.transforms.channels import ChannelDropout
    >>> out = ChannelDropout(channel_drop_range=(2, 2), p=1.0)(image=np.ones((1, 1, 3), np.uint8))
    >>> int(out["image"].sum())
    1
    """

    supported_dtypes = _DTYPES

    def __init__(self, channel_drop_range=(1, 1), fill: float = 0, p: float = 0.5):
        super().__init__(p=p)
        n = "ChannelDropout"
        self.channel_drop_range = P.to_range(n, "channel_drop_range", channel_drop_range,
                                             scalar="point", bounds=(1, None), integer=True)
        self.fill = P.check_number(n, "fill", fill)

    def check_image(self, img):
        super().check_image(img)
        c = FC.num_channels(img)
        if c <= self.channel_drop_range[1]:
            raise UnsupportedInputError(
                f"ChannelDropout: image has {c} channels; channel_drop_range="
                f"{self.channel_drop_range} needs more than {self.channel_drop_range[1]} channels")

    def sample(self, rng, state):
        k = P.draw_int(rng, self.channel_drop_range[0], self.channel_drop_range[1])
        return {"channels_to_drop": sorted(P.draw_distinct(rng, state.num_channels, k))}

    def apply(self, img, channels_to_drop, **_):
        return F.drop_channels(img, channels_to_drop, self.fill)

    def _table(self, params, num_channels):
        """The exact uint8 table; not exposed as get_lut: a per-channel cv2.LUT costs
        0.65 ms, copy-and-fill 0.17 ms."""
        if not (0 <= self.fill <= 255 and float(self.fill).is_integer()):
            return None
        lut = np.repeat(np.arange(256, dtype=np.uint8)[:, None], num_channels, axis=1)
        lut[:, params["channels_to_drop"]] = int(self.fill)
        return lut


class ChannelShuffle(ImageOnlyTransform):
    """Randomly permute the channels.

    Args:
        p: probability of applying the transform.

    Targets: image. Dtypes: uint8, uint16, float32. Channels: any (grey: unchanged).

    >>> import numpy as np
    >>> from augkit.transforms.channels import ChannelShuffle
    >>> out = ChannelShuffle(p=1.0)(image=np.array([[[1, 2, 3]]], np.uint8))["image"]
    >>> sorted(out.ravel().tolist())
    [1, 2, 3]
    """

    supported_dtypes = _DTYPES

    def __init__(self, p: float = 0.5):
        super().__init__(p=p)

    def sample(self, rng, state):
        return {"channels_shuffled": P.draw_permutation(rng, state.num_channels)}

    def apply(self, img, channels_shuffled, **_):
        return F.permute_channels(img, channels_shuffled)


class ChannelSwap(ImageOnlyTransform):
    """Swap two channels, or reorder all of them. (augkit addition.)

    Args:
        channels: None swaps a random pair of distinct channels each call; ``(i, j)``
            swaps channels i and j; a longer sequence is a full new order
            (``out[..., k] = img[..., channels[k]]``), e.g. ``(2, 1, 0)`` for RGB <-> BGR.
        p: probability of applying the transform.

    Targets: image. Dtypes: uint8, uint16, float32. Channels: any (grey: unchanged);
    the indices given must exist in the image.

    >>> import numpy as np
    >>> from augkit.transforms.channels import ChannelSwap
    >>> ChannelSwap((0, 2), p=1.0)(image=np.array([[[1, 2, 3]]], np.uint8))["image"].tolist()
    [[[3, 2, 1]]]
    """

    supported_dtypes = _DTYPES

    def __init__(self, channels: Sequence[int] | None = None, p: float = 0.5):
        super().__init__(p=p)
        n = "ChannelSwap"
        if channels is not None:
            ok = isinstance(channels, Sequence) and not isinstance(channels, str) and len(channels) >= 2 \
                and all(isinstance(i, (int, np.integer)) and not isinstance(i, bool) and i >= 0
                        for i in channels)
            if ok and len(channels) == 2:
                ok = channels[0] != channels[1]
            elif ok:
                ok = sorted(channels) == list(range(len(channels)))
            if not ok:
                raise P.fail(n, "channels", channels,
                             "channels must be None, a pair (i, j) of distinct indices, "
                             "or a permutation of 0..C-1")
            channels = tuple(int(i) for i in channels)
        self.channels = channels

    def check_image(self, img):
        super().check_image(img)
        c = FC.num_channels(img)
        if self.channels is None or c == 1:
            return
        if len(self.channels) == 2 and max(self.channels) >= c or \
                len(self.channels) > 2 and len(self.channels) != c:
            raise UnsupportedInputError(
                f"ChannelSwap: channels={self.channels} does not fit an image with {c} channels")

    def sample(self, rng, state):
        c = state.num_channels
        order = list(range(c))
        if c == 1:
            return {"order": order}
        if self.channels is None:
            i, j = P.draw_distinct(rng, c, 2)
        elif len(self.channels) == 2:
            i, j = self.channels
        else:
            return {"order": list(self.channels)}
        order[i], order[j] = order[j], order[i]
        return {"order": order}

    def apply(self, img, order, **_):
        return F.permute_channels(img, order)


class RGBShift(ImageOnlyTransform):
    """Add a random offset to each of the R, G and B channels.

    Args:
        r_shift_limit: range of the red offset in 0..255 units (scaled to the dtype:
            x257 for uint16, /255 for float32); one number v means (-v, v).
        g_shift_limit: range of the green offset, same convention.
        b_shift_limit: range of the blue offset, same convention.
        p: probability of applying the transform.

    Targets: image. Dtypes: uint8, uint16 (integer offsets), float32. Channels: 3.

    >>> import numpy as np
    >>> from augkit.transforms.channels import RGBShift
    >>> t = RGBShift((10, 10), (0, 0), (-10, -10), p=1.0)
    >>> t(image=np.full((1, 1, 3), 100, np.uint8))["image"].tolist()
    [[[110, 100, 90]]]
    """

    supported_dtypes = _DTYPES

    def __init__(self, r_shift_limit=(-20, 20), g_shift_limit=(-20, 20), b_shift_limit=(-20, 20),
                 p: float = 0.5):
        super().__init__(p=p)
        n = "RGBShift"
        self.r_shift_limit = P.to_range(n, "r_shift_limit", r_shift_limit, bounds=(-255, 255))
        self.g_shift_limit = P.to_range(n, "g_shift_limit", g_shift_limit, bounds=(-255, 255))
        self.b_shift_limit = P.to_range(n, "b_shift_limit", b_shift_limit, bounds=(-255, 255))

    def check_image(self, img):
        super().check_image(img)
        c = FC.num_channels(img)
        if c != 3:
            raise UnsupportedInputError(f"RGBShift: expects an image with 3 channels, got {c} channels")

    def sample(self, rng, state):
        shifts = [P.draw_uniform(rng, *lim) for lim in (self.r_shift_limit, self.g_shift_limit, self.b_shift_limit)]
        return {"noise_map": np.asarray(shifts)}  # in 0..255 units

    def apply(self, img, noise_map, **_):
        return FT.channel_shift(img, np.asarray(noise_map) * (FC.max_value(img.dtype) / 255.0))

    def get_lut(self, params, num_channels):
        # The exact table is FT.channel_shift_lut(params["noise_map"]), but a per-channel
        # table costs 0.65 ms (cv2.LUT) against 0.07 ms for apply's integer cv2.add, so it
        # is exposed only when the shift is the same for every channel (one stringzilla pass).
        s = np.rint(np.asarray(params["noise_map"], np.float64))
        if np.all(s == s[0]):
            return FT.channel_shift_lut(s[:1])[:, 0]
        return None
