r"""Where an epoch's time goes: named phases of the step, measured with
:mod:`torch.profiler` (``training.profile``).

The library marks its phases with :func:`phase` (a
:class:`torch.profiler.record_function` range named ``pyg_kgt::<name>``,
free when no profiler runs): the fit loop ``backward``, ``optimizer`` and
``validation``; the link predictor ``encoder``, ``task_loss`` and
``extra_loss``; the student each distillation level, ``kd_feature``,
``kd_network`` and ``kd_prediction`` (inside ``extra_loss``). Forward
phases are split; the backward pass is one phase (autograd runs it as a
whole). With ``training.profile: true`` each epoch runs under the profiler
and its record gets ``phases``: seconds per phase (CPU wall time of the
range; on a GPU, the host side of it) and ``other`` (data, bookkeeping and
profiler overhead); the run folder writes them to ``phases.tsv``.
"""
from __future__ import annotations

from contextlib import contextmanager
from typing import Dict, Iterator

import torch

PREFIX = 'pyg_kgt::'
#: The phases that do not nest in one another (``kd_*`` are inside
#: ``extra_loss``), whose sum leaves ``other``.
TOP_LEVEL = ('encoder', 'task_loss', 'extra_loss', 'backward', 'optimizer',
             'validation')


@contextmanager
def phase(name: str) -> Iterator[None]:
    r"""Marks the code inside as phase ``name`` for the profiler."""
    with torch.profiler.record_function(PREFIX + name):
        yield


def profiler() -> 'torch.profiler.profile':
    r"""A CPU profiler (and CUDA where available) for one epoch."""
    activities = [torch.profiler.ProfilerActivity.CPU]
    if torch.cuda.is_available():
        activities.append(torch.profiler.ProfilerActivity.CUDA)
    return torch.profiler.profile(activities=activities)


def phase_seconds(profile: 'torch.profiler.profile',
                  total_s: float) -> Dict[str, float]:
    r"""Seconds per phase of a finished ``profile`` of an epoch that took
    ``total_s``, with ``other`` = ``total_s`` minus the top-level phases."""
    seconds: Dict[str, float] = {}
    for event in profile.events():
        if event.name.startswith(PREFIX):
            name = event.name[len(PREFIX):]
            seconds[name] = seconds.get(name, 0.0) + \
                event.cpu_time_total / 1e6
    seconds['other'] = max(0.0, total_s - sum(
        seconds.get(name, 0.0) for name in TOP_LEVEL))
    return dict(sorted(seconds.items()))
