"""What the machine allows: the dense-GEMM floor of a conv and a teacher
step, beside the conv's measured paths, in one process.

A basis-decomposed layer does at least three dense GEMMs of
:math:`N \\times B\\,d_{in} \\times d_{out}` (forward, and the two
gradients; see :mod:`pyg_kgt.nn.conv.basis_message`); a 1-N teacher step
at least six of :math:`B_q \\times d \\times C` for scoring (two
directions forward, two gradients each). Timing those GEMMs alone, at the
machine's BLAS speed, gives a floor no exact fp32 implementation can beat
here; this script measures it next to the conv's ``grouped`` and default
paths (forward + backward, median after a warm-up) so the ratios compare
like with like.

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
    groups = teacher.graph.triple_groups(kg)
    steps = {g.name: math.ceil(len(g) / batch) for g in groups}
    queries = torch.randn(batch, d)
    scoring = 0.0  # per epoch: six GEMMs a step against its KG's entities
    for g in groups:
        pool = torch.randn(g.candidates.numel(), d)
        scoring += steps[g.name] * 6 * median_seconds(
            lambda: queries @ pool.t(), iters)
    total_steps = sum(steps.values())
    flops = 2 * n * bases * d * d
    return {'conv_grouped_s': grouped, 'conv_default_s': default,
            'conv_floor_s': 3 * conv_gemm,
            'gemm_gflops': flops / conv_gemm / 1e9,
            'max_speedup_vs_grouped': grouped / (3 * conv_gemm),
            'default_speedup_vs_grouped': grouped / default,
            'steps_per_epoch': total_steps,
            'epoch_floor_s': total_steps * 3 * conv_gemm + scoring,
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
    rows = [[r['dataset'], f"{m['conv_grouped_s']:.3f}",
             f"{m['conv_default_s']:.3f}", f"{m['conv_floor_s']:.3f}",
             f"{m['gemm_gflops']:.0f}",
             f"{m['default_speedup_vs_grouped']:.2f}x",
             f"{m['max_speedup_vs_grouped']:.2f}x",
             f"{m['steps_per_epoch']}",
             f"{m['epoch_scoring_floor_s']:.0f}",
             f"{m['epoch_floor_s']:.0f}"]
            for r in newest_records('floor') for m in [r['metrics']]]
    write_markdown('floor', [
        'graph', 'conv grouped (s)', 'conv default (s)',
        'conv GEMM floor (s)', 'GEMM GFLOP/s', 'default / grouped',
        'floor / grouped (best possible)', 'teacher steps/epoch',
        'epoch scoring floor (s)', 'epoch floor (s)'], rows, notes=(
        'One conv forward+backward (dim 200, 4 bases, 1 layer) by path, '
        'and the dense GEMMs any exact fp32 basis path must run '
        '(3 of N x 4*200 x 200), timed alone in the same process; '
        'the teacher epoch floor adds 6 scoring GEMMs (4096 x 200 x '
        "the KG's entities) per step at the benchmark budget and "
        'ignores everything else (gathers, loss, optimiser). '
        f'Hardware: {hardware()}.'))


if __name__ == '__main__':
    main()
