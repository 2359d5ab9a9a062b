"""The GPU check (suite ``gpu_cuda``): on a CUDA device, teacher
pre-training on DBP-5L (4 sources, the benchmark budget) and the ``el``
student's re-training, recorded with the GPU named.

    python -m benchmarks.gpu_check transfer      # teacher + el student

``benchmarks/gpu_check.sh`` runs it, the conv benchmark and the
evaluation throughput (``bench_eval_speed --device cuda``) in one call.
"""
from __future__ import annotations

import argparse
import time

import torch

from benchmarks.budget import Budget
from benchmarks.results import (append_records, dbp5l_root, default_data,
                                make_record, newest_records, write_markdown,
                                apply_runtime)
from pyg_kgt.data import read_dbp5l
from pyg_kgt.environment import peak_rss_mb
from pyg_kgt.models import JointTeacherConfig, LocalStudentConfig, ModelConfig
from pyg_kgt.pipeline import pretrain_teacher, run_transfer
from pyg_kgt.training import TrainingConfig

SUITE = 'gpu_cuda'
SOURCES = ('en', 'es', 'fr', 'ja')
TARGET = 'el'
BUDGET = Budget()


def transfer(args: argparse.Namespace) -> None:
    r"""Teacher on 4 DBP-5L KGs, then the ``el`` student (full KD)."""
    kg = read_dbp5l(dbp5l_root(args.data), alignment_split='jmac')
    device = args.device
    teacher_training = TrainingConfig(
        epochs=BUDGET.teacher_epochs, batch_size=BUDGET.teacher_batch_size,
        lr=BUDGET.teacher_lr, device=device, precision=args.precision)
    config = JointTeacherConfig(model=ModelConfig(
        hidden_channels=BUDGET.teacher_dim))
    began = time.perf_counter()
    teacher = pretrain_teacher(kg, SOURCES, config, teacher_training)
    if torch.device(device).type == 'cuda':
        torch.cuda.synchronize()
    teacher_s = time.perf_counter() - began
    results = teacher.evaluate(kg.subset(list(SOURCES)), 'test',
                               ('filtered',))
    mrr = sum(r['filtered']['metrics']['mrr'] for r in results.values()
              ) / len(results)
    meta = {'sources': list(SOURCES), 'teacher': config.to_dict(),
            'training': teacher_training.to_dict()}
    records = [make_record(SUITE, 'dbp5l', 'joint_teacher',
                           {'mrr': mrr, 'fit_s': teacher.train_seconds},
                           teacher_s, meta, target='sources_mean',
                           protocol='filtered')]
    print(f'teacher on {device}: {teacher_s:.1f} s, source MRR {mrr:.4f}',
          flush=True)
    student = LocalStudentConfig(model=ModelConfig(
        hidden_channels=BUDGET.student_dim))
    training = TrainingConfig(
        epochs=BUDGET.student_epochs, batch_size=BUDGET.student_batch_size,
        lr=BUDGET.student_lr, lr_schedule=BUDGET.student_lr_schedule,
        device=device, precision=args.precision)
    result = run_transfer(kg, TARGET, teacher, student, training,
                          ['student_full_kd'],
                          protocols=('filtered',))['student_full_kd']
    records.append(make_record(
        SUITE, 'dbp5l', 'student_full_kd',
        dict(result['test']['filtered']['metrics'],
             epochs=result['epochs']), result['train_s'],
        dict(meta, student=student.to_dict(), training=training.to_dict()),
        target=TARGET, protocol='filtered', peak_rss=peak_rss_mb()))
    print(f"{TARGET} student on {device}: {result['train_s']:.1f} s, MRR "
          f"{result['test']['filtered']['metrics']['mrr']:.4f}", flush=True)
    append_records(SUITE, records)


def render() -> None:
    rows = [(r['method'], r['target'], f"{r['wall_s']:.1f}",
             ', '.join(f'{k} {v:.4g}' for k, v in r['metrics'].items()
                       if isinstance(v, float)), r['hardware'])
            for r in newest_records(SUITE)]
    write_markdown(SUITE, ('step', 'target', 'seconds', 'metrics',
                           'hardware'), rows,
                   'The GPU check (benchmarks/gpu_check.sh); each row names '
                   'its machine.')


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('step', choices=['transfer', 'render'])
    parser.add_argument('--data', default=default_data())
    parser.add_argument('--device', default='cuda')
    parser.add_argument('--precision', default='fp32',
                        choices=['fp32', 'bf16'])
    args = parser.parse_args()
    if args.step == 'transfer':
        transfer(args)
    render()


if __name__ == '__main__':
    apply_runtime()  # the process's policy, as the CLI's
    main()
