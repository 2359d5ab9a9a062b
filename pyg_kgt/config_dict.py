"""Dict round trip shared by the configuration dataclasses."""
from __future__ import annotations

from dataclasses import asdict, fields
from typing import Any, Dict

from pyg_kgt.errors import ConfigError


class DictConfig:
    r"""Mixin for a dataclass: ``to_dict`` and a ``from_dict`` that names
    unknown keys (``section`` says which part of a config it is)."""
    section = 'config'

    def to_dict(self) -> Dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, values: Dict[str, Any]):
        known = {f.name for f in fields(cls)}
        unknown = sorted(set(values) - known)
        if unknown:
            raise ConfigError(f'unknown {cls.section} key(s) {unknown}')
        return cls(**values)
