"""Noise transforms (image only). Kernels: :mod:`augkit.functional.noise`."""

from __future__ import annotations

import math

import cv2
import numpy as np

from augkit.core import params as P
from augkit.core.transform import ImageOnlyTransform
from augkit.errors import UnsupportedInputError
from augkit.functional import noise as F
from augkit.functional.color import max_value

__all__ = ["GaussNoise", "AdditiveNoise", "ISONoise", "MultiplicativeNoise", "SaltAndPepper",
           "ShotNoise", "FilmGrain"]


def _uniform16(rng: np.random.Generator, shape: tuple[int, ...]) -> np.ndarray:
    """uint16 uniforms from the pipeline generator: full-range uint64 draws viewed as four
    uint16 each (0.49 ms for 512x512x3, against 1.06 ms for integers(..., dtype=uint16))."""
    n = math.prod(shape)
    bits = rng.bit_generator
    if type(bits) is np.random.PCG64:
        # the same words and state as the integers() call below (PCG64 gives 64-bit words
        # natively), without its range handling: 3072 words 8.8 us against 13.7
        raw = bits.random_raw((n + 3) // 4)
    else:
        raw = rng.integers(0, 2**64 - 1, size=(n + 3) // 4, dtype=np.uint64, endpoint=True)
    return raw.view(np.uint16)[:n].reshape(shape)


class GaussNoise(ImageOnlyTransform):
    """Add Gaussian noise with a random standard deviation and mean.

    Args:
        std_range: range of the noise standard deviation as a fraction of the dtype
            maximum (255, 65535 or 1.0), within [0, 1].
        mean_range: range of the noise mean as a fraction of the dtype maximum, in [-1, 1].
        per_channel: independent noise per channel (True) or one field for all channels.
        noise_scale_factor: in (0, 1]; below 1 the noise is drawn on a grid that much
            smaller and upscaled bilinearly (coarser grain, faster).
        p: probability of applying the transform.

    The noise field is drawn in :meth:`sample`, so every image target of one call gets the
    same noise. On integer images the noise is truncated toward zero before the saturating
    add, as in Albumentations 2.0.8.

    Targets: image. Dtypes: uint8, uint16, float32. Any channel count.

    >>> import numpy as np, augkit as A
    >>> t = A.GaussNoise(std_range=(0.1, 0.1), p=1.0)
    >>> out = t(image=np.full((64, 64, 3), 128, np.uint8))["image"]
    >>> bool(20 < out.std() < 31)
    True
    """

    supported_dtypes = ("uint8", "uint16", "float32")

    def __init__(self, std_range=(0.2, 0.44), mean_range=(0.0, 0.0), per_channel: bool = True,
                 noise_scale_factor: float = 1, p: float = 0.5):
        super().__init__(p=p)
        n = "GaussNoise"
        self.std_range = P.to_range(n, "std_range", std_range, scalar="point", bounds=(0, 1))
        self.mean_range = P.to_range(n, "mean_range", mean_range, scalar="point",
                                     bounds=(-1, 1))
        if not isinstance(per_channel, (bool, np.bool_)):
            raise P.fail(n, "per_channel", per_channel, "per_channel must be True or False")
        self.per_channel = bool(per_channel)
        self.noise_scale_factor = float(P.check_number(n, "noise_scale_factor",
                                                       noise_scale_factor, 0, 1,
                                                       low_inclusive=False))

    def sample(self, rng, state):
        dtype = np.dtype(state.image_dtype)
        top = max_value(dtype)
        std = P.draw_uniform(rng, *self.std_range) * top
        mean = P.draw_uniform(rng, *self.mean_range) * top
        h, w = state.shape
        f = self.noise_scale_factor
        grid = (h, w) if f >= 1 else (max(1, round(h * f)), max(1, round(w * f)))
        c = state.num_channels
        shape = (*grid, c) if self.per_channel and c > 1 else grid
        noise = F.gaussian_noise(_uniform16(rng, shape), mean, std, dtype, size=(h, w))
        return {"noise": noise, "noise_max": top}

    def apply(self, img, noise, noise_max=None, **_):
        top = max_value(img.dtype)
        if noise_max is not None and noise_max != top:  # an image target of another dtype
            noise = noise.astype(np.float32) * np.float32(top / noise_max)
        return F.add_noise(img, noise)


def _flag(owner: str, name: str, value) -> bool:
    if not isinstance(value, (bool, np.bool_)):
        raise P.fail(owner, name, value, f"{name} must be True or False")
    return bool(value)


def _rescale(noise: np.ndarray, noise_max: float | None, dtype) -> np.ndarray:
    """Noise drawn for one image dtype, used on an image target of another dtype."""
    top = max_value(dtype)
    if noise_max is None or noise_max == top:
        return noise
    out = noise.astype(np.float32) * np.float32(top / noise_max)
    return out if np.dtype(dtype) == np.float32 else np.trunc(out).astype(
        np.int16 if np.dtype(dtype) == np.uint8 else np.int32)


class AdditiveNoise(ImageOnlyTransform):
    """Add noise from a uniform, Gaussian, Laplace or beta distribution.

    Args:
        noise_type: ``"uniform"``, ``"gaussian"``, ``"laplace"`` or ``"beta"``.
        spatial_mode: ``"constant"`` (one value per channel), ``"per_pixel"`` (independent
            per pixel and channel) or ``"shared"`` (one field for all channels).
        noise_params: parameters of the distribution, fractions of the dtype maximum;
            ``None`` uses the defaults. ``uniform``: ``ranges`` list of (low, high) in
            [-1, 1], one for all channels or one per channel (default ``[(-0.1, 0.1)]``).
            ``gaussian``: ``mean_range`` (default (0, 0)), ``std_range`` (default
            (0.05, 0.15)). ``laplace``: ``mean_range`` (default (0, 0)), ``scale_range``
            (default (0.05, 0.15)). ``beta``: ``alpha_range``, ``beta_range`` (defaults
            (0.5, 1.5)), ``scale_range`` (default (0.1, 0.3)); the noise is
            ``(2 * Beta(alpha, beta) - 1) * scale``. Each range is sampled once per call.
        approximation: in (0, 1]; below 1 the per-pixel/shared field is drawn that much
            smaller and upscaled bilinearly.
        p: probability of applying the transform.

    Targets: image. Dtypes: uint8, uint16, float32. Any channel count (a per-channel
    ``ranges`` list must match it). Integer images get the noise truncated toward zero.

    >>> import numpy as np
    >>> from augkit.transforms.noise import AdditiveNoise
    >>> t = AdditiveNoise(noise_params={"ranges": [(0.1, 0.1)]}, spatial_mode="constant", p=1.0)
    >>> int(t(image=np.full((4, 4, 3), 100, np.uint8))["image"][0, 0, 0])
    125
    """

    supported_dtypes = ("uint8", "uint16", "float32")
    _DEFAULTS = {
        "uniform": {"ranges": [(-0.1, 0.1)]},
        "gaussian": {"mean_range": (0.0, 0.0), "std_range": (0.05, 0.15)},
        "laplace": {"mean_range": (0.0, 0.0), "scale_range": (0.05, 0.15)},
        "beta": {"alpha_range": (0.5, 1.5), "beta_range": (0.5, 1.5), "scale_range": (0.1, 0.3)},
    }
    _BOUNDS = {"ranges": (-1, 1), "mean_range": (-1, 1), "std_range": (0, 1),
               "scale_range": (0, 1), "alpha_range": (0, None), "beta_range": (0, None)}

    def __init__(self, noise_type: str = "uniform", spatial_mode: str = "constant",
                 noise_params=None, approximation: float = 1.0, p: float = 0.5):
        super().__init__(p=p)
        n = "AdditiveNoise"
        self.noise_type = P.check_choice(n, "noise_type", noise_type, tuple(self._DEFAULTS))
        self.spatial_mode = P.check_choice(n, "spatial_mode", spatial_mode,
                                           ("constant", "per_pixel", "shared"))
        self.approximation = float(P.check_number(n, "approximation", approximation, 0, 1,
                                                  low_inclusive=False))
        params = dict(self._DEFAULTS[noise_type])
        if noise_params is not None:
            if not isinstance(noise_params, dict):
                raise P.fail(n, "noise_params", noise_params, "noise_params must be a dict or None")
            extra = set(noise_params) - set(params) - {"noise_type"}
            if extra:
                raise P.fail(n, "noise_params", noise_params,
                             f"unknown key {sorted(extra)[0]!r} for noise_type={noise_type!r}; "
                             f"accepted: {', '.join(params)}")
            if noise_params.get("noise_type", noise_type) != noise_type:
                raise P.fail(n, "noise_params", noise_params, "noise_params['noise_type'] must equal noise_type")
            params.update({k: v for k, v in noise_params.items() if k != "noise_type"})
        for key, value in params.items():
            if key == "ranges":
                if not isinstance(value, (list, tuple)) or len(value) == 0:
                    raise P.fail(n, "noise_params", noise_params,
                                 "ranges must be a non-empty list of (low, high) pairs")
                params[key] = [P.to_range(n, "noise_params['ranges']", r, scalar="point",
                                          bounds=self._BOUNDS[key]) for r in value]
            else:
                lo = self._BOUNDS[key]
                params[key] = P.to_range(n, f"noise_params[{key!r}]", value, scalar="point",
                                         bounds=lo)
                if key in ("alpha_range", "beta_range") and params[key][0] <= 0:
                    raise P.fail(n, f"noise_params[{key!r}]", value, f"{key} values must be > 0")
        self.noise_params = {"noise_type": noise_type, **params}

    def check_image(self, img):
        super().check_image(img)
        if self.noise_type == "uniform":
            k = len(self.noise_params["ranges"])
            c = 1 if img.ndim == 2 else img.shape[2]
            if k not in (1, c):
                raise UnsupportedInputError(
                    f"AdditiveNoise: noise_params['ranges'] has {k} ranges for an image with "
                    f"{c} channels; give one range or one per channel")

    def sample(self, rng, state):
        dtype = np.dtype(state.image_dtype)
        top = max_value(dtype)
        c = state.num_channels
        prm = self.noise_params
        t = self.noise_type
        if t == "uniform":
            r = np.array(prm["ranges"], dtype=np.float64)
            if len(r) == 1:
                loc, scale = r[0, 0], r[0, 1] - r[0, 0]
            else:
                loc, scale = r[:, 0], r[:, 1] - r[:, 0]
            table = F.quantile_table("uniform")
        elif t in ("gaussian", "laplace"):
            loc = P.draw_uniform(rng, *prm["mean_range"])
            scale = rng.uniform(*prm["std_range" if t == "gaussian" else "scale_range"])
            table = F.quantile_table(t)
        else:
            a, b = P.draw_uniform(rng, *prm["alpha_range"]), P.draw_uniform(rng, *prm["beta_range"])
            s = P.draw_uniform(rng, *prm["scale_range"])
            table = 2.0 * F.beta_table(rng, a, b) - 1.0
            loc, scale = 0.0, s
        loc, scale = np.asarray(loc) * top, np.asarray(scale) * top
        if self.spatial_mode == "constant":
            u = _uniform16(rng, (c,))
            values = loc + scale * np.asarray(table)[u]
            return {"values": values, "noise": None, "noise_max": top}
        h, w = state.shape
        f = self.approximation
        grid = (h, w) if f >= 1 else (max(1, round(h * f)), max(1, round(w * f)))
        shape = (*grid, c) if self.spatial_mode == "per_pixel" and c > 1 else grid
        if self.spatial_mode == "shared" and c > 1 and loc.ndim:
            shape = (*grid, 1)
        noise = F.noise_field(_uniform16(rng, shape), table, loc, scale, dtype, size=(h, w))
        return {"values": None, "noise": noise, "noise_max": top}

    def apply(self, img, values=None, noise=None, noise_max=None, **_):
        top = max_value(img.dtype)
        if noise is None:
            v = np.asarray(values) * (top / noise_max)
            return F.add_constant(img, v)
        return F.add_noise(img, _rescale(noise, noise_max, img.dtype))

    def get_lut(self, params, num_channels):
        if params["noise"] is not None:
            return None
        v = np.asarray(params["values"]) * (255.0 / params["noise_max"])
        return F.add_constant_lut(v, num_channels)

    @property
    def apply_beats_lut(self) -> bool:
        # alone, a constant per channel is one cv2.transform pass (104 us on 512x512x3)
        # where per-channel tables take 207 us; followed by other tables it still fuses
        return self.spatial_mode == "constant"


class ISONoise(ImageOnlyTransform):
    """Camera sensor noise: random hue jitter plus Poisson lightness noise (RGB images).

    Args:
        color_shift: range of the hue noise scale, in [0, 1] (1 = a full 360 degree turn);
            the hue noise is Gaussian with standard deviation
            ``color_shift * 360 * intensity`` degrees.
        intensity: range of the noise strength (>= 0); the lightness noise is Poisson with
            mean ``std(L) * intensity * 255`` and adds ``n / 255 * (1 - L)`` to L.
        p: probability of applying the transform.

    Works in float32 HLS. Both noise fields are drawn from 16-bit uniforms by inverse CDF
    (the Poisson one against the image's lightness spread at apply time).

    Targets: image. Dtypes: uint8, uint16, float32. Channels: 3 (RGB).

    >>> import numpy as np
    >>> from augkit.transforms.noise import ISONoise
    >>> img = np.random.default_rng(0).integers(0, 256, (32, 32, 3), dtype=np.uint8)
    >>> out = ISONoise(intensity=(0.5, 0.5), p=1.0)(image=img)["image"]
    >>> out.shape, bool((out != img).any())
    ((32, 32, 3), True)
    """

    supported_dtypes = ("uint8", "uint16", "float32")

    def __init__(self, color_shift=(0.01, 0.05), intensity=(0.1, 0.5), p: float = 0.5):
        super().__init__(p=p)
        n = "ISONoise"
        self.color_shift = P.to_range(n, "color_shift", color_shift, scalar="point", bounds=(0, 1))
        self.intensity = P.to_range(n, "intensity", intensity, scalar="point", bounds=(0, None))

    def check_image(self, img):
        super().check_image(img)
        c = 1 if img.ndim == 2 else img.shape[2]
        if c != 3:
            raise UnsupportedInputError(f"ISONoise: expects an RGB image with 3 channels, got {c} "
                                        f"(shape {img.shape})")

    def sample(self, rng, state):
        shift = P.draw_uniform(rng, *self.color_shift)
        intensity = P.draw_uniform(rng, *self.intensity)
        shape = tuple(state.shape)
        z = F.normal_table()
        k = shift * 360.0 * intensity
        # shift by whole turns so every hue stays >= 0 (OpenCV's float HLS -> RGB wraps
        # hues above 360 but not negative ones); z[0] is the lowest quantile
        turns = 360.0 * math.ceil(max(0.0, -(z[0] * k)) / 360.0)
        u = _uniform16(rng, shape)
        if u.size < z.size:  # the drawn quantiles only: the same numbers as the table's
            hue_noise = (z[u] * k + turns).astype(np.float32)
        else:
            hue_noise = np.take((z * k + turns).astype(np.float32), u)
        return {"intensity": intensity, "hue_noise": hue_noise,
                "lum_uniform16": _uniform16(rng, shape)}

    def apply(self, img, intensity, hue_noise, lum_uniform16, **_):
        return F.iso_noise(img, hue_noise, lum_uniform16, intensity)


class MultiplicativeNoise(ImageOnlyTransform):
    """Multiply the image by random factors.

    Args:
        multiplier: range of the factor (>= 0); one number v means (v, v).
        per_channel: a different factor per channel.
        elementwise: a different factor per pixel (an HxW field shared by the channels,
            or HxWxC with ``per_channel``).
        p: probability of applying the transform.

    Integer results are rounded (2.0.8 truncates, which darkens by half a level on
    average). Without ``elementwise`` on uint8 the transform is a lookup table.

    Targets: image. Dtypes: uint8, uint16, float32. Any channel count.

    >>> import numpy as np
    >>> from augkit.transforms.noise import MultiplicativeNoise
    >>> t = MultiplicativeNoise(multiplier=(1.5, 1.5), p=1.0)
    >>> int(t(image=np.full((2, 2), 100, np.uint8))["image"][0, 0])
    150
    """

    supported_dtypes = ("uint8", "uint16", "float32")

    def __init__(self, multiplier=(0.9, 1.1), per_channel: bool = False,
                 elementwise: bool = False, p: float = 0.5):
        super().__init__(p=p)
        n = "MultiplicativeNoise"
        self.multiplier = P.to_range(n, "multiplier", multiplier, scalar="point", bounds=(0, None))
        self.per_channel = _flag(n, "per_channel", per_channel)
        self.elementwise = _flag(n, "elementwise", elementwise)

    def sample(self, rng, state):
        lo, hi = self.multiplier
        c = state.num_channels
        if not self.elementwise:
            return {"multiplier": rng.uniform(lo, hi, size=c if self.per_channel else 1)}
        shape = (*state.shape, c) if self.per_channel and c > 1 else tuple(state.shape)
        table = (lo + (hi - lo) * F.quantile_table("uniform")).astype(np.float32)
        return {"multiplier": np.take(table, _uniform16(rng, shape))}

    def apply(self, img, multiplier, **_):
        return F.multiply(img, multiplier)

    def get_lut(self, params, num_channels):
        m = params["multiplier"]
        return F.multiply_lut(m, num_channels) if m.ndim == 1 else None


class SaltAndPepper(ImageOnlyTransform):
    """Set random pixels to the maximum (salt) or to zero (pepper), all channels alike.

    Args:
        amount: range of the fraction of pixels changed, in [0, 1].
        salt_vs_pepper: range of the fraction of changed pixels that are salt, in [0, 1].
        p: probability of applying the transform.

    Exactly ``floor(H * W * amount * ratio)`` salt and ``floor(H * W * amount * (1 - ratio))``
    pepper pixels, at distinct positions.

    Targets: image. Dtypes: uint8, uint16, float32. Any channel count.

    >>> import numpy as np
    >>> from augkit.transforms.noise import SaltAndPepper
    >>> t = SaltAndPepper(amount=(0.5, 0.5), salt_vs_pepper=(1.0, 1.0), p=1.0)
    >>> int((t(image=np.full((10, 10), 9, np.uint8))["image"] == 255).sum())
    50
    """

    supported_dtypes = ("uint8", "uint16", "float32")

    def __init__(self, amount=(0.01, 0.06), salt_vs_pepper=(0.4, 0.6), p: float = 0.5):
        super().__init__(p=p)
        n = "SaltAndPepper"
        self.amount = P.to_range(n, "amount", amount, scalar="point", bounds=(0, 1))
        self.salt_vs_pepper = P.to_range(n, "salt_vs_pepper", salt_vs_pepper, scalar="point",
                                         bounds=(0, 1))

    def sample(self, rng, state):
        h, w = state.shape
        amount = P.draw_uniform(rng, *self.amount)
        ratio = P.draw_uniform(rng, *self.salt_vs_pepper)
        n_salt = int(h * w * amount * ratio)
        n_pepper = min(int(h * w * amount * (1 - ratio)), h * w - n_salt)
        # Generator.choice without replacement uses a hash set for small draws:
        # 0.3 ms for 16k of 262k positions
        pos = rng.choice(h * w, size=n_salt + n_pepper, replace=False)
        return {"salt": pos[:n_salt], "pepper": pos[n_salt:]}

    def apply(self, img, salt, pepper, **_):
        return F.salt_and_pepper(img, salt, pepper)


class ShotNoise(ImageOnlyTransform):
    """Photon shot noise: Poisson counts in linear light (gamma 2.2).

    Args:
        scale_range: range of the scale: the reciprocal of the expected photon count at
            full intensity (> 0); larger is noisier.
        p: probability of applying the transform.

    Each value ``x`` in [0, 1] becomes ``(scale * Poisson(x ** 2.2 / scale)) ** (1 / 2.2)``.
    uint8 images of at least 65536 values use a 256 x 1024 table of outcome quantiles (1024
    equally likely outcomes per value, drawn from the pipeline generator); smaller ones,
    uint16 and float32 draw exact Poisson counts from a generator seeded from the pipeline
    generator.

    Targets: image. Dtypes: uint8, uint16, float32. Any channel count.

    >>> import numpy as np
    >>> from augkit.transforms.noise import ShotNoise
    >>> out = ShotNoise(scale_range=(0.5, 0.5), p=1.0)(image=np.full((8, 8), 128, np.uint8))["image"]
    >>> bool(len(np.unique(out)) > 1)
    True
    """

    supported_dtypes = ("uint8", "uint16", "float32")

    def __init__(self, scale_range=(0.1, 0.3), p: float = 0.5):
        super().__init__(p=p)
        self.scale_range = P.to_range("ShotNoise", "scale_range", scale_range, scalar="point",
                                      bounds=(0, None))
        if self.scale_range[0] <= 0:
            raise P.fail("ShotNoise", "scale_range", scale_range, "scale_range values must be > 0")

    def sample(self, rng, state):
        scale = P.draw_uniform(rng, *self.scale_range)
        shape = (*state.shape, state.num_channels) if state.num_channels > 1 else tuple(state.shape)
        # the uint8 table costs ~6 ms whatever the image (more for small scales): below
        # 65536 values exact counts are cheaper (64x64x3: 1.0 vs 6.5 ms; 192x192x3: 10.9
        # vs 6.2 ms)
        u = _uniform16(rng, shape) if np.dtype(state.image_dtype) == np.uint8 \
            and math.prod(shape) >= _SHOT_TABLE_MIN_VALUES else None
        return {"scale": scale, "uniform16": u, "seed": int(rng.integers(0, 2**63))}

    def apply(self, img, scale, uniform16=None, seed=0, **_):
        if img.dtype == np.uint8 and uniform16 is not None and uniform16.shape[:2] == img.shape[:2]:
            if uniform16.ndim != img.ndim:
                uniform16 = uniform16.reshape(img.shape) if uniform16.size == img.size else \
                    np.broadcast_to(uniform16[..., :1], img.shape)
            return F.shot_noise_uint8(img, uniform16, scale)
        if img.dtype == np.uint8:
            return F.shot_noise_uint8_exact(img, np.random.default_rng(seed), scale)
        top = max_value(img.dtype)
        x = img if img.dtype == np.float32 else img.astype(np.float64) / top
        out = F.shot_noise_float(x, np.random.default_rng(seed), scale)
        if img.dtype == np.float32:
            return out
        return np.clip(np.rint(out.astype(np.float64) * top), 0, top).astype(img.dtype)


#: the smallest uint8 image (in values) for which ShotNoise builds its outcome table
_SHOT_TABLE_MIN_VALUES = 65536


class FilmGrain(ImageOnlyTransform):
    """Film grain: spatially correlated luminance noise, strongest in the shadows.

    Not in Albumentations 2.0.8 (newer Albumentations has a transform of this name with
    these arguments).

    Args:
        intensity_range: range of the grain strength, in [0, 1]: the grain standard
            deviation in black areas, as a fraction of the dtype maximum.
        grain_size_range: range of the grain size in pixels (integers >= 1): the grain is
            drawn on a grid that many times coarser and upscaled bilinearly, so it clumps.
        p: probability of applying the transform.

    ``out = img + intensity * max * g * (1 - Y)``: ``g`` a unit Gaussian field shared by all
    channels (the grain has no colour), ``Y`` the luminance in [0, 1], so shadows show the
    most grain and pure white none.

    Targets: image. Dtypes: uint8, uint16, float32. Any channel count.

    >>> import numpy as np
    >>> from augkit.transforms.noise import FilmGrain
    >>> out = FilmGrain(intensity_range=(0.2, 0.2), p=1.0)(image=np.full((32, 32, 3), 64, np.uint8))["image"]
    >>> bool(out.std() > 5)
    True
    """

    supported_dtypes = ("uint8", "uint16", "float32")

    def __init__(self, intensity_range=(0.1, 0.3), grain_size_range=(1, 3), p: float = 0.5):
        super().__init__(p=p)
        n = "FilmGrain"
        self.intensity_range = P.to_range(n, "intensity_range", intensity_range, scalar="point",
                                          bounds=(0, 1))
        self.grain_size_range = P.to_range(n, "grain_size_range", grain_size_range,
                                           scalar="point", bounds=(1, None), integer=True)

    def sample(self, rng, state):
        intensity = P.draw_uniform(rng, *self.intensity_range)
        g = int(rng.integers(self.grain_size_range[0], self.grain_size_range[1], endpoint=True))
        h, w = state.shape
        grid = (max(1, -(-h // g)), max(1, -(-w // g)))
        z = F.noise_field(_uniform16(rng, grid), F.quantile_table("gaussian"), 0.0, 1.0,
                          np.float32)
        if g > 1:
            # bilinear upscaling averages neighbouring cells: restore unit variance
            z = cv2.resize(z, (w, h), interpolation=cv2.INTER_LINEAR)
            z *= np.float32(1.0 / max(1e-6, float(z.std())))
        return {"intensity": intensity, "grain": z}

    def apply(self, img, intensity, grain, **_):
        return F.film_grain(img, grain, intensity)
