"""Training configuration."""
from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Optional

from pyg_kgt.config_dict import DictConfig, check_choice
from pyg_kgt.errors import ConfigError
from pyg_kgt.evaluation.link_prediction import PROTOCOLS

if TYPE_CHECKING:
    import torch

LOSSES = ('1-n', 'negative-sampling')
TRACKERS = ('tensorboard',)
PRECISIONS = ('fp32', 'bf16', 'auto')
LR_SCHEDULES = ('constant', 'cosine')


@dataclass
class TrainingConfig(DictConfig):
    r"""Hyper-parameters of one fit loop.

    Args:
        epochs (int): Maximum epochs. (default: 100)
        batch_size (int): Training triples per step. (default: 1024)
        lr (float): Learning rate (the peak, under a schedule).
            (default: 0.005)
        optimizer (str): The optimiser by name, any of
            :mod:`torch.optim` (``"adam"``, ``"adamw"``, ``"sgd"``, ...;
            PyG's ``optimizer_resolver``), with ``lr`` and
            ``weight_decay``; its state goes in every checkpoint.
            (default: ``"adam"``)
        lr_schedule (str): ``"constant"``, or ``"cosine"``: epoch
            :math:`e` of :math:`E` trains at :math:`\eta_e = \tfrac{\eta}{2}
            \big(1 + \cos\tfrac{\pi (e - 1)}{E}\big)`, from ``lr`` down
            towards 0, so a short budget ends on small steps instead of
            stopping mid-descent (:func:`build_scheduler`: torch's
            ``CosineAnnealingLR``, checkpointed, so a resumed run follows
            it exactly).
            (default: ``"constant"``)
        weight_decay (float): Adam weight decay. (default: 0.0)
        loss (str): ``"1-n"`` (cross-entropy over all candidates, both
            directions) or ``"negative-sampling"`` (self-adversarial).
            (default: ``"1-n"``)
        label_smoothing (float): For ``"1-n"``. (default: 0.1)
        num_candidates (int, optional): For ``"1-n"``: score each true
            answer against this many uniformly sampled candidates (a
            sampled softmax, see
            :meth:`~pyg_kgt.models.LinkPredictor.one_to_n_loss`) instead
            of all of them; a step then costs :math:`B K` scores instead
            of :math:`B N`. :obj:`None`: all. (default: :obj:`None`)
        num_negatives (int): For ``"negative-sampling"``. (default: 32)
        margin (float): For ``"negative-sampling"``. (default: 9.0)
        adversarial_temperature (float): For ``"negative-sampling"``.
            (default: 1.0)
        eval_every (int): Epochs between validations. (default: 5)
        val_protocol (str): The protocol of the validation MRR that early
            stopping (and ``pyg-kgt tune``) maximises: ``"filtered"``,
            ``"lifted"`` or ``"lifted_trainval"``
            (:data:`~pyg_kgt.evaluation.PROTOCOLS`). (default:
            ``"filtered"``)
        patience (int): Validations without improvement before stopping.
            (default: 3)
        eval_batch_size (int): Queries per evaluation batch. (default: 512)
        checkpoint_every (int): Epochs between checkpoints; 0 disables.
            (default: 0)
        seed (int): Seed. (default: 0)
        progress (bool): Show progress bars. (default: :obj:`False`)
        distributed_timeout_s (float): Under torchrun, seconds a rank waits
            for its peers before failing with a clear error. (default: 300)
        num_threads (int, optional): CPU threads of the process, which an
            application sets at its start (:mod:`pyg_kgt.runtime`; the CLI
            does, the library's fit never). :obj:`None`:
            ``OMP_NUM_THREADS`` when it is set, else the cores other
            processes leave free, measured again every epoch
            (:class:`~pyg_kgt.runtime.FreeCores`): all of them on an idle
            machine, fewer beside other CPU-bound jobs, so that no thread
            waits for a descheduled one. (default: :obj:`None`)
        reuse_memory (bool): Keep freed large CPU buffers in the process
            for the next step instead of returning them to the operating
            system (:func:`~pyg_kgt.runtime.reuse_freed_memory`; applied
            by the application like ``num_threads``); resident memory
            then stays near its peak. (default: :obj:`True`)
        device (str): Where training (and evaluation) runs: ``"auto"``
            (CUDA when available, else CPU), ``"cpu"``, ``"cuda"`` or
            ``"cuda:N"`` (:func:`~pyg_kgt.environment.resolve_device`).
            (default: ``"auto"``)
        precision (str): ``"fp32"``, or ``"bf16"``: the step's forward
            runs under :func:`torch.autocast` with bfloat16 (parameters,
            gradients, the optimiser and the loss stay float32), or
            ``"auto"``: bf16 where the device multiplies bfloat16 natively
            (:func:`~pyg_kgt.environment.native_bf16`: AVX-512 BF16 or AMX
            CPUs, GPUs with it), fp32 elsewhere, where bf16 is emulated
            and slower. (default: ``"fp32"``)
        deterministic (bool): Bit-identical runs and resumes:
            deterministic algorithms
            (:func:`torch.use_deterministic_algorithms`),
            a fixed thread count (``num_threads``, else
            ``OMP_NUM_THREADS``, else all cores: the free-core policy is
            off) and the same memory layout after a resume. Slower on
            GPUs (deterministic reductions). (default: :obj:`False`)
        profile (bool): Run every epoch under :mod:`torch.profiler` and
            record the seconds of each phase of the step (encoder, task
            loss, each distillation level, backward, optimiser,
            validation; :mod:`pyg_kgt.training.phases`) in the epoch's
            record (``phases``) and the run folder's ``phases.tsv``. The
            profiler slows the epoch down; for finding where time goes,
            not for timing runs. (default: :obj:`False`)
        tracker (str, optional): Where the commands also log every epoch
            live: ``"tensorboard"`` (``torch.utils.tensorboard``, into the
            run folder's ``tensorboard/``; needs the ``tensorboard``
            package, ``pip install pyg_kgt[tensorboard]``). (default:
            :obj:`None`, ``metrics.tsv`` and the PNG only)
    """

    epochs: int = 100
    batch_size: int = 1024
    lr: float = 0.005
    optimizer: str = 'adam'
    lr_schedule: str = 'constant'
    weight_decay: float = 0.0
    loss: str = '1-n'
    label_smoothing: float = 0.1
    num_candidates: Optional[int] = None
    num_negatives: int = 32
    margin: float = 9.0
    adversarial_temperature: float = 1.0
    eval_every: int = 5
    val_protocol: str = 'filtered'
    patience: int = 3
    eval_batch_size: int = 512
    checkpoint_every: int = 0
    seed: int = 0
    progress: bool = False
    distributed_timeout_s: float = 300.0
    num_threads: Optional[int] = None
    reuse_memory: bool = True
    device: str = 'auto'
    precision: str = 'fp32'
    deterministic: bool = False
    profile: bool = False
    tracker: Optional[str] = None

    def __post_init__(self) -> None:
        if self.tracker is not None:
            check_choice('tracker', self.tracker, TRACKERS)
        check_choice('precision', self.precision, PRECISIONS)
        if not (self.device in ('auto', 'cpu', 'cuda') or
                self.device.startswith('cuda:')):
            raise ConfigError(f"device: unknown value '{self.device}' (use "
                              f"auto, cpu, cuda or cuda:N)")
        if self.num_threads is not None and self.num_threads < 1:
            raise ConfigError(f'num_threads: must be >= 1, got '
                              f'{self.num_threads}')
        check_choice('lr_schedule', self.lr_schedule, LR_SCHEDULES)
        check_choice('val_protocol', self.val_protocol, tuple(PROTOCOLS))
        check_optimizer(self.optimizer)
        check_choice('loss', self.loss, LOSSES)
        for name in ('epochs', 'batch_size', 'eval_every', 'patience',
                     'eval_batch_size', 'num_negatives'):
            if getattr(self, name) < 1:
                raise ConfigError(f'{name}: must be >= 1, got '
                                  f'{getattr(self, name)}')
        if self.num_candidates is not None and self.num_candidates < 1:
            raise ConfigError(f'num_candidates: must be >= 1, got '
                              f'{self.num_candidates}')
        if self.distributed_timeout_s <= 0:
            raise ConfigError(f'distributed_timeout_s: must be > 0, got '
                              f'{self.distributed_timeout_s}')
        if self.lr <= 0:
            raise ConfigError(f'lr: must be > 0, got {self.lr}')


def build_scheduler(training: 'TrainingConfig', optimizer
                    ) -> 'torch.optim.lr_scheduler.LRScheduler':
    r"""The torch scheduler of ``training.lr_schedule`` over
    ``optimizer``, stepped once per epoch: ``"cosine"`` is
    :class:`~torch.optim.lr_scheduler.CosineAnnealingLR` over
    ``training.epochs`` (epoch :math:`e` trains at :math:`\tfrac{\eta}{2}
    \big(1 + \cos\tfrac{\pi (e - 1)}{E}\big)`), ``"constant"`` keeps
    ``lr``. Its state goes in every checkpoint."""
    from torch.optim import lr_scheduler
    if training.lr_schedule == 'cosine':
        return lr_scheduler.CosineAnnealingLR(optimizer,
                                              T_max=training.epochs)
    return lr_scheduler.ConstantLR(optimizer, factor=1.0, total_iters=0)


def build_optimizer(training: 'TrainingConfig', parameters
                    ) -> 'torch.optim.Optimizer':
    r"""``training.optimizer`` over ``parameters`` with its ``lr`` and
    ``weight_decay`` (PyG's ``optimizer_resolver``)."""
    from torch_geometric.nn.resolver import optimizer_resolver
    return optimizer_resolver(training.optimizer, parameters,
                              lr=training.lr,
                              weight_decay=training.weight_decay)


def check_optimizer(name: str) -> None:
    r"""Raises :class:`~pyg_kgt.errors.ConfigError` naming the key when no
    :mod:`torch.optim` optimiser is called ``name``."""
    import torch
    from torch_geometric.nn.resolver import optimizer_resolver
    try:
        optimizer_resolver(name, [torch.zeros(1, requires_grad=True)])
    except ValueError as e:
        raise ConfigError(f'optimizer: {e}') from None
