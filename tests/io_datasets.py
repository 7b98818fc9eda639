"""Small generated datasets (drawn shapes with exact annotations) for the io / CLI tests."""

from __future__ import annotations

import json
import os

import cv2
import numpy as np

# object colours: each drawn object has its own pure colour so tests can find it again
RED, GREEN, BLUE = (255, 0, 0), (0, 255, 0), (0, 0, 255)


def _save(path: str, rgb: np.ndarray) -> None:
    os.makedirs(os.path.dirname(path), exist_ok=True)
    ext = os.path.splitext(path)[1]
    bgr = cv2.cvtColor(rgb, cv2.COLOR_RGB2BGR) if rgb.ndim == 3 else rgb
    ok, buf = cv2.imencode(ext, bgr)
    assert ok
    with open(path, "wb") as fh:
        fh.write(buf.tobytes())


def scene(i: int, h: int = 48, w: int = 64):
    """Image ``i``: a red rectangle (box object), a green triangle (polygon object) and a
    blue square (RLE mask object) on gray, at positions that vary with ``i``."""
    rng = np.random.default_rng(i)
    img = np.full((h, w, 3), 128, np.uint8)
    x, y = int(rng.integers(2, w // 2 - 12)), int(rng.integers(2, h // 2 - 10))
    rect = (x, y, x + int(rng.integers(8, 14)), y + int(rng.integers(6, 10)))  # pixel edges
    img[rect[1]:rect[3], rect[0]:rect[2]] = RED
    tx, ty = int(rng.integers(w // 2, w - 18)), int(rng.integers(4, h // 2))
    tri = np.array([[tx, ty], [tx + 16.5, ty + 2.25], [tx + 6.75, ty + 15.5]])
    m = np.zeros((h, w), np.uint8)
    cv2.fillPoly(m, [np.round(tri - 0.5).astype(np.int32)], 1)
    img[m > 0] = GREEN
    sq = np.zeros((h, w), np.uint8)
    sx, sy = int(rng.integers(2, w // 2 - 10)), int(rng.integers(h // 2 + 2, h - 10))
    sq[sy:sy + 7, sx:sx + 9] = 1
    img[sq > 0] = BLUE
    return img, rect, tri, sq


def make_coco(root: str, n: int, ext: str = ".png", compressed_rle: bool = False,
              keypoints: bool = True) -> str:
    images, anns = [], []
    aid = 100
    for i in range(n):
        img, rect, tri, sq = scene(i)
        name = f"sub/img_{i:03d}{ext}" if i % 3 == 0 else f"img_{i:03d}{ext}"
        _save(os.path.join(root, "images", name), img)
        h, w = img.shape[:2]
        images.append({"id": 10 + i, "file_name": name, "width": w, "height": h, "license": 1})
        x1, y1, x2, y2 = rect
        a = {"id": aid, "image_id": 10 + i, "category_id": 1, "bbox": [x1, y1, x2 - x1, y2 - y1],
             "area": (x2 - x1) * (y2 - y1), "iscrowd": 0}
        if keypoints:  # two corners labelled visible, one unlabelled
            a["keypoints"] = [x1 + 0.5, y1 + 0.5, 2, 0, 0, 0, x2 - 0.5, y2 - 0.5, 1]
            a["num_keypoints"] = 2
        anns.append(a)
        tx0, ty0 = tri.min(0)
        tx1, ty1 = tri.max(0)
        anns.append({"id": aid + 1, "image_id": 10 + i, "category_id": 2,
                     "bbox": [float(tx0), float(ty0), float(tx1 - tx0), float(ty1 - ty0)],
                     "segmentation": [tri.reshape(-1).tolist()], "area": 100.25, "iscrowd": 0})
        ys, xs = np.nonzero(sq)
        from augkit.io.coco import rle_encode
        anns.append({"id": aid + 2, "image_id": 10 + i, "category_id": 3,
                     "bbox": [int(xs.min()), int(ys.min()), int(xs.max() - xs.min() + 1),
                              int(ys.max() - ys.min() + 1)],
                     "segmentation": rle_encode(sq, compressed_rle), "area": int(sq.sum()),
                     "iscrowd": 1})
        aid += 3
    data = {"info": {"description": "generated"}, "licenses": [{"id": 1, "name": "CC0"}],
            "images": images, "annotations": anns,
            "categories": [{"id": 1, "name": "rect", "keypoints": ["tl", "mid", "br"],
                            "skeleton": []},
                           {"id": 2, "name": "triangle"}, {"id": 3, "name": "square"}]}
    with open(os.path.join(root, "annotations.json"), "w") as fh:
        json.dump(data, fh)
    return root


def make_yolo(root: str, n: int, pose: bool = False) -> str:
    for i in range(n):
        img, rect, tri, _ = scene(i)
        h, w = img.shape[:2]
        name = f"img_{i:03d}.jpg"
        _save(os.path.join(root, "images", name), img)
        x1, y1, x2, y2 = rect
        box = [(x1 + x2) / 2 / w, (y1 + y2) / 2 / h, (x2 - x1) / w, (y2 - y1) / h]
        lines = []
        if pose:
            kps = [x1 / w, y1 / h, 2, 0, 0, 0, x2 / w, y2 / h, 1]
            lines.append("0 " + " ".join(f"{v:.6f}" for v in box + kps))
        else:
            lines.append("0 " + " ".join(f"{v:.6f}" for v in box))
            lines.append("1 " + " ".join(f"{v:.6f}" for v in (tri / [w, h]).reshape(-1)))
        os.makedirs(os.path.join(root, "labels"), exist_ok=True)
        with open(os.path.join(root, "labels", f"img_{i:03d}.txt"), "w") as fh:
            fh.write("\n".join(lines) + "\n")
    with open(os.path.join(root, "data.yaml"), "w") as fh:
        fh.write("names:\n  0: rect\n  1: triangle\n" + ("kpt_shape: [3, 3]\n" if pose else ""))
    return root


def make_voc(root: str, n: int) -> str:
    for i in range(n):
        img, rect, _, sq = scene(i)
        h, w = img.shape[:2]
        _save(os.path.join(root, "JPEGImages", f"im{i}.jpg"), img)
        ys, xs = np.nonzero(sq)
        objs = ""
        for name, (a, b, c, d) in (("rect", rect), ("square", (xs.min(), ys.min(), xs.max() + 1, ys.max() + 1))):
            objs += (f"<object><name>{name}</name><pose>Unspecified</pose><truncated>0</truncated>"
                     f"<difficult>{i % 2}</difficult><bndbox><xmin>{a + 1}</xmin><ymin>{b + 1}</ymin>"
                     f"<xmax>{c}</xmax><ymax>{d}</ymax></bndbox></object>")
        xml = (f"<annotation><folder>VOC</folder><filename>im{i}.jpg</filename><size><width>{w}</width>"
               f"<height>{h}</height><depth>3</depth></size><segmented>0</segmented>{objs}</annotation>")
        os.makedirs(os.path.join(root, "Annotations"), exist_ok=True)
        with open(os.path.join(root, "Annotations", f"im{i}.xml"), "w") as fh:
            fh.write(xml)
    return root


def make_masks(root: str, n: int) -> str:
    for i in range(n):
        img, rect, tri, sq = scene(i)
        label = np.zeros(img.shape[:2], np.uint8)
        label[(img == RED).all(-1)] = 1
        label[(img == GREEN).all(-1)] = 2
        label[sq > 0] = 3
        _save(os.path.join(root, "images", f"m{i}.png"), img)
        _save(os.path.join(root, "masks", f"m{i}.png"), label)
    return root


def tree_bytes(root: str) -> dict[str, bytes]:
    out = {}
    for dirpath, _d, files in os.walk(root):
        for f in files:
            p = os.path.join(dirpath, f)
            with open(p, "rb") as fh:
                out[os.path.relpath(p, root)] = fh.read()
    return out
