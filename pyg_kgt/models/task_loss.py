"""The link-prediction loss a model is built with."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

from pyg_kgt.config_dict import DictConfig, check_choice
from pyg_kgt.errors import ConfigError
from pyg_kgt.training.config import LOSSES, TrainingConfig


@dataclass(frozen=True)
class TaskLoss(DictConfig):
    r"""The task loss of a :class:`~pyg_kgt.models.LinkPredictor`, given to
    it at construction (PyKEEN's ``Model(loss=...)``), so the model owns
    its loss and the fit loop never reads it.

    * ``"1-n"``: cross-entropy of the true tail among every candidate tail
      and of the true head among every candidate head
      (:class:`~pyg_kgt.nn.OneToNCrossEntropyLoss`, with
      ``label_smoothing``), or a sampled softmax over ``num_candidates``
      of them (:meth:`~pyg_kgt.models.LinkPredictor.one_to_n_loss`);
    * ``"negative-sampling"``: self-adversarial negative sampling
      (:class:`~pyg_kgt.nn.SelfAdversarialNegativeSamplingLoss`) against
      ``num_negatives`` corruptions per triple, with ``margin`` and
      ``adversarial_temperature``.

    Args:
        kind (str): ``"1-n"`` or ``"negative-sampling"``.
            (default: ``"1-n"``)
        label_smoothing (float): 1-N label smoothing. (default: 0.1)
        num_candidates (int, optional): Sampled 1-N candidates (default:
            all).
        num_negatives (int): Negatives per triple. (default: 32)
        margin (float): Negative sampling margin. (default: 9.0)
        adversarial_temperature (float): Self-adversarial temperature.
            (default: 1.0)
    """
    kind: str = '1-n'
    label_smoothing: float = 0.1
    num_candidates: Optional[int] = None
    num_negatives: int = 32
    margin: float = 9.0
    adversarial_temperature: float = 1.0

    def __post_init__(self) -> None:
        check_choice('loss', self.kind, LOSSES)

    @classmethod
    def from_training(cls, training: TrainingConfig) -> 'TaskLoss':
        r"""The loss that ``training``'s keys (``loss``,
        ``label_smoothing``, ...; where the YAML config keeps them) name."""
        return cls(training.loss, training.label_smoothing,
                   training.num_candidates, training.num_negatives,
                   training.margin, training.adversarial_temperature)


def check_loss(model, loss: TaskLoss) -> None:
    r"""Raises :class:`~pyg_kgt.errors.ConfigError` when the training keys
    name another ``loss`` than the one ``model`` was built with (a model
    built at construction is trained in place, with its own loss)."""
    if model.loss != loss:
        raise ConfigError(
            f'training: the model was built with {model.loss}, the training '
            f'settings name {loss}; build it with that loss (loss=...) or '
            f'train with its settings')
