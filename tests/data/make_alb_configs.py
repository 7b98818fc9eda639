"""Write tests/data/alb_configs/*.json|yaml with Albumentations 2.0.8's own save().

Maintenance script (not part of the suite): run it with an environment that has
albumentations==2.0.8, e.g. ``/work/refvenv/bin/python tests/data/make_alb_configs.py``.
The files it writes are what Albumentations users have on disk; tests/test_serialization.py
loads them with augkit and compares every parameter.
"""

from pathlib import Path

import albumentations as A
import cv2

OUT = Path(__file__).parent / "alb_configs"

PIPELINES = {
    "classification": A.Compose([
        A.RandomResizedCrop(size=(224, 224), scale=(0.08, 1.0)),
        A.HorizontalFlip(p=0.5),
        A.ColorJitter(brightness=0.4, contrast=0.4, saturation=0.4, hue=0.1, p=0.8),
        A.ToGray(p=0.2),
        A.Normalize(),
    ]),
    "detection": A.Compose([
        A.LongestMaxSize(max_size=640),
        A.PadIfNeeded(min_height=640, min_width=640, border_mode=cv2.BORDER_CONSTANT, fill=114),
        A.RandomBrightnessContrast(brightness_limit=0.3, contrast_limit=0.2, p=0.5),
        A.HueSaturationValue(hue_shift_limit=10, sat_shift_limit=20, val_shift_limit=15),
        A.HorizontalFlip(),
    ], bbox_params=A.BboxParams(format="coco", label_fields=["labels"], min_visibility=0.2,
                                min_area=16), seed=7),
    "segmentation": A.Compose([
        A.Affine(scale=(0.8, 1.2), rotate=(-20, 20), translate_percent=(-0.1, 0.1), shear=(-5, 5),
                 border_mode=cv2.BORDER_REFLECT_101, p=0.7),
        A.OneOf([
            A.ElasticTransform(alpha=40, sigma=6),
            A.GridDistortion(num_steps=5, distort_limit=0.2),
            A.OpticalDistortion(distort_limit=0.1),
        ], p=0.3),
        A.RandomCrop(height=256, width=256, pad_if_needed=True),
    ], additional_targets={"depth": "mask"}),
    "keypoints": A.Compose([
        A.ShiftScaleRotate(shift_limit=0.05, scale_limit=0.1, rotate_limit=15, p=0.5),
        A.Rotate(limit=30, border_mode=cv2.BORDER_REFLECT_101, p=0.3),
        A.CenterCrop(height=200, width=200),
    ], keypoint_params=A.KeypointParams(format="xy", label_fields=["names"], remove_invisible=False)),
    "blur_noise": A.Compose([
        A.OneOf([A.Blur(blur_limit=5), A.MedianBlur(blur_limit=5), A.MotionBlur(blur_limit=(3, 9)),
                 A.GaussianBlur(blur_limit=(3, 7), sigma_limit=(0.1, 2.0))], p=0.5),
        A.GaussNoise(std_range=(0.05, 0.15), p=0.3),
        A.ISONoise(color_shift=(0.01, 0.03), intensity=(0.1, 0.3)),
        A.ImageCompression(quality_range=(50, 90), p=0.5),
    ]),
    "weather": A.Compose([
        A.RandomFog(fog_coef_range=(0.1, 0.3), alpha_coef=0.1),
        A.RandomRain(slant_range=(-5, 5), drop_length=10, blur_value=3),
        A.RandomSnow(snow_point_range=(0.1, 0.2), brightness_coeff=2.0),
        A.RandomSunFlare(flare_roi=(0, 0, 1, 0.5), src_radius=100, num_flare_circles_range=(3, 6)),
        A.RandomShadow(num_shadows_limit=(1, 3), shadow_dimension=4),
    ]),
    "nested_blocks": A.Compose([
        A.SomeOf([A.HorizontalFlip(p=1), A.VerticalFlip(p=1), A.Transpose(p=1)], n=2, replace=False,
                 p=0.9),
        A.Sequential([A.RandomRotate90(p=1), A.D4(p=0.5)], p=0.5),
        A.OneOrOther(A.Equalize(p=1), A.CLAHE(clip_limit=2.0, p=1), p=0.4),
    ], additional_targets={"image2": "image"}, is_check_shapes=False),
    "color": A.Compose([
        A.CLAHE(clip_limit=(1, 3), tile_grid_size=(4, 4)),
        A.Posterize(num_bits=(3, 5)),
        A.Solarize(threshold_range=(0.4, 0.6)),
        A.RandomGamma(gamma_limit=(70, 130)),
        A.RGBShift(r_shift_limit=10, g_shift_limit=(-5, 5), b_shift_limit=15),
        A.ChannelShuffle(p=0.1),
        A.InvertImg(p=0.05),
        A.FancyPCA(alpha=0.2),
    ]),
    "geometry": A.Compose([
        A.SafeRotate(limit=25, border_mode=cv2.BORDER_CONSTANT, fill=0, fill_mask=255),
        A.Perspective(scale=(0.02, 0.06), keep_size=True),
        A.PiecewiseAffine(scale=(0.01, 0.03), nb_rows=3, nb_cols=3),
        A.CropAndPad(px=(-10, 10), keep_size=False),
        A.GridDistortion(num_steps=4, distort_limit=(-0.1, 0.1), normalized=True),
    ]),
    "crops": A.Compose([
        A.RandomSizedBBoxSafeCrop(height=300, width=300, erosion_rate=0.1),
        A.RandomScale(scale_limit=0.2),
        A.SmallestMaxSize(max_size=256),
        A.Resize(height=224, width=224, interpolation=cv2.INTER_AREA),
    ], bbox_params=A.BboxParams(format="pascal_voc", label_fields=["class_ids"])),
    "misc": A.Compose([
        A.Downscale(scale_range=(0.5, 0.75)),
        A.Sharpen(alpha=(0.1, 0.3), lightness=(0.7, 1.0)),
        A.Emboss(alpha=(0.1, 0.3), strength=(0.2, 0.5)),
        A.Superpixels(p_replace=(0, 0.05), n_segments=(50, 100)),
        A.Defocus(radius=(3, 5)),
        A.ZoomBlur(max_factor=(1, 1.1)),
        A.PlanckianJitter(mode="cied"),
        A.RandomToneCurve(scale=0.2),
    ], seed=123),
    "pixel_mix": A.Compose([
        A.ChannelDropout(channel_drop_range=(1, 2), fill=0),
        A.ToSepia(p=0.1),
        A.Illumination(mode="corner", intensity_range=(0.05, 0.1)),
        A.PlasmaShadow(shadow_intensity_range=(0.2, 0.4)),
        A.ShotNoise(scale_range=(0.05, 0.1)),
        A.SaltAndPepper(amount=(0.01, 0.02)),
        A.MultiplicativeNoise(multiplier=(0.95, 1.05), per_channel=True),
        A.RandomGridShuffle(grid=(2, 2)),
        A.AutoContrast(p=0.2),
    ]),
}

YAML = {"detection", "color"}


def main():
    OUT.mkdir(exist_ok=True)
    for name, pipe in PIPELINES.items():
        fmt = "yaml" if name in YAML else "json"
        A.save(pipe, str(OUT / f"alb2_{name}.{fmt}"), data_format=fmt)
    print(f"wrote {len(PIPELINES)} configs to {OUT}")


if __name__ == "__main__":
    main()
