"""Regenerate albumentations_signatures.json: every Albumentations transform's parameters
and defaults, which augkit must match (tests/test_harness.py). Run where Albumentations is
installed: ``python tests/data/make_albumentations_signatures.py``."""

import inspect
import json
import warnings
from pathlib import Path

warnings.simplefilter("ignore")
import albumentations as A  # noqa: E402

out = {"__version__": A.__version__}
for name in sorted(dir(A)):
    c = getattr(A, name)
    if not (inspect.isclass(c) and issubclass(c, A.BasicTransform)):
        continue
    sig = inspect.signature(c.__init__)
    out[name] = {k: (repr(v.default) if v.default is not inspect.Parameter.empty else None)
                 for k, v in list(sig.parameters.items())[1:]
                 if v.kind not in (v.VAR_POSITIONAL, v.VAR_KEYWORD)}
path = Path(__file__).with_name("albumentations_signatures.json")
path.write_text(json.dumps(out, indent=1, sort_keys=True) + "\n")
print(f"wrote {path} ({len(out) - 1} transforms)")
