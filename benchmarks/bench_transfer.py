"""LocalStudent vs its no-teacher twins on DBP-5L targets (suite
``dbp5l_transfer``), side by side in one process: same splits, protocols,
student network and training budget for every method; the teacher is
loaded once (``--teacher``, pre-trained without the target) and reused.

    python -m benchmarks.bench_transfer --teacher runs/teacher_no_el \
        --targets el --seeds 0 [--methods single_kg_rgcn linked_no_kd ...]

Writes one record per (target, method, protocol, seed); ``wall_s`` is the
student's re-training time (plus the teacher cache for distilled
methods). ``--joint-from-scratch`` also trains, per seed, one joint model
over the teacher's sources plus the target, in the dataset's KG order, with
the teacher's configuration (method ``joint_from_scratch``, the baseline
whose wall time re-training must undercut); with ``--joint-dir DIR`` the
model is saved there and the next target with the same KGs loads it
instead of training again (see :mod:`benchmarks.shared_joint`). With
``--save-student DIR`` the full-KD student of the first seed is saved per
target as a :class:`~pyg_kgt.models.TrainedModel` (``DIR/<target>``) for
``pyg-kgt predict``. ``--reused`` marks a teacher reused across targets
(criterion 4 of issue 5): its methods are recorded as
``student_reused_teacher`` (full KD) and ``<method>_reused_teacher``.
``--skip-existing`` skips every (target, method, seed) already recorded
with the same configuration, so an interrupted suite resumes; when nothing
is left it exits before loading the teacher, which then need not be saved
(nor for joint training from scratch, which only takes its configuration).
``--pending`` runs nothing and exits 1 when a run is left, 0 otherwise.
"""
from __future__ import annotations

import argparse
import functools
import os
import sys
from typing import Any, Dict, List, Optional, Sequence, Tuple

from benchmarks.bench_teacher import teacher_config
from benchmarks.results import (JOINT_RUN_KEYS,
                                append_records, dbp5l_root,
                                default_data, has_record, make_record,
                                newest_records, peak_rss_mb,
                                student_summary,
                                apply_runtime)
from benchmarks.budget import Budget
from benchmarks.shared_joint import train_or_load_joint
from pyg_kgt.data import read_dbp5l
from pyg_kgt.data.readers.dbp5l import dbp5l_languages
from pyg_kgt.runtime import reset_peak_rss
from pyg_kgt.io import read_json
from pyg_kgt.models import (JointTeacher, JointTeacherConfig,
                            LocalStudentConfig, ModelConfig)
from pyg_kgt.errors import ConfigError
from pyg_kgt.pipeline import METHODS, run_transfer
from pyg_kgt.run_config import RunConfig
from pyg_kgt.training import TrainingConfig

BUDGET = Budget()


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser()
    parser.add_argument('--data', default=default_data())
    parser.add_argument('--teacher', required=True,
                        help='a saved teacher trained without the targets')
    parser.add_argument('--teacher-sources', nargs='+',
                        help='sources of a teacher not saved (yet)')
    parser.add_argument('--teacher-dim', type=int,
                        default=BUDGET.teacher_dim,
                        help='dimension of a teacher not saved (yet)')
    parser.add_argument('--targets', nargs='+', default=['el'])
    parser.add_argument('--alignment-split', default='jmac',
                        choices=['jmac', 'all'],
                        help="jmac: JMAC's 50/50 seed alignment split "
                        '(dataset dbp5l); all: every seed pair trains, the '
                        "field's setting (dataset dbp5l_all)")
    parser.add_argument('--suite', default='dbp5l_transfer',
                        help='records go to <suite>.jsonl (another name '
                        'keeps explorations out of the main table)')
    parser.add_argument('--seeds', nargs='+', type=int, default=[0])
    parser.add_argument('--methods', nargs='*', choices=list(METHODS),
                        default=['single_kg_rgcn', 'linked_no_kd',
                                 'student_full_kd'])
    parser.add_argument('--dim', type=int, default=BUDGET.student_dim)
    parser.add_argument('--epochs', type=int, default=BUDGET.student_epochs)
    parser.add_argument('--batch-size', type=int,
                        default=BUDGET.student_batch_size)
    parser.add_argument('--lr', type=float, default=BUDGET.student_lr)
    parser.add_argument('--lr-schedule', default=BUDGET.student_lr_schedule,
                        choices=['constant', 'cosine'])
    parser.add_argument('--num-candidates', type=int,
                        help='sampled 1-N: candidates per step '
                             '(TrainingConfig.num_candidates; default all)')
    parser.add_argument('--student-set', nargs='+', default=[],
                        metavar='KEY=VALUE',
                        help='LocalStudentConfig overrides for exploring, '
                             'dotted into the model: prediction_weight=3 '
                             'model.num_layers=2')
    parser.add_argument('--num-hops', type=int, default=1)
    parser.add_argument('--max-neighbors', type=int)
    parser.add_argument('--joint-from-scratch', action='store_true')
    parser.add_argument('--joint-epochs', type=int,
                        default=BUDGET.teacher_epochs)
    parser.add_argument('--joint-batch-size', type=int,
                        default=BUDGET.teacher_batch_size)
    parser.add_argument('--joint-lr', type=float, default=BUDGET.teacher_lr)
    parser.add_argument('--joint-dir',
                        help='share joint models across targets here')
    parser.add_argument('--save-student')
    parser.add_argument('--reused', action='store_true',
                        help='record methods as served by a reused teacher')
    parser.add_argument('--skip-existing', action='store_true')
    parser.add_argument('--pending', action='store_true',
                        help='run nothing; exit 1 if a run is not recorded')
    parser.add_argument('--no-write', action='store_true')
    parser.add_argument('--progress', action='store_true')
    return parser


def main(argv: Optional[Sequence[str]] = None) -> None:
    args = build_parser().parse_args(argv)
    root = dbp5l_root(args.data)
    names, config = teacher_spec(args)
    overlap = sorted(set(args.targets) & set(names))
    if overlap:
        sys.exit(f'the teacher was trained on target(s) {overlap}')
    work = plan_runs(args, names, config, dbp5l_languages(root))
    for run in work:
        print(f"to run: {run['target']} seed {run['seed']}: "
              f"{', '.join(run['methods'] + run['joint'])}", flush=True)
    if args.pending or not work:
        sys.exit(int(bool(work)) if args.pending else 0)
    # Joint training from scratch only takes the teacher's configuration.
    teacher = JointTeacher.load(args.teacher) if any(
        run['methods'] for run in work) else None
    kg = read_dbp5l(root, alignment_split=args.alignment_split)
    aligned = teacher_alignment_hits1(teacher, kg)
    for run in work:
        target, seed = run['target'], run['seed']
        results = run_transfer(
            kg, target, teacher, run['student'], run['training'],
            run['methods'], args.num_hops, args.max_neighbors,
            on_result=functools.partial(record, args, target, seed,
                                        run['meta'], aligned)
        ) if run['methods'] else {}
        if run['joint']:
            records = joint_from_scratch(kg, target, config, seed, args,
                                         run['joint_meta'])
            if not args.no_write:
                append_records('dbp5l_transfer', records)
        best = results.get('student_full_kd')
        if args.save_student and best and seed == args.seeds[0]:
            best['student'].trained_model({
                'seed': seed, 'teacher': args.teacher}).save(
                os.path.join(args.save_student, target))


def teacher_spec(args) -> Tuple[List[str], JointTeacherConfig]:
    r"""The teacher's KGs and configuration, from its ``config.json``; for
    a teacher that is not saved (a resumed suite whose teachers were
    deleted), the one ``bench_teacher.py --sources S --dim D`` trains,
    from ``--teacher-sources`` and ``--teacher-dim``: enough to tell that
    every run is already recorded, without training it again."""
    path = os.path.join(args.teacher, 'config.json')
    if os.path.isfile(path):
        saved = read_json(path)
        return list(saved['names']), JointTeacherConfig(**saved['config'])
    if not args.teacher_sources:
        sys.exit(f'no saved teacher at {args.teacher} (and no '
                 f'--teacher-sources to tell what it would be)')
    return list(args.teacher_sources), teacher_config(args.teacher_dim)


def student_config(args) -> LocalStudentConfig:
    r"""The student of ``--dim`` with the ``--student-set`` overrides,
    applied as ``pyg-kgt --set student.KEY=VALUE`` applies them
    (:meth:`~pyg_kgt.run_config.RunConfig.override`)."""
    run = RunConfig(student=LocalStudentConfig(
        model=ModelConfig(hidden_channels=args.dim)))
    try:
        return run.override([f'student.{item}'
                             for item in args.student_set]).student
    except ConfigError as e:
        sys.exit(f'--student-set: {e}')


def plan_runs(args, names: Sequence[str], config: JointTeacherConfig,
              order: Sequence[str]) -> List[Dict[str, Any]]:
    r"""Per (target, seed), the configuration of its runs and the methods
    (``methods``, ``joint``) not recorded yet with it (all of them without
    ``--skip-existing`` or ``--pending``); pairs with none are left out.

    ``order`` is the dataset's KG order, which the joint model keeps."""
    skip = args.skip_existing or args.pending
    student = student_config(args)
    work = []
    recorded = newest_records('dbp5l_transfer',
                              dataset=dataset_name(args)) if skip else []
    for target in args.targets:
        for seed in args.seeds:
            training = TrainingConfig(
                epochs=args.epochs, batch_size=args.batch_size, lr=args.lr,
                lr_schedule=args.lr_schedule,
                num_candidates=args.num_candidates, eval_every=5,
                patience=3, seed=seed, progress=args.progress)
            meta = {'student': student.to_dict(),
                    'training': training.to_dict(),
                    'teacher': {'path': args.teacher, 'sources': list(names)},
                    'num_hops': args.num_hops,
                    'max_neighbors': args.max_neighbors,
                    'alignment_split': args.alignment_split}
            methods = [m for m in args.methods if not (skip and has_record(
                'dbp5l_transfer', target, record_name(m, args.reused),
                seed, meta, records=recorded))]
            joint_meta = joint_config(args, target, seed, meta, names,
                                      config, order)
            joint = ['joint_from_scratch'] if args.joint_from_scratch and \
                not (skip and has_record('dbp5l_transfer', target,
                                         'joint_from_scratch', seed,
                                         joint_meta, keys=JOINT_KEYS,
                                         records=recorded)) else []
            if methods or joint:
                work.append({'target': target, 'seed': seed,
                             'student': student, 'training': training,
                             'meta': meta, 'methods': methods,
                             'joint': joint, 'joint_meta': joint_meta})
    return work


def teacher_alignment_hits1(teacher, kg) -> Optional[float]:
    r"""The teacher's mean Hits@1 on the held-out seed pairs between its
    sources (cosine), or :obj:`None` without a teacher or held-out pairs
    (``--alignment-split all``)."""
    if teacher is None:
        return None
    results = teacher.evaluate_held_out_alignment(kg)
    if not results:
        return None
    return sum(r['hits1'] for r in results.values()) / len(results)


def record(args, target: str, seed: int, meta: dict,
           aligned: Optional[float], method: str, result: dict) -> None:
    r"""Prints and appends one method's records (every protocol), with the
    teacher's held-out alignment Hits@1 (``aligned``) in its metrics."""
    records = []
    summary = student_summary(result['student'])
    val = summary['best_val_mrr']
    for protocol, res in result['test'].items():
        metrics = dict(res['metrics'], epochs=result['epochs'],
                       cache_s=result['cache_s'], **summary,
                       teacher_alignment_hits1=aligned)
        records.append(make_record(
            args.suite, dataset_name(args), record_name(method, args.reused),
            metrics, result['train_s'], meta, target=target,
            protocol=protocol, seed=seed, peak_rss=peak_rss_mb()))
        print(f"{target} seed {seed} {method:26s} {protocol:8s} "
              f"MRR {100 * metrics['mrr']:6.2f} H@1 "
              f"{100 * metrics['hits1']:6.2f} H@10 "
              f"{100 * metrics['hits10']:6.2f} "
              f"({result['train_s']:.0f} s)", flush=True)
    if val is not None:
        print(f'{target} seed {seed} {method:26s} best val MRR '
              f'{100 * val:6.2f}', flush=True)
    if not args.no_write:
        append_records(args.suite, records)
    reset_peak_rss()  # the next method reports its own peak


def dataset_name(args) -> str:
    r"""The records' dataset: ``dbp5l`` (JMAC's alignment split) or
    ``dbp5l_all`` (every seed alignment trains)."""
    return 'dbp5l' if args.alignment_split == 'jmac' else 'dbp5l_all'


def record_name(method: str, reused: bool) -> str:
    r"""The recorded method name (issue 5 names the reused-teacher
    student ``student_reused_teacher``)."""
    if not reused:
        return method
    if method == 'student_full_kd':
        return 'student_reused_teacher'
    return method + '_reused_teacher'


JOINT_KEYS = ('teacher', *JOINT_RUN_KEYS)


def joint_config(args, target: str, seed: int, meta: dict,
                 names: Sequence[str], config: JointTeacherConfig,
                 order: Sequence[str]) -> dict:
    r"""``meta`` plus the joint run's training, model (the teacher's) and
    KGs: the teacher's sources and the target, in the dataset's order."""
    training = TrainingConfig(epochs=args.joint_epochs,
                              batch_size=args.joint_batch_size,
                              lr=args.joint_lr, eval_every=5, patience=3,
                              seed=seed, progress=args.progress)
    kgs = [name for name in order if name == target or name in names]
    return dict(meta, joint_training=training.to_dict(),
                joint_model=config.to_dict(), joint_kgs=kgs)


def joint_from_scratch(kg, target: str, config: JointTeacherConfig,
                       seed: int, args, meta: dict) -> list:
    r"""One model trained jointly from scratch on ``meta['joint_kgs']``
    (the teacher's sources and the target), with the teacher's
    configuration ``config``, or loaded from ``--joint-dir`` when another
    target trained it; evaluated on the target."""
    training = TrainingConfig(**meta['joint_training'])
    names = meta['joint_kgs']
    joint, run = train_or_load_joint(kg, names, config, training,
                                     args.joint_dir)
    records = []
    for protocol, res in joint.evaluate(kg.subset(names), names=[target])[
            target].items():
        metrics = dict(res['metrics'], epochs=run['epochs'])
        records.append(make_record(
            'dbp5l_transfer', dataset_name(args), 'joint_from_scratch',
            metrics,
            run['train_seconds'], meta, target=target, protocol=protocol,
            seed=seed, peak_rss=run['peak_rss_mb']))
        print(f"{target} seed {seed} {'joint_from_scratch':26s} "
              f"{protocol:8s} MRR {100 * metrics['mrr']:6.2f} H@1 "
              f"{100 * metrics['hits1']:6.2f} "
              f"({run['train_seconds']:.0f} s)", flush=True)
    return records


if __name__ == '__main__':
    apply_runtime()  # the process's policy, as the CLI's
    main()
