"""The README's main job on the embedded default dataset."""
from __future__ import annotations

import json

from pyg_kgt.data.synthetic import make_synthetic_multi_source_kg


def run_demo(seed: int = 0, quiet: bool = False) -> dict:
    r"""Generates the embedded default multi-source KG and prints its
    statistics (the training pipeline lands with the LocalStudent work)."""
    kg = make_synthetic_multi_source_kg(seed=seed)
    stats = kg.statistics()
    if not quiet:
        print(repr(kg))
        print(json.dumps(stats, indent=2))
    return stats
