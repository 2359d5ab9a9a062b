"""The benchmarks' training budgets, in one place: every step imports them
from here (the orchestrator, ``run.py``, passes them on as flags)."""
from __future__ import annotations

import dataclasses


@dataclasses.dataclass
class Budget:
    r"""Training budgets of one run of the suite (full or quick).

    The student budget (shared by every one of our methods and targets):
    width 200, the teacher's, so the warm start copies the teacher as it
    is, and lr 0.005, which fine-tunes that start instead of overwriting
    it: on ``el`` validation MRR (seed 0, warm start) width 100 at lr 0.02
    gave 38.86, width 200 at lr 0.02 41.87 and at lr 0.005 44.09
    (docs/benchmarks.rst, "Towards joint quality"). The cold-start budget
    before it (width 100, lr 0.02, chosen on ``ja`` among budgets within
    1/5 of joint training) and the one before that (100 epochs at batch
    1024, lr 0.005) stay in the JSON under their configs.
    """
    teacher_dim: int = 200
    teacher_epochs: int = 20
    teacher_batch_size: int = 4096
    teacher_lr: float = 0.01
    student_dim: int = 200
    student_epochs: int = 50
    student_batch_size: int = 4096
    student_lr: float = 0.005
    student_lr_schedule: str = 'constant'
    peer_dim: int = 128
    peer_epochs: int = 100
    peer_batch_size: int = 512
    quick: bool = False


QUICK = Budget(teacher_dim=32, teacher_epochs=2, student_dim=32,
               student_epochs=4, peer_dim=32, peer_epochs=3, quick=True)
