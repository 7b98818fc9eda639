"""augkit.pytorch.AugmentedDataset: items of any layout through a pipeline, in a real DataLoader."""

from __future__ import annotations

import numpy as np
import pytest

import augkit as A
from augkit.errors import InvalidParameterError, TargetError
from augkit.pytorch import AugmentedDataset

torch = pytest.importorskip("torch", reason="the torch extra (augkit[torch]) is part of dev")
from torch.utils.data import DataLoader  # noqa: E402

from augkit.pytorch import ToTensorV2  # noqa: E402

H, W = 12, 16


def coords_image():
    """Every pixel holds its own column in channel 0 and row in channel 1."""
    img = np.zeros((H, W, 3), np.uint8)
    img[..., 0] = np.arange(W)[None, :]
    img[..., 1] = np.arange(H)[:, None]
    return img


class Classification:
    """A torch-free dataset of (image, class) pairs, all the same image."""

    def __len__(self):
        return 8

    def __getitem__(self, i):
        return coords_image(), i % 3


def as_lists(batch):
    return tuple(zip(*batch))


def test_classification_in_a_dataloader_with_two_workers():
    pipe = A.Compose([A.RandomCrop(height=8, width=8), A.HorizontalFlip(),
                      A.ToFloat(max_value=255), ToTensorV2()], seed=1)
    loader = DataLoader(AugmentedDataset(Classification(), pipe), batch_size=4, num_workers=2)
    images, labels = [], []
    for x, y in loader:
        assert x.shape == (4, 3, 8, 8) and x.dtype == torch.float32
        images.append(x)
        labels += y.tolist()
    assert labels == [i % 3 for i in range(8)]  # targets pass through, in order
    crops = torch.cat(images)
    # every item is a crop of the same picture, so differences come from augmentation;
    # the two workers (and the items within one) drew different crops
    assert len({c.numpy().tobytes() for c in crops}) >= 6
    # and each crop is a true window (with or without a flip) of the coordinate image
    for c in crops:
        cols = (c[0] * 255).round().to(torch.int64)
        steps = cols[0, 1:] - cols[0, :-1]
        assert bool((steps == 1).all() or (steps == -1).all())


class Detection:
    """torchvision-style detection items: (image, {"boxes", "labels", "image_id"})."""

    def __len__(self):
        return 4

    def __getitem__(self, i):
        boxes = np.array([[1.0 + i, 2.0, 5.0 + i, 6.0]], np.float32)
        return coords_image(), {"boxes": boxes, "labels": [i], "image_id": 100 + i}


def test_detection_targets_mapped_by_keys_in_a_dataloader():
    pipe = A.Compose([A.HorizontalFlip(p=1.0)],
                     bbox_params=A.BboxParams(format="pascal_voc", label_fields=["labels"]))
    ds = AugmentedDataset(Detection(), pipe,
                          keys=("image", {"boxes": "bboxes", "labels": "labels"}))
    loader = DataLoader(ds, batch_size=2, num_workers=2, collate_fn=as_lists)
    seen = []
    for images, targets in loader:
        for img, target in zip(images, targets):
            i = target["image_id"] - 100  # passed through untouched
            np.testing.assert_array_equal(img, coords_image()[:, ::-1])
            assert isinstance(target["boxes"], np.ndarray)  # an array comes back an array
            np.testing.assert_allclose(target["boxes"], [[W - 5.0 - i, 2.0, W - 1.0 - i, 6.0]])
            assert target["labels"] == [i]
            seen.append(i)
    assert sorted(seen) == [0, 1, 2, 3]


def test_dict_items_as_they_are_and_renamed():
    items = [{"image": coords_image(), "mask": coords_image()[..., 0], "path": "a.png"}]
    out = AugmentedDataset(items, A.Compose([A.Transpose(p=1.0)]))[0]
    assert out["path"] == "a.png"
    np.testing.assert_array_equal(out["mask"], out["image"][..., 0])  # moved together
    assert out["image"].shape == (W, H, 3)

    renamed = [{"img": coords_image(), "seg": coords_image()[..., 1], "id": 3}]
    ds = AugmentedDataset(renamed, A.Compose([A.VerticalFlip(p=1.0)]),
                          keys={"img": "image", "seg": "mask"})
    out = ds[0]
    assert set(out) == {"img", "seg", "id"} and out["id"] == 3
    np.testing.assert_array_equal(out["seg"], coords_image()[::-1, :, 1])


def test_segmentation_tensors_stay_tensors():
    arr = coords_image()
    arr[..., 2] = 255  # marks the pixels that come from inside the picture
    img = torch.from_numpy(arr).permute(2, 0, 1).contiguous()  # C x H x W
    mask = torch.from_numpy(coords_image()[..., 0].copy())
    ds = AugmentedDataset([(img, mask)], A.Compose([A.Rotate(limit=(30, 30), p=1.0)]),
                          keys=("image", "mask"))
    out_img, out_mask = ds[0]
    assert out_img.shape == (3, H, W) and out_mask.shape == (H, W)
    # nearest-neighbour mask and the image's column channel agree where both are inside
    inside = out_img[2] == 255
    assert 0.5 * H * W < int(inside.sum()) < H * W  # rotated: corners left the frame
    diff = (out_img[0].to(torch.int64) - out_mask.to(torch.int64)).abs()[inside]
    assert diff.float().mean() < 0.5


def test_layout_errors_name_the_problem():
    pipe = A.Compose([A.HorizontalFlip()])
    with pytest.raises(TargetError, match="has 2 elements but keys"):
        AugmentedDataset(Classification(), pipe, keys=("image",))[0]
    with pytest.raises(TargetError, match="is a dict, but keys"):
        AugmentedDataset([{"image": coords_image()}], pipe, keys=("image",))[0]
    with pytest.raises(TargetError, match="expected a dict or a tuple"):
        AugmentedDataset([coords_image()], pipe)[0]
    with pytest.raises(InvalidParameterError, match="transform"):
        AugmentedDataset(Classification(), "not a pipeline")
    with pytest.raises(InvalidParameterError, match="keys"):
        AugmentedDataset(Classification(), pipe, keys="image")
