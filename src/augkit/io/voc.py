"""Pascal VOC: one XML file per image.

Layout read and written: ``ROOT/Annotations/<name>.xml`` and the image
``ROOT/JPEGImages/<name>.<ext>`` (the XML's ``<filename>`` if that file exists, else the
first image with the same name). Each ``<object>`` has a ``<name>`` (the label) and a
``<bndbox>`` with VOC's 1-based inclusive pixel indices, read as pixel edges
``x_min = xmin - 1, x_max = xmax``; written back rounded to whole pixels. Every other
element (``pose``, ``truncated``, ``difficult``, ``source`` ...) is written back as it
was; ``<size>`` and ``<filename>`` are updated. Object ``<part>`` boxes (person layout)
are kept on untouched originals and left out of augmented copies (they are not
transformed).

>>> import os, tempfile
>>> import numpy as np
>>> from augkit.io.common import encode_image
>>> root = tempfile.mkdtemp()
>>> os.makedirs(os.path.join(root, "JPEGImages")); os.makedirs(os.path.join(root, "Annotations"))
>>> with open(os.path.join(root, "JPEGImages", "a.png"), "wb") as f:
...     _ = f.write(encode_image(np.zeros((8, 10, 3), np.uint8), ".png"))
>>> xml = ("<annotation><filename>a.png</filename><object><name>cat</name>"
...        "<bndbox><xmin>2</xmin><ymin>3</ymin><xmax>5</xmax><ymax>8</ymax></bndbox>"
...        "</object></annotation>")
>>> with open(os.path.join(root, "Annotations", "a.xml"), "w") as f:
...     _ = f.write(xml)
>>> s = VocDataset(root).read("a")
>>> s["bboxes"].tolist(), s["labels"]
([[1.0, 2.0, 5.0, 8.0]], ['cat'])
"""

from __future__ import annotations

import os
import xml.etree.ElementTree as ET
from typing import Any

import numpy as np

from augkit.io.base import IMAGE_EXTS, DatasetFormat
from augkit.io.common import DatasetError, SampleError, atomic_write, read_image

__all__ = ["VocDataset"]


def _text(el, tag, default=None):
    child = el.find(tag)
    return child.text.strip() if child is not None and child.text is not None else default


class VocDataset(DatasetFormat):
    """A Pascal VOC detection dataset (see the module docstring)."""

    name = "voc"

    def __init__(self, root: str):
        super().__init__(root)
        ann = os.path.join(self.root, "Annotations")
        if not os.path.isdir(ann):
            raise DatasetError(f"{self.root}: no Annotations/ folder (VOC layout: Annotations/, JPEGImages/)")
        self._ids = sorted(f[:-4] for f in os.listdir(ann) if f.endswith(".xml") and not f.startswith("."))

    def xml_path(self, sample_id: str) -> str:
        return os.path.join(self.root, "Annotations", sample_id + ".xml")

    def _image_name(self, sample_id: str, tree) -> str:
        folder = os.path.join(self.root, "JPEGImages")
        name = _text(tree, "filename")
        if name and os.path.isfile(os.path.join(folder, name)):
            return name
        for ext in IMAGE_EXTS + tuple(e.upper() for e in IMAGE_EXTS):
            if os.path.isfile(os.path.join(folder, sample_id + ext)):
                return sample_id + ext
        return name or sample_id + ".jpg"

    def image_path(self, sample_id: str) -> str:
        try:
            tree = ET.parse(self.xml_path(sample_id)).getroot()
        except (OSError, ET.ParseError):
            tree = ET.Element("annotation")
        return os.path.join(self.root, "JPEGImages", self._image_name(sample_id, tree))

    def read(self, sample_id: str) -> dict[str, Any]:
        path = self.xml_path(sample_id)
        try:
            root = ET.parse(path).getroot()
        except ET.ParseError as e:
            raise SampleError(path, f"malformed XML ({e})", e.position[0]) from None
        except OSError as e:
            raise SampleError(path, f"cannot read ({e.strerror or e})") from None
        file_name = self._image_name(sample_id, root)
        image = read_image(os.path.join(self.root, "JPEGImages", file_name))
        boxes, labels, objects = [], [], []
        for k, obj in enumerate(root.findall("object")):
            bb = obj.find("bndbox")
            try:
                xmin, ymin, xmax, ymax = (float(_text(bb, t)) for t in ("xmin", "ymin", "xmax", "ymax"))
            except (TypeError, ValueError, AttributeError):
                raise SampleError(path, f"object {k} ({_text(obj, 'name')!r}) has no valid bndbox") from None
            boxes.append([xmin - 1.0, ymin - 1.0, xmax, ymax])
            labels.append(_text(obj, "name", ""))
            objects.append({"voc_xml": ET.tostring(obj, encoding="unicode")})
        for obj in root.findall("object"):
            root.remove(obj)
        return {"id": sample_id, "file_name": file_name, "image": image,
                "bboxes": np.asarray(boxes, dtype=np.float64).reshape(-1, 4), "labels": labels,
                "objects": objects, "meta": {"voc_xml": ET.tostring(root, encoding="unicode")}}

    def write(self, out_root, sample, rel_path, image_bytes=None, original=False):
        self._write_image(out_root, "JPEGImages", rel_path, sample["image"], image_bytes)
        meta = sample.get("meta") or {}
        root = ET.fromstring(meta["voc_xml"]) if meta.get("voc_xml") else ET.Element("annotation")
        h, w = sample["image"].shape[:2]
        fn = root.find("filename")
        if fn is None:
            fn = ET.SubElement(root, "filename")
        fn.text = os.path.basename(rel_path)
        size = root.find("size")
        if size is None:
            size = ET.SubElement(root, "size")
        depth = 1 if sample["image"].ndim == 2 else sample["image"].shape[2]
        for tag, value in (("width", w), ("height", h), ("depth", depth)):
            el = size.find(tag)
            if el is None:
                el = ET.SubElement(size, tag)
            el.text = str(int(value))
        for box, label, obj in zip(sample["bboxes"], sample["labels"], sample["objects"]):
            el = ET.fromstring(obj["voc_xml"]) if obj.get("voc_xml") else ET.Element("object")
            name = el.find("name")
            if name is None:
                name = ET.SubElement(el, "name")
            name.text = str(label)
            if not original:
                for part in el.findall("part"):
                    el.remove(part)
            bb = el.find("bndbox")
            if bb is None:
                bb = ET.SubElement(el, "bndbox")
            x1, y1, x2, y2 = (int(round(float(v))) for v in box)
            values = (x1 + 1, y1 + 1, max(x2, x1 + 1), max(y2, y1 + 1))
            for tag, value in zip(("xmin", "ymin", "xmax", "ymax"), values):
                t = bb.find(tag)
                if t is None:
                    t = ET.SubElement(bb, tag)
                t.text = str(value)
            root.append(el)
        ET.indent(root)
        data = ET.tostring(root, encoding="unicode") + "\n"
        xml_rel = os.path.splitext(rel_path)[0] + ".xml"
        atomic_write(os.path.join(out_root, "Annotations", *xml_rel.split("/")), data.encode("utf-8"))
        return {}
