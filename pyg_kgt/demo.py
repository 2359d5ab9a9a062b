"""The README's main job on the embedded default dataset."""
from __future__ import annotations

import time
from typing import Any, Dict, Optional

from pyg_kgt.data.synthetic import make_synthetic_multi_source_kg
from pyg_kgt.models.teacher.joint_teacher import JointTeacherConfig
from pyg_kgt.models.student.local_student_config import LocalStudentConfig
from pyg_kgt.models.model_config import ModelConfig
from pyg_kgt.pipeline import pretrain_teacher, run_transfer
from pyg_kgt.training.config import TrainingConfig

SOURCES = ('source1', 'source2', 'source3')
TARGET = 'target'
TEACHER = JointTeacherConfig(model=ModelConfig(hidden_channels=64,
                                               dropout=0.0))
# Same width as the teacher (no projection needed); the student is smaller
# in graph: only the target and its linked neighbourhood.
STUDENT = LocalStudentConfig(model=ModelConfig(hidden_channels=64,
                                               dropout=0.0))


def demo_training(seed: int = 0, progress: bool = False,
                  device: str = 'auto') -> TrainingConfig:
    r"""The teacher's budget on the embedded default."""
    return TrainingConfig(epochs=60, batch_size=512, lr=0.01, eval_every=5,
                          patience=3, seed=seed, progress=progress,
                          device=device)


def student_training(seed: int = 0, progress: bool = False,
                     device: str = 'auto') -> TrainingConfig:
    r"""The students' budget: validation MRR is flat for the first tens of
    epochs while distillation takes hold, hence the longer patience."""
    return TrainingConfig(epochs=200, batch_size=512, lr=0.01, eval_every=5,
                          patience=8, seed=seed, progress=progress,
                          device=device)


def run_demo(seed: int = 0, quiet: bool = False,
             run_dir: Optional[str] = None,
             device: str = 'auto') -> Dict[str, Any]:
    r"""Pre-trains a teacher on the embedded default's three sources, cuts
    the target's linked subgraph, re-trains a student with all three
    distillation levels, and prints it against its no-teacher twins and
    the joint model trained on the sources and the target together.
    ``quiet`` turns progress bars off (the table is always printed). With
    ``run_dir``, writes a run folder there: ``config.yaml``,
    ``results.json`` (every method), the teacher and the student's
    ``model/`` (for ``evaluate``, ``predict`` and ``export``). Trains on
    ``device`` (``training.device``)."""
    began = time.perf_counter()
    say = print
    kg = make_synthetic_multi_source_kg(seed=seed)
    say(f'Embedded default: {kg!r}')
    training = demo_training(seed, not quiet, device)
    say(f'Pre-training the teacher on {list(SOURCES)} ...')
    teacher = pretrain_teacher(kg, SOURCES, TEACHER, training)
    say(f'  {teacher.train_seconds:.1f} s')
    say(f"Re-training students on '{TARGET}' ...")
    results = run_transfer(kg, TARGET, teacher, STUDENT,
                           student_training(seed, not quiet, device))
    say(f"Joint training from scratch on {list(SOURCES) + [TARGET]} (what "
        f're-training replaces) ...')
    results['joint_from_scratch'] = joint_from_scratch(kg, training)
    rows = [('method', 'MRR', 'H@1', 'H@10', 'MRR (lifted)', 'train s')]
    for method, result in results.items():
        filtered = result['test']['filtered']['metrics']
        lifted = result['test']['lifted']['metrics']
        rows.append((method, f"{filtered['mrr']:.3f}",
                     f"{filtered['hits1']:.3f}", f"{filtered['hits10']:.3f}",
                     f"{lifted['mrr']:.3f}", f"{result['train_s']:.1f}"))
    teacher_scores = teacher.evaluate(kg.subset(SOURCES))
    mrr = sum(r['filtered']['metrics']['mrr'] for r in
              teacher_scores.values()) / len(teacher_scores)
    rows.append(('teacher (its sources, mean)', f'{mrr:.3f}', '', '', '',
                 f'{teacher.train_seconds:.1f}'))
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    say(f"\nTarget '{TARGET}' test (filtered = both sides, train+val+test "
        f'filtered; lifted = tails, train filtered):')
    for i, row in enumerate(rows):
        say('  '.join(v.ljust(w) for v, w in zip(row, widths)))
        if i == 0:
            say('  '.join('-' * w for w in widths))
    if run_dir is not None:
        _write_run(run_dir, seed, teacher, results,
                   time.perf_counter() - began)
        say(f'\nstudent model saved in {run_dir}/model')
        say(f'run folder: {run_dir}')
    say(f'\nTotal {time.perf_counter() - began:.0f} s.')
    return {'results': results, 'teacher': teacher}


def joint_from_scratch(kg, training: TrainingConfig) -> Dict[str, Any]:
    r"""The baseline the student must match: the teacher's configuration
    trained on the sources and the target together, scored on the
    target."""
    names = list(SOURCES) + [TARGET]
    joint = pretrain_teacher(kg, names, TEACHER, training)
    return {'test': joint.evaluate(kg.subset(names), names=[TARGET])[TARGET],
            'train_s': joint.train_seconds}


def _write_run(run_dir: str, seed: int, teacher, results: Dict[str, Any],
               wall_s: float) -> None:
    from pyg_kgt.run_config import DataConfig, RunConfig
    from pyg_kgt.run_folder import RunFolder
    folder = RunFolder(run_dir)
    folder.write_config(RunConfig(
        data=DataConfig(target=TARGET, sources=list(SOURCES), seed=seed),
        teacher=TEACHER, student=STUDENT, training=student_training(seed),
        run_dir=run_dir))
    teacher.save(folder.file('teacher'))
    results['student_full_kd']['student'].trained_model(
        {'seed': seed, 'kind': 'local_student'}).save(folder.file('model'))
    folder.write_results('demo', {
        method: result['test'] for method, result in results.items()},
        seed, wall_s)
