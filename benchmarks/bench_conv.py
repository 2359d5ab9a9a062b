"""Relational convolution speed and memory: pyg_kgt vs PyG, side by side.

Each variant runs in its own process (so peak RSS is its own) under an
address-space limit, so a variant that needs more memory than the machine
has fails with MemoryError instead of invoking the OOM killer. Reports the
median seconds per forward+backward iteration of a 2-layer network.

    python benchmarks/bench_conv.py            # the issue's setting
    python benchmarks/bench_conv.py --quick    # a small graph
"""
from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(
    __file__))))

VARIANTS = ('pyg_kgt_conv', 'pyg_rgcnconv', 'pyg_fastrgcnconv')


def build_layers(variant: str, args):
    from torch_geometric.nn import FastRGCNConv, RGCNConv

    from pyg_kgt.nn import RelationalConv
    cls = {'pyg_kgt_conv': RelationalConv, 'pyg_rgcnconv': RGCNConv,
           'pyg_fastrgcnconv': FastRGCNConv}[variant]
    return [cls(args.dim, args.dim, args.relations, num_bases=args.bases)
            for _ in range(args.layers)]


def worker(variant: str, args) -> dict:
    import torch
    torch.manual_seed(0)
    g = torch.Generator().manual_seed(0)
    edge_index = torch.randint(args.nodes, (2, args.edges), generator=g)
    edge_type = torch.randint(args.relations, (args.edges,), generator=g)
    x = torch.randn(args.nodes, args.dim, requires_grad=True)
    layers = build_layers(variant, args)
    setup = 0.0
    graph = (edge_index, edge_type)
    if variant == 'pyg_kgt_conv':
        began = time.perf_counter()
        graph = (layers[0].adjacency(edge_index, edge_type, args.nodes),)
        setup = time.perf_counter() - began
    times = []
    for i in range(args.iters + 1):  # the first is a warm-up
        began = time.perf_counter()
        h = x
        for j, layer in enumerate(layers):
            h = layer(h, *graph)
            if j < len(layers) - 1:
                h = torch.relu(h)
        h.pow(2).mean().backward()
        if i:
            times.append(time.perf_counter() - began)
        for p in [x, *[q for layer in layers for q in layer.parameters()]]:
            p.grad = None
    from benchmarks.results import peak_rss_mb
    return {'s_per_iter': statistics.median(times), 'setup_s': setup,
            'times': times, 'peak_rss_mb': peak_rss_mb(),
            'threads': torch.get_num_threads()}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument('--nodes', type=int, default=30000)
    parser.add_argument('--relations', type=int, default=200)
    parser.add_argument('--edges', type=int, default=300000)
    parser.add_argument('--dim', type=int, default=128)
    parser.add_argument('--layers', type=int, default=2)
    parser.add_argument('--bases', type=int, default=30)
    parser.add_argument('--iters', type=int, default=3)
    parser.add_argument('--memory-limit-gb', type=float, default=22.0)
    parser.add_argument('--variants', nargs='+', default=list(VARIANTS))
    parser.add_argument('--quick', action='store_true')
    parser.add_argument('--no-write', action='store_true')
    parser.add_argument('--worker')
    args = parser.parse_args()
    if args.quick:
        args.nodes, args.edges, args.relations = 3000, 30000, 50
    if args.worker:
        limit = int(args.memory_limit_gb * 2**30)
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
        try:
            print(json.dumps(worker(args.worker, args)))
        except (MemoryError, RuntimeError) as e:
            print(json.dumps({'error': f'{type(e).__name__}: '
                              f'{str(e).splitlines()[0][:160]}'}))
        return

    from benchmarks.results import append_records, make_record, \
        write_markdown
    config = {k: getattr(args, k) for k in ('nodes', 'relations', 'edges',
                                            'dim', 'layers', 'bases',
                                            'iters')}
    results = {}
    for variant in args.variants:
        cmd = [sys.executable, __file__, '--worker', variant]
        cmd += [f'--{k}={v}' for k, v in config.items()]
        cmd += [f'--memory-limit-gb={args.memory_limit_gb}']
        began = time.perf_counter()
        proc = subprocess.run(cmd, capture_output=True, text=True)
        wall = time.perf_counter() - began
        lines = [l for l in proc.stdout.splitlines() if l.startswith('{')]
        out = json.loads(lines[-1]) if lines else {
            'error': f'exit {proc.returncode}: '
                     f'{proc.stderr.strip().splitlines()[-1:]}'}
        out['wall_s'] = wall
        results[variant] = out
        print(variant, json.dumps(out), flush=True)

    ours = results.get('pyg_kgt_conv', {})
    rows, records = [], []
    for variant, out in results.items():
        if 'error' in out:
            rows.append([variant, 'failed', 'failed', '-', '-',
                         out['error']])
            continue
        speedup = (out['s_per_iter'] / ours['s_per_iter']
                   if 's_per_iter' in ours else float('nan'))
        memory = (out['peak_rss_mb'] / ours['peak_rss_mb']
                  if 'peak_rss_mb' in ours else float('nan'))
        rows.append([variant, f"{out['s_per_iter']:.3f}",
                     f"{out['peak_rss_mb']:.0f}", f'{speedup:.1f}x',
                     f'{memory:.1f}x', ''])
        records.append(make_record(
            'conv', 'synthetic', variant,
            {'s_per_iter': out['s_per_iter'], 'setup_s': out['setup_s'],
             'iters_s': out['times']},
            out['wall_s'], config, peak_rss=out['peak_rss_mb']))
    header = ['method', 's/iter (median)', 'peak RSS MB',
              'time vs pyg_kgt', 'memory vs pyg_kgt', 'note']
    print('| ' + ' | '.join(header) + ' |')
    for row in rows:
        print('| ' + ' | '.join(str(v) for v in row) + ' |')
    if not args.no_write:
        append_records('conv', records)
        from benchmarks.results import hardware
        write_markdown('conv', header, rows, notes=(
            f'Forward+backward of {args.layers} layers, {config}; median of '
            f'{args.iters} iterations after one warm-up; each variant in '
            f'its own process. Hardware: {hardware()}.'))


if __name__ == '__main__':
    main()
