"""Spatial transforms under test, with arguments that make each one do real work.

Every spatial transform exported by augkit must appear here (test_every_spatial_transform_listed).
"""

import cv2

import augkit as A

CASES = {
    "HorizontalFlip": [lambda: A.HorizontalFlip(p=1)],
    "VerticalFlip": [lambda: A.VerticalFlip(p=1)],
    "Transpose": [lambda: A.Transpose(p=1)],
    "RandomRotate90": [lambda: A.RandomRotate90(p=1)],
    "D4": [lambda: A.D4(p=1)],
    "Flip": [lambda: A.Flip(p=1)],  # 1.x name (transforms/compat.py); warns at construction
    "SquareSymmetry": [lambda: A.SquareSymmetry(p=1)],
    "Rotate": [lambda: A.Rotate(limit=(-40, 40), p=1),
               lambda: A.Rotate(limit=(10, 35), crop_border=True, p=1),
               lambda: A.Rotate(limit=(20, 40), rotate_method="ellipse", p=1)],
    "SafeRotate": [lambda: A.SafeRotate(limit=(-60, 60), p=1)],
    "Affine": [lambda: A.Affine(scale=(0.7, 1.3), translate_percent=(-0.1, 0.1), rotate=(-30, 30),
                                shear=(-10, 10), p=1),
               lambda: A.Affine(rotate=(20, 40), scale=(0.8, 1.0), fit_output=True, p=1),
               lambda: A.Affine(scale={"x": (0.6, 0.7), "y": (1.2, 1.4)}, p=1)],
    "ShiftScaleRotate": [lambda: A.ShiftScaleRotate(p=1)],
    "Perspective": [lambda: A.Perspective(scale=(0.05, 0.1), p=1),
                    lambda: A.Perspective(scale=(0.05, 0.08), fit_output=True, keep_size=False, p=1)],
    "Crop": [lambda: A.Crop(x_min=10, y_min=5, x_max=100, y_max=80)],
    "RandomCrop": [lambda: A.RandomCrop(height=60, width=70),
                   lambda: A.RandomCrop(height=150, width=150, pad_if_needed=True)],
    "CenterCrop": [lambda: A.CenterCrop(height=50, width=60)],
    "RandomResizedCrop": [lambda: A.RandomResizedCrop(size=(64, 80), scale=(0.3, 1.0))],
    "RandomSizedCrop": [lambda: A.RandomSizedCrop(min_max_height=(50, 80), size=(70, 60))],
    "Resize": [lambda: A.Resize(height=50, width=70), lambda: A.Resize(height=200, width=150)],
    "LongestMaxSize": [lambda: A.LongestMaxSize(max_size=64)],
    "SmallestMaxSize": [lambda: A.SmallestMaxSize(max_size=150)],
    "RandomScale": [lambda: A.RandomScale(scale_limit=0.3, p=1)],
    "Pad": [lambda: A.Pad(padding=(3, 5, 7, 9))],
    "PadIfNeeded": [lambda: A.PadIfNeeded(min_height=150, min_width=160),
                    lambda: A.PadIfNeeded(min_height=120, min_width=130, border_mode=cv2.BORDER_REFLECT_101)],
    # non-linear: fields (strong enough to move content by several pixels)
    "ElasticTransform": [lambda: A.ElasticTransform(alpha=120, sigma=6, p=1),
                         lambda: A.ElasticTransform(alpha=1000, sigma=20, p=1)],
    "GridDistortion": [lambda: A.GridDistortion(num_steps=5, distort_limit=0.3, p=1),
                       lambda: A.GridDistortion(num_steps=3, distort_limit=0.5, normalized=False, p=1)],
    # (stronger than the recommended +-0.05, short of folding the picture over itself)
    "OpticalDistortion": [lambda: A.OpticalDistortion(distort_limit=(-0.15, 0.15), p=1),
                          lambda: A.OpticalDistortion(distort_limit=(-0.3, 0.3), mode="fisheye", p=1)],
    "PiecewiseAffine": [lambda: A.PiecewiseAffine(scale=(0.03, 0.05), p=1)],
    "ThinPlateSpline": [lambda: A.ThinPlateSpline(p=1)],
    "GridElasticDeform": [lambda: A.GridElasticDeform(num_grid_xy=(4, 4), magnitude=5)],
    # crops that read the annotations
    "BBoxSafeRandomCrop": [lambda: A.BBoxSafeRandomCrop(), lambda: A.BBoxSafeRandomCrop(erosion_rate=0.4)],
    "RandomSizedBBoxSafeCrop": [lambda: A.RandomSizedBBoxSafeCrop(height=80, width=100)],
    "AtLeastOneBBoxRandomCrop": [lambda: A.AtLeastOneBBoxRandomCrop(height=60, width=70)],
    "BBoxSubsetSafeRandomCrop": [lambda: A.BBoxSubsetSafeRandomCrop()],
    "CropNonEmptyMaskIfExists": [lambda: A.CropNonEmptyMaskIfExists(height=60, width=70)],
    "RandomCropFromBorders": [lambda: A.RandomCropFromBorders(0.2, 0.2, 0.2, 0.2)],
    "LetterBox": [lambda: A.LetterBox(size=(100, 100)),
                  lambda: A.LetterBox(size=(150, 150), border_mode=cv2.BORDER_REFLECT_101)],
    "RandomCropNearBBox": [lambda: A.RandomCropNearBBox(max_part_shift=(0.2, 0.2))],
    "CropAndPad": [lambda: A.CropAndPad(px=(-10, 10), keep_size=False),
                   lambda: A.CropAndPad(percent=(-0.1, 0.1))],
}
