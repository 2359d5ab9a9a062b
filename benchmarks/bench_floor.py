"""What the machine allows: the dense-GEMM floor of a conv and a teacher
step, beside the conv's measured paths, in one process.

An exact layer does at least three dense GEMMs (forward, and the two
gradients) of :math:`N \\times B\\,d_{in} \\times d_{out}` in the basis
algorithm (:mod:`pyg_kgt.nn.conv.basis_message`) or of :math:`G \\times
d_{in} \\times d_{out}` in the grouped one (:math:`G` (relation, target)
groups), and a 1-N teacher step at least six of :math:`B_q \\times d
\\times C` for scoring (two directions forward, two gradients each).
Timing those GEMMs alone, at the machine's BLAS speed, gives a floor no
exact fp32 implementation of either algorithm beats here. This script
measures it next to the conv's ``grouped`` and default paths (forward +
backward, median after a warm-up), so the ratios compare like with like,
and also times the grouped algorithm's GEMMs at their true per-relation
sizes (what thousands of small products cost on their own).

    python -m benchmarks.bench_floor [--graphs dbp5l-4 product]
"""
from __future__ import annotations

import argparse
import math
import statistics
import time
from typing import Callable, Dict

from benchmarks.budget import Budget
from benchmarks.results import default_data

BUDGET = Budget()


def median_seconds(fn: Callable[[], object], iters: int) -> float:
    fn()  # warm-up
    times = []
    for _ in range(iters):
        began = time.perf_counter()
        fn()
        times.append(time.perf_counter() - began)
    return statistics.median(times)


def measure(graph: str, data: str, iters: int) -> Dict[str, float]:
    r"""GEMM floors and measured conv paths of the teacher of ``graph``
    at the benchmark budget."""
    import torch

    from benchmarks.bench_epoch import build_teacher, load_kg
    from pyg_kgt.training.config import TrainingConfig
    from pyg_kgt.training.fit import fit
    kg = load_kg(graph, data)
    teacher = build_teacher(kg, 'auto', BUDGET)
    conv = teacher.model.encoder.convs[0]
    adjacency = teacher.adjacency
    x = teacher.model.encoder.embedding.weight
    d, bases = BUDGET.teacher_dim, conv.num_bases
    n, batch = adjacency.num_nodes, BUDGET.teacher_batch_size

    def conv_pass(method: str) -> Callable[[], None]:
        def run() -> None:
            conv.method = method
            conv(x, adjacency).sum().backward()
        return run
    grouped = median_seconds(conv_pass('grouped'), iters)
    default = median_seconds(conv_pass('auto'), iters)
    a, b = torch.randn(n, bases * d), torch.randn(bases * d, d)
    conv_gemm = median_seconds(lambda: a @ b, iters)
    # The grouped algorithm's GEMMs at their true sizes: one [G_r, d] x
    # [d, d] product per relation (G_r: its (relation, target) groups).
    sizes = [size for size in adjacency.relation_sizes if size]
    one_gemm = torch.randn(sum(sizes), d)
    parts = torch.split(one_gemm, sizes)  # each relation its own rows

    def per_relation() -> None:
        for part in parts:
            part @ b[:d]
    grouped_gemms = median_seconds(per_relation, iters)
    grouped_one = median_seconds(lambda: one_gemm @ b[:d], iters)
    groups = teacher.graph.triple_groups(kg)
    steps = {g.name: math.ceil(len(g) / batch) for g in groups}
    queries = torch.randn(batch, d)
    scoring = 0.0  # per epoch: six GEMMs a step against its KG's entities
    for g in groups:
        pool = torch.randn(g.candidates.numel(), d)
        scoring += steps[g.name] * 6 * median_seconds(
            lambda: queries @ pool.t(), iters)
    total_steps = sum(steps.values())
    began = time.perf_counter()  # one real epoch of the same model
    fit(teacher.model, adjacency, groups, TrainingConfig(
        epochs=1, batch_size=batch, lr=BUDGET.teacher_lr))
    epoch = time.perf_counter() - began
    flops = 2 * n * bases * d * d
    floor = 3 * min(conv_gemm, grouped_one, grouped_gemms)
    return {'conv_grouped_s': grouped, 'conv_default_s': default,
            'groups': sum(sizes), 'relations': len(sizes),
            'basis_floor_s': 3 * conv_gemm,
            'grouped_floor_s': 3 * grouped_one,
            'grouped_gemms_s': 3 * grouped_gemms,
            'conv_floor_s': floor,
            'gemm_gflops': flops / conv_gemm / 1e9,
            'max_speedup_vs_grouped': grouped / floor,
            'default_speedup_vs_grouped': grouped / default,
            'steps_per_epoch': total_steps, 'epoch_s': epoch,
            'epoch_floor_s': total_steps * floor + scoring,
            'epoch_scoring_floor_s': scoring}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument('--data', default=default_data())
    parser.add_argument('--graphs', nargs='+',
                        default=['dbp5l-4', 'product'])
    parser.add_argument('--iters', type=int, default=5)
    parser.add_argument('--no-write', action='store_true')
    args = parser.parse_args()
    from benchmarks.results import (append_records, hardware, make_record,
                                    newest_records, write_markdown)
    records = []
    for graph in args.graphs:
        metrics = measure(graph, args.data, args.iters)
        print(graph, {k: round(v, 3) for k, v in metrics.items()},
              flush=True)
        records.append(make_record(
            'floor', graph, 'gemm_floor', metrics, 0.0,
            {'dim': BUDGET.teacher_dim, 'bases': 4, 'layers': 1,
             'batch_size': BUDGET.teacher_batch_size, 'iters': args.iters}))
    if args.no_write:
        return
    append_records('floor', records)
    rows = [[r['dataset'], f"{m['relations']}", f"{m['groups']}",
             f"{m['conv_grouped_s']:.3f}",
             f"{m['conv_default_s']:.3f}", f"{m['basis_floor_s']:.3f}",
             f"{m['grouped_floor_s']:.3f}", f"{m['grouped_gemms_s']:.3f}",
             f"{m['gemm_gflops']:.0f}",
             f"{m['default_speedup_vs_grouped']:.2f}x",
             f"{m['max_speedup_vs_grouped']:.2f}x",
             f"{m['steps_per_epoch']}",
             f"{m['epoch_scoring_floor_s']:.0f}",
             f"{m['epoch_floor_s']:.0f}", f"{m['epoch_s']:.0f}"]
            for r in newest_records('floor') for m in [r['metrics']]]
    write_markdown('floor', [
        'graph', 'relation types', 'groups G', 'conv grouped (s)',
        'conv default (s)', 'basis floor (s)', 'grouped floor (s)',
        'grouped GEMMs at true sizes (s)', 'GEMM GFLOP/s',
        'default / grouped',
        'floor / grouped (best possible)', 'teacher steps/epoch',
        'epoch scoring floor (s)', 'epoch floor (s)',
        'epoch measured (s)'], rows, notes=(
        'One conv forward+backward (dim 200, 4 bases, 1 layer) by path, '
        'beside the dense GEMMs each exact fp32 algorithm must run, '
        'timed alone in the same process: the basis one 3 of '
        'N x 4*200 x 200, the grouped one 3 of G x 200 x 200 (as one '
        'GEMM, and as one GEMM per relation at the true group counts, as '
        'it runs). The best possible conv is the smallest of the three; '
        'the teacher epoch floor adds 6 scoring GEMMs (4096 x 200 '
        "x the KG's entities) per step at the benchmark budget and "
        'ignores everything else (gathers, loss, optimiser); "epoch '
        'measured" is one real epoch of `fit` on the same model right '
        'after (without the alignment loss). '
        f'Hardware: {hardware()}.'))


if __name__ == '__main__':
    main()
