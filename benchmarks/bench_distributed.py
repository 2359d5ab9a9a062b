"""Data-parallel teacher pre-training: 1 rank vs 2 ranks (suite
``distributed``).

Trains the same JointTeacher (embedded generator, 1-N loss, same global
batch, same seed) once in one process (2 threads) and once under torchrun
with 2 processes (1 thread each) on the same cores, and records each run's
seconds per epoch, peak memory, loss trajectory and, for 2 ranks, the
largest relative difference of its per-epoch losses from the 1-rank run.

    python -m benchmarks.bench_distributed [--size 12500] [--epochs 3]
"""
from __future__ import annotations

import argparse
import json
import os
import resource

from benchmarks.bench_scaling import run_worker
from benchmarks.results import (append_records, make_record,
                                newest_records, write_markdown)


def worker(args) -> None:
    from pyg_kgt.data import make_synthetic_multi_source_kg
    from torch_geometric import seed_everything

    from pyg_kgt.models import JointTeacher, JointTeacherConfig, ModelConfig
    from pyg_kgt.training import TrainingConfig, fit
    from pyg_kgt.environment import resolve_device
    from pyg_kgt.training.distributed import DistributedContext
    device = 'cuda' if args.device == 'cuda' else 'cpu'
    context = DistributedContext.from_environment(
        device=resolve_device(device))
    seed_everything(0)  # after joining: the same initial weights everywhere
    kg = make_synthetic_multi_source_kg(
        num_entities=args.size, num_values=max(100, args.size // 20),
        seed=0).subset(['source1', 'source2', 'source3'])
    teacher = JointTeacher(JointTeacherConfig(
        model=ModelConfig(hidden_channels=args.dim, dropout=0.2)))
    teacher.build(kg)
    history = fit(teacher.model, teacher.adjacency,
                  teacher.graph.triple_groups(kg),
                  TrainingConfig(epochs=args.epochs,
                                 batch_size=args.batch_size, lr=0.01,
                                 device=device))
    if context.is_main:
        print(json.dumps({
            'triples': sum(len(g) for g in teacher.graph.triple_groups(kg)),
            'losses': [h['loss'] for h in history],
            's_per_epoch': sorted(h['seconds'] for h in history)[
                len(history) // 2],
            'peak_rss_mb': resource.getrusage(
                resource.RUSAGE_SELF).ru_maxrss / 1024,
            'ranks': context.world_size}), flush=True)
    context.close()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument('--worker', action='store_true')
    parser.add_argument('--size', type=int, default=12500)
    parser.add_argument('--dim', type=int, default=64)
    parser.add_argument('--epochs', type=int, default=3)
    parser.add_argument('--batch-size', type=int, default=4096)
    parser.add_argument('--cores', type=int, default=os.cpu_count() or 1)
    parser.add_argument('--timeout', type=int, default=3600)
    parser.add_argument('--device', default='cpu', choices=['cpu', 'cuda'],
                        help='cuda: one GPU per rank (LOCAL_RANK), NCCL; '
                        'records go to distributed_cuda')
    parser.add_argument('--no-write', action='store_true')
    args = parser.parse_args()
    if args.worker:
        worker(args)
        return
    options = ['--worker', '--size', str(args.size), '--dim', str(args.dim),
               '--epochs', str(args.epochs), '--batch-size',
               str(args.batch_size), '--device', args.device]
    config = {k: getattr(args, k) for k in ('size', 'dim', 'epochs',
                                            'batch_size')}
    runs = {ranks: run_worker('benchmarks.bench_distributed', options,
                              ranks, args.cores, args.timeout)
            for ranks in (1, 2)}
    reference = runs[1]['losses']
    records = []
    for ranks, run in runs.items():
        gap = max(abs(a - b) / abs(b) for a, b in zip(run['losses'],
                                                      reference))
        metrics = {'triples': run['triples'], 'ranks': ranks,
                   's_per_epoch': run['s_per_epoch'],
                   'final_loss': run['losses'][-1], 'losses': run['losses'],
                   'max_rel_loss_diff_vs_1_rank': gap}
        print(f"{ranks} rank(s): {run['s_per_epoch']:.1f} s/epoch, peak RSS "
              f"{run['peak_rss_mb']:.0f} MB, losses "
              f"{[round(v, 6) for v in run['losses']]}, max relative "
              f'difference from 1 rank {gap:.2e}', flush=True)
        records.append(make_record(
            'distributed', 'synthetic', f'joint_teacher_{ranks}_rank',
            metrics, run['s_per_epoch'] * args.epochs,
            dict(config, ranks=ranks), target=f'generator_{args.size}',
            peak_rss=run['peak_rss_mb']))
    if args.no_write:
        return
    suite = 'distributed_cuda' if args.device == 'cuda' else 'distributed'
    for r in records:
        r['suite'] = suite
    append_records(suite, records)
    rows = [[r['metrics']['triples'], r['metrics']['ranks'],
             f"{r['metrics']['s_per_epoch']:.1f}", f"{r['peak_rss_mb']:.0f}",
             f"{r['metrics']['final_loss']:.6f}",
             f"{r['metrics']['max_rel_loss_diff_vs_1_rank']:.1e}"]
            for r in newest_records(suite)]
    hardware = sorted({r['hardware'] for r in records})
    print(write_markdown(suite, [
        'train triples', 'ranks', 's / epoch', 'peak RSS MB (rank 0)',
        'final loss', 'max rel. loss diff vs 1 rank'], rows,
        'Generated by `benchmarks/bench_distributed.py`: the same '
        'JointTeacher (1-N loss, same global batch and seed) trained by 1 '
        'process x 2 threads and by torchrun with 2 processes x 1 thread. '
        f"Hardware: {'; '.join(hardware)}."))


if __name__ == '__main__':
    main()
