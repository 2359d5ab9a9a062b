"""One folder per run: config, results, per-epoch metrics, artefacts."""
from __future__ import annotations

import datetime
import importlib.util
import os
from typing import Any, Dict, List

from pyg_kgt.environment import hardware, peak_rss_mb, versions
from pyg_kgt.io import atomic_write, atomic_write_json, atomic_write_tsv
from pyg_kgt.run_config import RunConfig


class RunFolder:
    r"""Writes a run's files atomically into ``path``:

    * ``config.yaml``: the full :class:`RunConfig`;
    * ``results.json``: metrics (each with its protocol), seed, versions,
      hardware, wall time, peak memory;
    * ``metrics.tsv``: one row per epoch;
    * artefacts (teacher, student, caches) in sub-folders.

    Args:
        path (str): The run folder (created if needed).
    """

    def __init__(self, path: str) -> None:
        self.path = path
        os.makedirs(path, exist_ok=True)

    def file(self, *parts: str) -> str:
        return os.path.join(self.path, *parts)

    def write_config(self, config: RunConfig) -> None:
        atomic_write(self.file('config.yaml'), config.to_yaml())

    def write_history(self, history: List[Dict[str, float]]) -> None:
        r"""``metrics.tsv``, and ``training_curves.png`` when matplotlib
        (the ``plots`` extra) is installed."""
        keys = ['epoch', 'loss', 'val_mrr', 'seconds']
        atomic_write_tsv(([h.get(k, '') for k in keys] for h in history),
                         self.file('metrics.tsv'), header=keys)
        if history and importlib.util.find_spec('matplotlib') is not None:
            from pyg_kgt.plots import plot_training_curves
            plot_training_curves(history, self.file('training_curves.png'),
                                 os.path.basename(self.path.rstrip('/')))

    def write_results(self, command: str, results: Dict[str, Any],
                      seed: int, wall_s: float) -> None:
        atomic_write_json({
            'command': command, 'results': results, 'seed': seed,
            'wall_s': wall_s, 'peak_rss_mb': peak_rss_mb(),
            'versions': versions(), 'hardware': hardware(),
            'timestamp': datetime.datetime.now(datetime.timezone.utc)
            .isoformat(timespec='seconds')}, self.file('results.json'))
