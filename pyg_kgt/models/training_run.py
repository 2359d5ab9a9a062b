"""The one path every model trains through: device, fit, time."""
from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Callable, Dict, List, Optional, Sequence

from pyg_kgt.environment import resolve_device
from pyg_kgt.models.link_predictor import ExtraLoss, LinkPredictor
from pyg_kgt.nn.conv import RelationalAdjacency
from pyg_kgt.training.config import TrainingConfig
from pyg_kgt.training.fit import fit
from pyg_kgt.training.neighbor_sampler import RelationalNeighborSampler
from pyg_kgt.training.triple_group import TripleGroup

#: ``validate(model, adjacency)`` -> the metric early stopping maximises.
Validate = Callable[[LinkPredictor, RelationalAdjacency], float]


@dataclass
class TrainingRun:
    r"""What :func:`train_link_predictor` leaves.

    Attributes:
        adjacency (RelationalAdjacency): The graph, on the training device.
        history ([dict]): One record per epoch (see
            :func:`~pyg_kgt.training.fit`).
        seconds (float): Wall time of the fit.
    """
    adjacency: RelationalAdjacency
    history: List[Dict[str, float]]
    seconds: float


def train_link_predictor(model: LinkPredictor,
                         adjacency: RelationalAdjacency,
                         groups: Sequence[TripleGroup],
                         training: TrainingConfig,
                         validate: Optional[Validate] = None,
                         extra_loss: Optional[ExtraLoss] = None,
                         checkpoint_dir: Optional[str] = None,
                         resume: bool = False,
                         sampler: Optional[RelationalNeighborSampler] = None,
                         on_epoch: Optional[Callable[[Dict[str, float]],
                                                     None]] = None,
                         on_stop: Optional[Callable[[], bool]] = None
                         ) -> TrainingRun:
    r"""Trains a built ``model`` the way the teacher, the student and the
    single-KG baseline all do: model and graph moved to
    ``training.device``, :func:`~pyg_kgt.training.fit` with ``extra_loss``
    added at every step, ``validate`` called on the device's graph and
    ``on_epoch`` with each epoch's record (e.g. a tracker) and
    ``on_stop`` when early stopping would stop (see
    :func:`~pyg_kgt.training.fit`), timed."""
    device = resolve_device(training.device)
    model.to(device)
    adjacency = adjacency.to(device)
    began = time.perf_counter()
    history = fit(model, adjacency, groups, training,
                  (lambda m: validate(m, adjacency))
                  if validate is not None else None,
                  checkpoint_dir=checkpoint_dir, resume=resume,
                  sampler=sampler, extra_loss=extra_loss,
                  on_epoch=on_epoch, on_stop=on_stop)
    return TrainingRun(adjacency, history, time.perf_counter() - began)
