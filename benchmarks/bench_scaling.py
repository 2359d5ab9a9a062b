"""Teacher pre-training as the graph grows (suite ``scaling``).

Time per epoch and peak memory of one JointTeacher training epoch on the
embedded generator, from about 10^4 to 10^6 training triples: full-batch
(every step encodes the whole graph) vs memory-bounded (every step encodes
the sampled neighbourhood of its batch), each with 1 rank (2 threads) and 2
ranks under torchrun (1 thread each) on the same cores. Both modes use the
same objective (self-adversarial negative sampling, no alignment loss) and
no validation, so only training is measured. Every measurement runs in its
own process; ``peak_rss_mb`` is rank 0's whole process (graph included),
``train_peak_over_base_mb`` what training added on top of the loaded graph.

    python -m benchmarks.bench_scaling              # 10^4 .. 10^6 triples
    python -m benchmarks.bench_scaling --quick      # 10^4 .. 10^5
"""
from __future__ import annotations

import argparse
import json
import os
import resource
import socket
import subprocess
import sys
from typing import Sequence

from benchmarks.results import (append_records, make_record,
                                newest_records, write_markdown,
                                apply_runtime)

MODES = ('full_batch', 'memory_bounded')
# World instances of the generator -> about 8 training triples each.
SIZES = (1250, 12500, 125000)


def _current_rss_mb() -> float:
    with open('/proc/self/statm') as f:
        return int(f.read().split()[1]) * os.sysconf('SC_PAGE_SIZE') / 2**20


def worker(args) -> None:
    from pyg_kgt.data import make_synthetic_multi_source_kg
    from pyg_kgt.models import JointTeacher, JointTeacherConfig, ModelConfig
    from pyg_kgt.training import (RelationalNeighborSampler, TrainingConfig,
                                  fit)
    from pyg_kgt.training.distributed import DistributedContext
    context = DistributedContext.from_environment()
    kg = make_synthetic_multi_source_kg(num_entities=args.size,
                                        num_values=max(100, args.size // 20),
                                        seed=0)
    kg = kg.subset(['source1', 'source2', 'source3'])
    teacher = JointTeacher(JointTeacherConfig(
        model=ModelConfig(hidden_channels=args.dim, dropout=0.0),
        alignment_weight=0.0))
    teacher.build(kg)
    graph = teacher.graph
    groups = graph.triple_groups(kg)
    triples = sum(len(g) for g in groups)
    training = TrainingConfig(epochs=args.epochs, batch_size=args.batch_size,
                              loss='negative-sampling',
                              num_negatives=args.num_negatives)
    sampler, adjacency = None, None
    if args.mode == 'memory_bounded':
        sampler = RelationalNeighborSampler(
            graph.edge_index, graph.edge_type, graph.num_nodes,
            graph.num_message_relations, [args.fanout], seed=0)
    else:
        adjacency = teacher.adjacency
    base = _current_rss_mb()
    history = fit(teacher.model, adjacency, groups, training,
                  sampler=sampler)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    if context.is_main:
        print(json.dumps({
            'triples': triples, 'nodes': graph.num_nodes,
            'edges': int(graph.edge_index.size(1)),
            's_per_epoch': sorted(h['seconds'] for h in history)[
                len(history) // 2],
            'loss': history[-1]['loss'], 'peak_rss_mb': peak,
            'train_peak_over_base_mb': max(0.0, peak - base),
            'ranks': context.world_size}), flush=True)
    context.close()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(('127.0.0.1', 0))
        return s.getsockname()[1]


def run_worker(module: str, options: Sequence[str], ranks: int,
               cores: int, timeout: float) -> dict:
    r"""Runs ``-m module --worker ...`` (from the repository root) in 1
    process (``cores`` threads) or
    under torchrun with ``ranks`` processes (``cores / ranks`` threads
    each) and returns the JSON line rank 0 printed last."""
    env = {k: v for k, v in os.environ.items()
           if k not in ('RANK', 'WORLD_SIZE', 'MASTER_ADDR', 'MASTER_PORT')}
    env['OMP_NUM_THREADS'] = str(max(1, cores // ranks))
    if ranks == 1:
        command = [sys.executable, '-m', module, *options]
    else:
        command = [sys.executable, '-m', 'torch.distributed.run',
                   f'--nproc_per_node={ranks}',
                   f'--master_port={_free_port()}', '-m', module, *options]
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    out = subprocess.run(command, env=env, capture_output=True, text=True,
                         timeout=timeout, cwd=root)
    if out.returncode != 0:
        raise RuntimeError(f'{" ".join(options)} with {ranks} rank(s) '
                           f'failed: {out.stderr[-1500:]}')
    return json.loads(out.stdout.strip().splitlines()[-1])


def measure(mode: str, size: int, ranks: int, args) -> dict:
    options = ['--worker', '--mode', mode, '--size', str(size), '--dim',
               str(args.dim), '--epochs', str(args.epochs), '--batch-size',
               str(args.batch_size), '--num-negatives',
               str(args.num_negatives), '--fanout', str(args.fanout)]
    return run_worker('benchmarks.bench_scaling', options, ranks, args.cores,
                      args.timeout)


def render() -> str:
    records = [r for r in newest_records('scaling')]
    records.sort(key=lambda r: (r['metrics']['triples'], r['method'],
                                r['metrics']['ranks']))
    rows = [[r['metrics']['triples'], r['metrics']['nodes'], r['method'],
             r['metrics']['ranks'], f"{r['metrics']['s_per_epoch']:.1f}",
             f"{r['peak_rss_mb']:.0f}",
             f"{r['metrics']['train_peak_over_base_mb']:.0f}"]
            for r in records]
    hardware = sorted({r['hardware'] for r in records})
    path = write_markdown('scaling', [
        'train triples', 'nodes', 'mode', 'ranks', 's / epoch',
        'peak RSS MB (rank 0)', 'training over graph MB'], rows,
        'Generated by `benchmarks/bench_scaling.py`: one training epoch of '
        'a JointTeacher (width 64, 1 layer, negative sampling) on the '
        'embedded generator; 1 rank = 1 process x 2 threads, 2 ranks = '
        f"torchrun, 2 processes x 1 thread. Hardware: {'; '.join(hardware)}.")
    try:
        from benchmarks.plots import plot_scaling
    except ImportError:  # pragma: no cover - matplotlib missing
        return path
    plot_scaling(records, os.path.join(os.path.dirname(path),
                                       'scaling.png'))
    return path


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument('--worker', action='store_true')
    parser.add_argument('--mode', choices=MODES, default='full_batch')
    parser.add_argument('--size', type=int, default=SIZES[0])
    parser.add_argument('--sizes', type=int, nargs='+', default=SIZES)
    parser.add_argument('--modes', nargs='+', default=MODES, choices=MODES)
    parser.add_argument('--ranks', type=int, nargs='+', default=[1, 2])
    parser.add_argument('--dim', type=int, default=64)
    parser.add_argument('--epochs', type=int, default=1)
    parser.add_argument('--batch-size', type=int, default=8192)
    parser.add_argument('--num-negatives', type=int, default=16)
    parser.add_argument('--fanout', type=int, default=5)
    parser.add_argument('--cores', type=int, default=os.cpu_count() or 1)
    parser.add_argument('--timeout', type=int, default=3600)
    parser.add_argument('--method-suffix', default='',
                        help='appended to the method name, e.g. _batch1024 '
                        'for a run with a non-default batch size')
    parser.add_argument('--quick', action='store_true')
    parser.add_argument('--no-write', action='store_true')
    args = parser.parse_args()
    if args.worker:
        worker(args)
        return
    sizes = args.sizes[:2] if args.quick else args.sizes
    config = {k: getattr(args, k) for k in ('dim', 'epochs', 'batch_size',
                                            'num_negatives', 'fanout')}
    for size in sizes:
        for mode in args.modes:
            for ranks in args.ranks:
                result = measure(mode, size, ranks, args)
                print(f"{result['triples']:>8d} triples {mode:15s} "
                      f"{ranks} rank(s): {result['s_per_epoch']:.1f} s/epoch,"
                      f" peak RSS {result['peak_rss_mb']:.0f} MB "
                      f"(+{result['train_peak_over_base_mb']:.0f} MB "
                      f'training)', flush=True)
                if args.no_write:
                    continue
                method = (mode if ranks == 1 else f'{mode}_{ranks}_ranks'
                          ) + args.method_suffix
                append_records('scaling', [make_record(
                    'scaling', 'synthetic', method,
                    {k: result[k] for k in (
                        'triples', 'nodes', 'edges', 's_per_epoch', 'loss',
                        'ranks', 'train_peak_over_base_mb')},
                    result['s_per_epoch'] * args.epochs,
                    dict(config, size=size, ranks=ranks),
                    target=f'generator_{size}', seed=0,
                    peak_rss=result['peak_rss_mb'])])
    if not args.no_write:
        print(render())


if __name__ == '__main__':
    apply_runtime()  # the process's policy, as the CLI's
    main()
