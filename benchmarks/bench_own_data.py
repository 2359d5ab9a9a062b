"""Transfer on a user's own data (suite ``own_data``): an entity-alignment
pair turned into a link-prediction setting, written in the own-TSV layout
and read back as a user would, then ``source -> target`` transfer with
prediction KD on (the default: the target's training queries and the
queries the teacher has facts for that the target lacks, every query
trusted alike), on trusting each query as far as the teacher agrees with
the target's known facts, on the target's training queries only, and off,
beside the target-alone baseline. The table names each row's queries and
trust (from its recorded configuration), whatever the method's name was
when it ran.

    python -m benchmarks.bench_own_data --seeds 0 1 2 --teacher-dir runs/own

Default: SRPRS ``en_fr_15k_V1``, 80/10/10 seeded split of each KG
(:func:`pyg_kgt.data.split.split_multi_source`, split seed 0), teacher on
``en`` (seed 0, shared by every student seed), students on ``fr``. The two
KGs name 102 relations by the same URI, in different orders and ids, so
prediction KD is right only when relations are matched by name.
"""
from __future__ import annotations

import argparse
import os
import tempfile
import time
from dataclasses import asdict

from benchmarks.results import (append_records, default_data, make_record,
                                method_changes, newest_records,
                                validation_summary, write_markdown,
                                apply_runtime)
from pyg_kgt.data import read_multi_source, read_tsv
from pyg_kgt.data.split import split_multi_source, write_tsv
from pyg_kgt.models import (JointTeacher, JointTeacherConfig,
                            LocalStudentConfig)
from pyg_kgt.pipeline import METHODS as METHOD_TABLE
from pyg_kgt.pipeline import pretrain_teacher, run_transfer
from pyg_kgt.training import TrainingConfig

SUITE = 'own_data'
METHODS = ('single_kg_rgcn', 'student_full_kd', 'student_no_prediction_kd',
           'student_uniform_prediction_kd', 'student_target_queries_kd')


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--data', default=default_data())
    parser.add_argument('--pair', default='srprs_15k/en_fr_15k_V1')
    parser.add_argument('--source', default='en')
    parser.add_argument('--target', default='fr')
    parser.add_argument('--seeds', type=int, nargs='+', default=[0, 1, 2])
    parser.add_argument('--teacher-epochs', type=int, default=30)
    parser.add_argument('--student-epochs', type=int, default=40)
    parser.add_argument('--methods', nargs='+', default=list(METHODS),
                        choices=list(METHOD_TABLE))
    parser.add_argument('--teacher-dir',
                        help='load the teacher from here when saved, else '
                             'train it and save it here')
    parser.add_argument('--render-only', action='store_true')
    args = parser.parse_args()
    if not args.render_only:
        run(args)
    render()


def run(args: argparse.Namespace) -> None:
    pair = os.path.join(args.data, args.pair)
    if not os.path.isdir(pair):
        raise SystemExit(f'{pair} not found: pass --data or set '
                         f'PYG_KGT_DATA')
    split, counts = split_multi_source(read_multi_source(pair), seed=0)
    with tempfile.TemporaryDirectory() as folder:
        write_tsv(split, folder)
        kg = read_tsv(folder)  # the user's path: names, not ids
    print(f'{kg!r}; split {counts}', flush=True)
    teacher_config = JointTeacherConfig()
    student_config = LocalStudentConfig()
    began = time.perf_counter()
    saved = args.teacher_dir and os.path.isfile(os.path.join(
        args.teacher_dir, 'config.json'))
    if saved:
        teacher = JointTeacher.load(args.teacher_dir)
    else:
        teacher = pretrain_teacher(kg, [args.source], teacher_config,
                                   TrainingConfig(epochs=args.teacher_epochs,
                                                  seed=0))
        if args.teacher_dir:
            teacher.save(args.teacher_dir)
    print(f"teacher: {time.perf_counter() - began:.0f} s"
          f"{' (loaded)' if saved else ''}", flush=True)
    config = {'pair': args.pair, 'source': args.source,
              'teacher': teacher_config.to_dict(),
              'teacher_epochs': args.teacher_epochs,
              'student': asdict(student_config), 'split_seed': 0,
              'split': [0.8, 0.1, 0.1]}
    for seed in args.seeds:
        training = TrainingConfig(epochs=args.student_epochs, seed=seed)

        def record(method: str, result: dict) -> None:
            summary = validation_summary(result['student'].history)
            append_records(SUITE, [make_record(
                SUITE, args.pair, method, dict(res['metrics'], **summary),
                result['train_s'],
                dict(config, training=asdict(training),
                     student=asdict(METHOD_TABLE[method].student_config(
                         student_config))), args.target,
                protocol, seed) for protocol, res in result['test'].items()])
            print(f"seed {seed} {method}: filtered MRR "
                  f"{result['test']['filtered']['metrics']['mrr']:.4f} "
                  f"({result['train_s']:.0f} s)", flush=True)
        run_transfer(kg, args.target, teacher, student_config, training,
                     args.methods, on_result=record)


def render() -> None:
    rows, by_key = [], {}
    for r in newest_records(SUITE):
        by_key.setdefault((r['dataset'], r['target'], r['method'],
                           r['protocol']), []).append(r)
    for (dataset, target, method, protocol), records in sorted(
            by_key.items()):
        mrr = [100 * r['metrics']['mrr'] for r in records]
        mean = sum(mrr) / len(mrr)
        std = (sum((m - mean) ** 2 for m in mrr) / max(len(mrr) - 1, 1)
               ) ** 0.5
        seconds = sorted(r['wall_s'] for r in records)[len(records) // 2]
        val = [100 * r['metrics']['best_val_mrr'] for r in records
               if r['metrics'].get('best_val_mrr') is not None]
        student = dict(records[0]['config']['student'],
                       **method_changes(method))
        kd = ('-' if method == 'single_kg_rgcn' or
              student.get('prediction_weight') == 0 or
              'no_prediction' in method else
              f"{student.get('prediction_queries', 'target')}, "
              f"{student.get('prediction_trust', 'uniform')}")
        rows.append((dataset, target, method, kd, protocol, f'{mean:.2f}',
                     f'{std:.2f}', len(records), f'{seconds:.0f}',
                     f'{sum(val) / len(val):.2f}' if val else '-'))
    hardware = {r['hardware'] for rs in by_key.values() for r in rs}
    write_markdown(SUITE, ('pair', 'target', 'method',
                           'prediction KD (queries, trust)', 'protocol',
                           'MRR mean', 'std', 'seeds', 'median s',
                           'val MRR (filtered, best)'), rows,
                   f'Test MRR (%) over seeds, and the mean best validation '
                   f'MRR of early stopping (which the choice between '
                   f'methods rests on); hardware: '
                   f'{", ".join(sorted(hardware))}.')


if __name__ == '__main__':
    apply_runtime()  # the process's policy, as the CLI's
    main()
