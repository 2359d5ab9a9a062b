"""Relational convolution speed and memory: pyg_kgt vs PyG, side by side.

Each variant runs in its own process (so peak RSS is its own) under an
address-space limit, so a variant that needs more memory than the machine
has fails with MemoryError instead of invoking the OOM killer. Reports the
median seconds per forward+backward iteration of a 2-layer network.

    python benchmarks/bench_conv.py            # the issue's setting
    python benchmarks/bench_conv.py --quick    # a small graph
    python benchmarks/bench_conv.py --device cuda --iters 20

On a GPU (``--device cuda``) the graph and layers live on the device, every
timing is bracketed by ``torch.cuda.synchronize()``, memory is the peak
allocated by PyTorch on the device, no address-space limit is set (CUDA
reserves far more virtual memory than it uses), and the results go to suite
``conv_cuda`` so the CPU table stays as it is.
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

VARIANTS = ('pyg_kgt_conv', 'pyg_kgt_conv_grouped', 'pyg_kgt_conv_basis',
            'pyg_rgcnconv', 'pyg_fastrgcnconv')


def build_layers(variant: str, args):
    import functools

    from torch_geometric.nn import FastRGCNConv, RGCNConv

    from pyg_kgt.nn import RelationalConv
    cls = {'pyg_kgt_conv': RelationalConv, 'pyg_rgcnconv': RGCNConv,
           'pyg_fastrgcnconv': FastRGCNConv}.get(variant)
    if variant.startswith('pyg_kgt_conv_'):  # one message path, forced
        cls = functools.partial(RelationalConv,
                                method=variant[len('pyg_kgt_conv_'):])
    return [cls(args.dim, args.dim, args.relations, num_bases=args.bases)
            for _ in range(args.layers)]


def worker(variant: str, args) -> dict:
    import torch
    device = torch.device(args.device)
    cuda = device.type == 'cuda'

    def clock() -> float:
        if cuda:  # kernels run asynchronously: wait for them
            torch.cuda.synchronize(device)
        return time.perf_counter()

    torch.manual_seed(0)
    g = torch.Generator().manual_seed(0)
    edge_index = torch.randint(args.nodes, (2, args.edges),
                               generator=g).to(device)
    edge_type = torch.randint(args.relations, (args.edges,),
                              generator=g).to(device)
    x = torch.randn(args.nodes, args.dim, device=device, requires_grad=True)
    layers = [layer.to(device) for layer in build_layers(variant, args)]
    setup = 0.0
    graph = (edge_index, edge_type)
    if variant.startswith('pyg_kgt_conv'):
        began = clock()
        graph = (layers[0].adjacency(edge_index, edge_type, args.nodes),)
        setup = clock() - began
    if cuda:
        torch.cuda.reset_peak_memory_stats(device)
    times = []
    for i in range(args.iters + 1):  # the first is a warm-up
        began = clock()
        h = x
        for j, layer in enumerate(layers):
            h = layer(h, *graph)
            if j < len(layers) - 1:
                h = torch.relu(h)
        h.pow(2).mean().backward()
        if i:
            times.append(clock() - began)
        for p in [x, *[q for layer in layers for q in layer.parameters()]]:
            p.grad = None
    from benchmarks.results import peak_rss_mb
    out = {'s_per_iter': statistics.median(times), 'setup_s': setup,
           'times': times, 'peak_rss_mb': peak_rss_mb(),
           'threads': torch.get_num_threads()}
    if cuda:
        out['peak_gpu_mb'] = torch.cuda.max_memory_allocated(device) / 2**20
    return out


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
    parser.add_argument('--device', default='cpu',
                        help='cpu, cuda or cuda:N (default: cpu)')
    parser.add_argument('--quick', action='store_true')
    parser.add_argument('--no-write', action='store_true')
    parser.add_argument('--worker')
    args = parser.parse_args()
    if args.quick:
        args.nodes, args.edges, args.relations = 3000, 30000, 50
    on_cpu = args.device == 'cpu'
    if args.worker:
        if on_cpu:
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
                                            'iters', 'device')}
    suite = 'conv' if on_cpu else f"conv_{args.device.split(':')[0]}"
    memory_key = 'peak_rss_mb' if on_cpu else 'peak_gpu_mb'
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
        memory = (out[memory_key] / ours[memory_key]
                  if memory_key in ours else float('nan'))
        rows.append([variant, f"{out['s_per_iter']:.4f}",
                     f"{out[memory_key]:.0f}", f'{speedup:.1f}x',
                     f'{memory:.1f}x', ''])
        metrics = {'s_per_iter': out['s_per_iter'],
                   'setup_s': out['setup_s'], 'iters_s': out['times']}
        if not on_cpu:
            metrics['peak_gpu_mb'] = out['peak_gpu_mb']
        records.append(make_record(suite, 'synthetic', variant, metrics,
                                   out['wall_s'], config,
                                   peak_rss=out['peak_rss_mb']))
    header = ['method', 's/iter (median)',
              'peak RSS MB' if on_cpu else 'peak GPU MB',
              'time vs pyg_kgt', 'memory vs pyg_kgt', 'note']
    print('| ' + ' | '.join(header) + ' |')
    for row in rows:
        print('| ' + ' | '.join(str(v) for v in row) + ' |')
    if not args.no_write:
        append_records(suite, records)
        from benchmarks.results import hardware
        write_markdown(suite, header, rows, notes=(
            f'Forward+backward of {args.layers} layers, {config}; median of '
            f'{args.iters} iterations after one warm-up; each variant in '
            f'its own process. Hardware: {hardware()}.'))


if __name__ == '__main__':
    main()
