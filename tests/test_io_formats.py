"""Dataset readers and writers: exact round trips, polygons moved as polygons, keypoint
visibility, unreadable files reported with their name (and line)."""

from __future__ import annotations

import json
import os
import xml.etree.ElementTree as ET

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import augkit as A
from augkit.geometry.polygons import clip_convex
from augkit.io import (
    CocoDataset,
    MaskFolderDataset,
    SampleError,
    VocDataset,
    YoloDataset,
    apply_pipeline,
    clip_polygon,
    prepare_pipeline,
)
from augkit.io.common import polygon_area, read_image
from augkit.io.engine import AugmentJob, run_job
from tests.io_datasets import make_coco, make_masks, make_voc, make_yolo


def _originals_only(src, out, fmt):
    """read -> write without augmentation (the --include-originals copy)."""
    job = AugmentJob(input=src, format=fmt, output=out, pipeline=A.Compose([]), copies=0,
                     include_originals=True)
    return run_job(job)


# ---------------------------------------------------------------------------------
# round trips
# ---------------------------------------------------------------------------------
@pytest.mark.parametrize("compressed", [False, True])
def test_coco_round_trip_is_exact(tmp_path, compressed):
    if compressed:
        pytest.importorskip("pycocotools")
    src = make_coco(str(tmp_path / "in"), 5, compressed_rle=compressed)
    summary = _originals_only(src, str(tmp_path / "out"), "coco")
    assert summary.written == 5 and not summary.errors
    with open(os.path.join(src, "annotations.json")) as fh:
        a = json.load(fh)
    with open(tmp_path / "out" / "annotations.json") as fh:
        b = json.load(fh)
    assert a == b  # ids, boxes, polygons, RLE, keypoints, areas, extra fields, categories


def test_coco_identity_pipeline_keeps_geometry(tmp_path):
    """Through apply_pipeline (every object rebuilt) nothing moves."""
    src = make_coco(str(tmp_path / "in"), 3)
    ds = CocoDataset(src)
    pipe = prepare_pipeline(A.Compose([]))
    for sid in ds.ids():
        s = ds.read(sid)
        out, stats = apply_pipeline(pipe, s)
        assert stats == {"objects_dropped": 0, "keypoints_hidden": 0}
        np.testing.assert_allclose(out["bboxes"], s["bboxes"], atol=1e-9)
        assert out["labels"] == s["labels"] and len(out["objects"]) == len(s["objects"])
        for o_in, o_out in zip(s["objects"], out["objects"]):
            assert len(o_in.get("polygons") or []) == len(o_out["polygons"] or [])
            for r_in, r_out in zip(o_in.get("polygons") or [], o_out["polygons"] or []):
                np.testing.assert_allclose(r_out, r_in, atol=1e-9)
            if o_in.get("keypoints") is not None:
                np.testing.assert_allclose(o_out["keypoints"], o_in["keypoints"], atol=1e-9)
            if o_in.get("mask") is not None:
                assert np.array_equal(o_out["mask"], o_in["mask"])


@pytest.mark.parametrize("pose", [False, True])
def test_yolo_round_trip_is_exact(tmp_path, pose):
    src = make_yolo(str(tmp_path / "in"), 4, pose=pose)
    _originals_only(src, str(tmp_path / "out"), "yolo")
    for name in sorted(os.listdir(os.path.join(src, "labels"))):
        with open(os.path.join(src, "labels", name)) as fa, open(tmp_path / "out" / "labels" / name) as fb:
            a = [[float(v) for v in ln.split()] for ln in fa if ln.strip()]
            b = [[float(v) for v in ln.split()] for ln in fb if ln.strip()]
        assert a == b
    assert (tmp_path / "out" / "data.yaml").read_bytes() == open(os.path.join(src, "data.yaml"), "rb").read()


def _voc_objects(path):
    root = ET.parse(path).getroot()
    objs = [{c.tag: (c.text if c.tag != "bndbox" else {b.tag: int(b.text) for b in c}) for c in o}
            for o in root.findall("object")]
    size = {c.tag: int(c.text) for c in root.find("size")}
    return objs, size, root.find("filename").text, root.find("folder").text


def test_voc_round_trip_is_exact(tmp_path):
    src = make_voc(str(tmp_path / "in"), 4)
    _originals_only(src, str(tmp_path / "out"), "voc")
    for name in sorted(os.listdir(os.path.join(src, "Annotations"))):
        assert _voc_objects(os.path.join(src, "Annotations", name)) == \
            _voc_objects(tmp_path / "out" / "Annotations" / name)


def test_masks_round_trip_is_exact(tmp_path):
    src = make_masks(str(tmp_path / "in"), 3)
    _originals_only(src, str(tmp_path / "out"), "masks")
    a, b = MaskFolderDataset(src), MaskFolderDataset(str(tmp_path / "out"))
    assert a.ids() == b.ids()
    for sid in a.ids():
        sa, sb = a.read(sid), b.read(sid)
        assert np.array_equal(sa["mask"], sb["mask"]) and np.array_equal(sa["image"], sb["image"])


# ---------------------------------------------------------------------------------
# polygons and keypoints through a pipeline
# ---------------------------------------------------------------------------------
def test_flip_moves_polygons_and_keypoints_exactly(tmp_path):
    src = make_coco(str(tmp_path / "in"), 2)
    ds = CocoDataset(src)
    s = ds.read(ds.ids()[0])
    w = s["image"].shape[1]
    out, _ = apply_pipeline(prepare_pipeline(A.Compose([A.HorizontalFlip(p=1.0)])), s)
    tri_in = s["objects"][1]["polygons"][0]
    tri_out = out["objects"][1]["polygons"][0]
    np.testing.assert_allclose(tri_out[:, 0], w - tri_in[:, 0], atol=1e-9)
    np.testing.assert_allclose(tri_out[:, 1], tri_in[:, 1], atol=1e-9)
    # the box of a segmented object is the clipped polygon's bounds
    np.testing.assert_allclose(out["bboxes"][1], [tri_out[:, 0].min(), tri_out[:, 1].min(),
                                                  tri_out[:, 0].max(), tri_out[:, 1].max()])
    kin, kout = s["objects"][0]["keypoints"], out["objects"][0]["keypoints"]
    labelled = kin[:, 2] > 0
    np.testing.assert_allclose(kout[labelled, 0], w - kin[labelled, 0], atol=1e-9)
    assert kout[~labelled].tolist() == [[0.0, 0.0, 0.0]]  # unlabelled stays unlabelled, unmoved
    # the RLE square flips with the image
    assert np.array_equal(out["objects"][2]["mask"], s["objects"][2]["mask"][:, ::-1])


def test_crop_clips_polygons_hides_keypoints_and_drops_objects():
    img = np.zeros((40, 40, 3), np.uint8)
    s = {"id": "x", "image": img, "labels": [1, 2, 3],
         "bboxes": np.array([[2.0, 2.0, 30.0, 30.0], [25.0, 25.0, 35.0, 35.0], [1.0, 1.0, 4.0, 4.0]]),
         "objects": [{"polygons": [np.array([[2.0, 2.0], [30.0, 2.0], [30.0, 30.0], [2.0, 30.0]])]},
                     {"keypoints": np.array([[26.0, 26.0, 2.0], [34.0, 34.0, 2.0]])},
                     {"polygons": [np.array([[1.0, 1.0], [4.0, 1.0], [1.0, 4.0]])]}]}
    pipe = prepare_pipeline(A.Compose([A.Crop(x_min=10, y_min=10, x_max=30, y_max=30)]))
    out, stats = apply_pipeline(pipe, s)
    # object 3 lies outside the crop: dropped; object 2's far keypoint leaves the frame
    assert out["labels"] == [1, 2]
    assert stats == {"objects_dropped": 1, "keypoints_hidden": 1}
    ring = out["objects"][0]["polygons"][0]
    assert ring.min() >= 0 and ring.max() <= 20 and polygon_area(ring) == pytest.approx(400.0)
    np.testing.assert_allclose(out["bboxes"][0], [0, 0, 20, 20])
    assert out["objects"][1]["keypoints"].tolist() == [[16.0, 16.0, 2.0], [0.0, 0.0, 0.0]]


def test_remove_invisible_false_keeps_keypoints_outside():
    s = {"id": "x", "image": np.zeros((20, 20), np.uint8), "labels": [0],
         "bboxes": np.array([[0.0, 0.0, 10.0, 10.0]]),
         "objects": [{"keypoints": np.array([[1.0, 1.0, 2.0]])}]}
    user = A.Compose([A.Crop(x_min=5, y_min=5, x_max=20, y_max=20)],
                     keypoint_params=A.KeypointParams(format="xy", remove_invisible=False))
    out, stats = apply_pipeline(prepare_pipeline(user), s)
    assert stats["keypoints_hidden"] == 0
    assert out["objects"][0]["keypoints"].tolist() == [[-4.0, -4.0, 2.0]]


def test_user_min_visibility_is_honoured():
    s = {"id": "x", "image": np.zeros((20, 20), np.uint8), "labels": [0, 1],
         "bboxes": np.array([[0.0, 0.0, 10.0, 10.0], [12.0, 12.0, 18.0, 18.0]]), "objects": []}
    crop = A.Crop(x_min=8, y_min=8, x_max=20, y_max=20)
    loose, _ = apply_pipeline(prepare_pipeline(A.Compose([crop])), s)
    strict_pipe = A.Compose([crop], bbox_params=A.BboxParams(format="coco", label_fields=["c"],
                                                             min_visibility=0.5))
    strict, stats = apply_pipeline(prepare_pipeline(strict_pipe), s)
    assert loose["labels"] == [0, 1] and strict["labels"] == [1] and stats["objects_dropped"] == 1


@given(st.floats(-20, 60), st.floats(-20, 60), st.floats(1, 40),
       st.lists(st.floats(0, 2 * np.pi), min_size=3, max_size=9, unique=True),
       st.integers(5, 50), st.integers(5, 50))
def test_clip_polygon_matches_convex_clipper(cx, cy, r, angles, w, h):
    """On convex polygons (points on a circle) our clip equals the convex-convex clipper
    of augkit.geometry."""
    t = np.sort(np.asarray(angles))
    ring = np.stack([cx + r * np.cos(t), cy + r * np.sin(t)], axis=1)
    if polygon_area(ring) < 1e-3:
        return
    ours = clip_polygon(ring, w, h)
    ref = clip_convex(ring, np.array([[0, 0], [w, 0], [w, h], [0, h]], dtype=np.float64))
    assert polygon_area(ours) == pytest.approx(polygon_area(ref), abs=1e-6)
    if len(ours):
        assert ours[:, 0].min() >= 0 and ours[:, 0].max() <= w
        assert ours[:, 1].min() >= 0 and ours[:, 1].max() <= h


def test_clip_polygon_concave():
    # a U shape cut below its bottom bar keeps the two arms' area
    u = np.array([[0, 0], [10, 0], [10, 10], [7, 10], [7, 3], [3, 3], [3, 10], [0, 10]], float)
    clipped = clip_polygon(u + [0, 2], 10, 8)
    assert polygon_area(clipped) == pytest.approx(30 + 2 * 3 * 3)


# ---------------------------------------------------------------------------------
# unreadable files
# ---------------------------------------------------------------------------------
def test_corrupt_image_and_label_line_are_named(tmp_path):
    src = make_yolo(str(tmp_path / "in"), 3)
    with open(os.path.join(src, "labels", "img_001.txt"), "a") as fh:
        fh.write("0 0.5 nope 0.1 0.1\n")
    with open(os.path.join(src, "images", "img_002.jpg"), "wb") as fh:
        fh.write(b"not a jpeg")
    ds = YoloDataset(src)
    with pytest.raises(SampleError, match=r"img_001\.txt:3: not a YOLO label line"):
        ds.read("img_001.jpg")
    with pytest.raises(SampleError, match=r"img_002\.jpg: cannot decode"):
        ds.read("img_002.jpg")
    with pytest.raises(SampleError, match="cannot decode"):
        read_image(os.path.join(src, "images", "img_002.jpg"))


def test_voc_malformed_xml_is_named(tmp_path):
    src = make_voc(str(tmp_path / "in"), 2)
    with open(os.path.join(src, "Annotations", "im1.xml"), "w") as fh:
        fh.write("<annotation>\n<object>\n</annotation>")
    with pytest.raises(SampleError, match=r"im1\.xml:3: malformed XML"):
        VocDataset(src).read("im1")


# ---------------------------------------------------------------------------------
# augmented output of each format stays consistent with its image
# ---------------------------------------------------------------------------------
def _red_pixels(img):
    diff = np.abs(img.astype(int) - [255, 0, 0]).max(axis=2)
    ys, xs = np.nonzero(diff < 40)
    return xs, ys


def test_voc_augmented_boxes_enclose_their_object(tmp_path):
    src = make_voc(str(tmp_path / "in"), 4)
    pipe = A.Compose([A.HorizontalFlip(p=0.5), A.Affine(rotate=(-20, 20), p=1.0)])
    run_job(AugmentJob(input=src, format="voc", output=str(tmp_path / "out"), pipeline=pipe, copies=2))
    out = VocDataset(str(tmp_path / "out"))
    assert len(out.ids()) == 8
    for sid in out.ids():
        s = out.read(sid)
        x1, y1, x2, y2 = s["bboxes"][s["labels"].index("rect")]
        xs, ys = _red_pixels(s["image"])
        assert len(xs) > 10
        # VOC boxes are whole pixels: allow the rounding of each edge
        assert xs.min() >= x1 - 1 and xs.max() + 1 <= x2 + 1 and ys.min() >= y1 - 1 and ys.max() + 1 <= y2 + 1


def test_yolo_polygons_clipped_into_the_frame(tmp_path):
    src = make_yolo(str(tmp_path / "in"), 4)
    pipe = A.Compose([A.Affine(translate_percent=(0.25, 0.3), p=1.0)])  # pushes the triangles out
    summary = run_job(AugmentJob(input=src, format="yolo", output=str(tmp_path / "out"), pipeline=pipe))
    clipped = 0
    for name in os.listdir(tmp_path / "out" / "labels"):
        for line in (tmp_path / "out" / "labels" / name).read_text().splitlines():
            vals = np.asarray(line.split()[1:], dtype=float)
            assert vals.min() >= 0 and vals.max() <= 1
            if line.startswith("1 ") and np.isclose(vals, 1.0).any():
                clipped += 1
    assert clipped + summary.objects_dropped > 0


def test_masks_label_values_survive_augmentation(tmp_path):
    src = make_masks(str(tmp_path / "in"), 3)
    pipe = A.Compose([A.Affine(rotate=(-30, 30), scale=(0.7, 1.3), p=1.0)])
    run_job(AugmentJob(input=src, format="masks", output=str(tmp_path / "out"), pipeline=pipe))
    out = MaskFolderDataset(str(tmp_path / "out"))
    for sid in out.ids():
        s = out.read(sid)
        assert s["mask"].shape == s["image"].shape[:2] and s["mask"].dtype == np.uint8
        assert set(np.unique(s["mask"]).tolist()) <= {0, 1, 2, 3}
        # the red object's label sits on red pixels
        xs, ys = _red_pixels(s["image"])
        assert (s["mask"][ys, xs] == 1).mean() > 0.9


def test_image_without_objects_round_trips(tmp_path):
    src = make_yolo(str(tmp_path / "in"), 2)
    os.remove(os.path.join(src, "labels", "img_001.txt"))  # YOLO: no label file, no objects
    pipe = A.Compose([A.Affine(rotate=(-10, 10), p=1.0)])
    summary = run_job(AugmentJob(input=src, format="yolo", output=str(tmp_path / "out"), pipeline=pipe,
                                 include_originals=True))
    assert summary.written == 4 and not summary.errors
    assert (tmp_path / "out" / "labels" / "img_001.txt").read_text() == ""
    assert (tmp_path / "out" / "labels" / "img_001__aug1.txt").read_text() == ""
