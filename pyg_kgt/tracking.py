"""Live logging of a run's epochs where people already look."""
from __future__ import annotations

from typing import Dict, Optional

from pyg_kgt.errors import ConfigError


class TensorBoardTracker:
    r"""Writes each epoch's record (``loss``, ``val_mrr``, ``seconds``) as
    TensorBoard scalars under ``tag/<name>`` into ``log_dir``, so a run can
    be watched live (``tensorboard --logdir RUN``); an ``on_epoch``
    callback of :func:`~pyg_kgt.training.fit`.

    Args:
        log_dir (str): The event files' folder.
        tag (str): Prefix of every scalar, e.g. the command. (default:
            ``"train"``)
    """

    def __init__(self, log_dir: str, tag: str = 'train') -> None:
        try:
            from torch.utils.tensorboard import SummaryWriter
        except ImportError:
            raise ConfigError(
                'training.tracker: tensorboard needs the tensorboard '
                "package: pip install 'pyg_kgt[tensorboard]'") from None
        self.log_dir = log_dir
        self.tag = tag
        self.writer = SummaryWriter(log_dir)

    def __call__(self, record: Dict[str, float]) -> None:
        epoch = int(record['epoch'])
        for name, value in record.items():
            if name == 'phases':  # a profiled epoch: seconds per phase
                self.writer.add_scalars(f'{self.tag}/phases', value, epoch)
            elif name != 'epoch':
                self.writer.add_scalar(f'{self.tag}/{name}', value, epoch)
        self.writer.flush()

    def close(self) -> None:
        self.writer.close()

    def __repr__(self) -> str:
        return f'{self.__class__.__name__}({self.log_dir!r})'


def open_tracker(name: Optional[str], log_dir: str, tag: str = 'train'
                 ) -> Optional[TensorBoardTracker]:
    r"""The tracker ``training.tracker`` names, or :obj:`None`."""
    if name is None:
        return None
    if name == 'tensorboard':
        return TensorBoardTracker(log_dir, tag)
    raise ConfigError(f"training.tracker: unknown value '{name}'")
