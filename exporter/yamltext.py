"""YAML the project ships (styles, catalogues, lexicons), parsed by libyaml when it is there."""

from __future__ import annotations

from typing import Any

import yaml

#: libyaml's parser builds the same values as PyYAML's own ~10 times faster (the catalogues
#: and settings took ~40 ms of a 0.3 s export); the constructor is PyYAML's safe one in both.
_LOADER: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def safe_load(text: str) -> Any:
    """The value of a YAML document, built with safe types only."""
    return yaml.load(text, Loader=_LOADER)
