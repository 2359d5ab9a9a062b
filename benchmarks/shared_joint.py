"""One joint-from-scratch model per seed, shared by every target.

On DBP-5L the joint baseline of every target trains on the same KGs (the
target plus the other four), so one model per seed serves all five
targets: the first target trains and saves it, the others load it and only
evaluate. Its KGs are kept in the dataset's order, whatever the target, and
the saved run records its training seconds, epochs and peak RSS, which
every target's records then report.
"""
from __future__ import annotations

import os
from typing import Optional, Sequence, Tuple

from pyg_kgt.environment import peak_rss_mb
from pyg_kgt.runtime import reset_peak_rss
from pyg_kgt.io import atomic_write_json, read_json
from pyg_kgt.models import JointTeacher, JointTeacherConfig
from pyg_kgt.training import TrainingConfig

RUN_FILE = 'joint_run.json'


def run_key(kg, names: Sequence[str], config: JointTeacherConfig,
            training: TrainingConfig) -> dict:
    r"""What makes two joint runs the same: KGs (in order), their seed
    alignment (pairs per split, so JMAC's split and every seed pair are
    two runs), model and training configuration (without the
    progress-bar switch)."""
    training = {k: v for k, v in training.to_dict().items()
                if k != 'progress'}
    return {'kgs': list(names),
            'alignments': kg.subset(list(names)).statistics()['alignments'],
            'model': config.to_dict(), 'training': training}


def train_or_load_joint(kg, names: Sequence[str], config: JointTeacherConfig,
                        training: TrainingConfig,
                        folder: Optional[str] = None
                        ) -> Tuple[JointTeacher, dict]:
    r"""The joint model over ``kg.subset(names)``, loaded from
    ``folder/seed<seed>`` when a run with the same :func:`run_key` was saved
    there, otherwise trained and saved (atomically) for the next target;
    without ``folder`` it is trained and not saved.

    Returns:
        The model and its run: ``train_seconds``, ``epochs``,
        ``peak_rss_mb`` and ``key``.
    """
    key = run_key(kg, names, config, training)
    path = os.path.join(folder or '', f'seed{training.seed}')
    run_file = os.path.join(path, RUN_FILE)
    if folder and os.path.exists(run_file) and \
            read_json(run_file)['key'] == key:
        return JointTeacher.load(path), read_json(run_file)
    reset_peak_rss()
    joint = JointTeacher(config)
    history = joint.fit(kg.subset(list(names)), training)
    run = {'key': key, 'train_seconds': joint.train_seconds,
           'epochs': len(history), 'peak_rss_mb': peak_rss_mb()}
    if folder:
        joint.save(path)
        atomic_write_json(run, run_file)  # last: marks the model complete
    return joint, run
