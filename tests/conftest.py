"""Hypothesis profiles: the default keeps CI fast; HYPOTHESIS_PROFILE=thorough searches harder."""

import os

from hypothesis import settings

# Albumentations (reference tests) asks PyPI for a newer version at import: not in tests.
os.environ.setdefault("NO_ALBUMENTATIONS_UPDATE", "1")

# derandomized: CI runs the same examples every time (no flaky failures); the thorough
# profile explores new ones
settings.register_profile("default", deadline=None, derandomize=True)
settings.register_profile("thorough", deadline=None, max_examples=1000)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "default"))

# maintenance scripts that need Albumentations; not part of the suite
collect_ignore = ["data/make_albumentations_signatures.py", "data/make_alb_configs.py"]
