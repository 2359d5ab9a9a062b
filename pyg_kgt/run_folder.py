"""One folder per run: config, results, per-epoch metrics, artefacts."""
from __future__ import annotations

import datetime
import os
from typing import Any, Dict, List, Optional, Tuple

from pyg_kgt.environment import hardware, peak_rss_mb, versions
from pyg_kgt.errors import ConfigError
from pyg_kgt.io import (atomic_write, atomic_write_json, atomic_write_tsv,
                        read_json)
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
        r"""``metrics.tsv``, ``training_curves.png`` and, for a profiled
        run (``training.profile``), ``phases.tsv`` (epoch, phase,
        seconds)."""
        keys = ['epoch', 'loss', 'val_mrr', 'seconds']
        atomic_write_tsv(([h.get(k, '') for k in keys] for h in history),
                         self.file('metrics.tsv'), header=keys)
        if any('phases' in h for h in history):
            atomic_write_tsv(
                ([h['epoch'], name, f'{seconds:.4f}'] for h in history
                 for name, seconds in h.get('phases', {}).items()),
                self.file('phases.tsv'), header=['epoch', 'phase',
                                                  'seconds'])
        if history:
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


# What a saved folder is, by the file that marks it.
_MARKERS = {'model': ('model.json', 'TrainedModel'),
            'teacher': ('config.json', 'JointTeacher')}
_WHAT = {'model': 'a trained target model (model/ of a fit or retrain run)',
         'teacher': 'a saved teacher (teacher/ of a pretrain run)'}


def _kind(folder: str) -> Optional[str]:
    for kind, (marker, cls) in _MARKERS.items():
        path = os.path.join(folder, marker)
        if os.path.isfile(path):
            try:
                meta = read_json(path)
            except ValueError:
                return None
            if isinstance(meta, dict) and meta.get('class') == cls:
                return kind
    return None


def find_saved(path: str, *kinds: str) -> Tuple[str, str]:
    r"""The folder of a saved artefact of one of ``kinds`` (``"model"``,
    ``"teacher"``) at ``path``: the artefact folder itself or a run folder
    holding it (``model/``, ``teacher/``). Returns ``(folder, kind)``.

    Raises:
        ConfigError: Saying what ``path`` is instead (missing, another kind
            of artefact, a run folder without one, or none of these).
    """
    if not os.path.exists(path):
        raise ConfigError(f'{path}: no such folder')
    for kind in kinds:
        for folder in (path, os.path.join(path, kind)):
            if _kind(folder) == kind:
                return folder, kind
    wanted = ' or '.join(_WHAT[k] for k in kinds)
    for kind in _MARKERS:
        for folder in (path, os.path.join(path, kind)):
            if _kind(folder) == kind:
                raise ConfigError(f'{path}: {_WHAT[kind]}, not {wanted}')
    if os.path.isfile(os.path.join(path, 'config.yaml')):
        raise ConfigError(f'{path}: a run folder without {wanted} (did the '
                          f'run finish?)')
    raise ConfigError(f'{path}: not {wanted}, nor a run folder holding one')


def run_config_of(path: str) -> Optional[str]:
    r"""The ``config.yaml`` of the run that saved the artefact at ``path``
    (a run folder, or its ``model/`` or ``teacher/``), if there is one."""
    for folder in (path, os.path.dirname(os.path.abspath(path))):
        candidate = os.path.join(folder, 'config.yaml')
        if os.path.isfile(candidate):
            return candidate
    return None
