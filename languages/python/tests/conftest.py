"""Puts the generated SDK and the raw-binding stubs on the path.

The stubs are what `componentize-py bindings` writes (languages/python/check generates them
with the build's flags): their dataclasses (variants, records) are real, their resource methods
raise NotImplementedError, so these tests cover everything that needs no component.
"""

from __future__ import annotations

import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[2]
STUBS = ROOT / ".courier" / "toolchains" / "python" / "bindings"

if not (STUBS / "wit_world").is_dir():
    raise RuntimeError(f"no binding stubs at {STUBS}: run languages/python/check (it makes them)")
for p in (STUBS, HERE.parent / "sdk"):
    if str(p) not in sys.path:
        sys.path.insert(0, str(p))
