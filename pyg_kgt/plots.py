"""Plots of runs (matplotlib); the benchmarks' own are in
``benchmarks/plots.py``.

Figures are made with :class:`matplotlib.figure.Figure`, never pyplot, so
drawing a plot changes no global state (no backend switch, no open
figures) in the user's process."""
from __future__ import annotations

import os
from typing import Dict, Sequence


def new_figure(**kwargs):
    r"""A :class:`matplotlib.figure.Figure` (no pyplot state)."""
    from matplotlib.figure import Figure
    return Figure(**kwargs)


def plot_training_curves(history: Sequence[Dict[str, float]], path: str,
                         title: str = 'training') -> str:
    r"""Loss per epoch and validation MRR (when measured) as one PNG."""
    fig = new_figure(figsize=(6, 3.5), dpi=120)
    loss_axis = fig.subplots()
    epochs = [h['epoch'] for h in history]
    loss_axis.plot(epochs, [h['loss'] for h in history], color='tab:blue',
                   label='training loss')
    loss_axis.set_xlabel('epoch')
    loss_axis.set_ylabel('training loss')
    val = [(h['epoch'], h['val_mrr']) for h in history if 'val_mrr' in h]
    handles = loss_axis.get_legend_handles_labels()
    if val:
        mrr_axis = loss_axis.twinx()
        mrr_axis.plot(*zip(*val), marker='o', color='tab:orange',
                      label='validation MRR (filtered)')
        mrr_axis.set_ylabel('validation MRR')
        extra = mrr_axis.get_legend_handles_labels()
        handles = (handles[0] + extra[0], handles[1] + extra[1])
    loss_axis.legend(*handles, loc='center right')
    loss_axis.set_title(title)
    fig.tight_layout()
    save_figure(fig, path)
    return path


def save_figure(fig, path: str) -> None:
    r"""Writes ``fig`` to ``path`` as PNG atomically (a temporary file
    renamed over it)."""
    folder = os.path.dirname(os.path.abspath(path))
    os.makedirs(folder, exist_ok=True)
    tmp = path + '.tmp.png'
    fig.savefig(tmp, bbox_inches='tight')   # keeps outside legends whole
    os.replace(tmp, path)
