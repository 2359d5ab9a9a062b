"""Relational convolution speed and memory: pyg_kgt vs PyG, side by side.

Each variant runs in its own process (so peak RSS is its own) under an
address-space limit, so a variant that needs more memory than the machine
has fails with MemoryError instead of invoking the OOM killer. Reports the
median seconds per forward+backward iteration.

The graph (``--graph``) is a uniform random one (``uniform``, sizes from
the flags), the product-KG shape of
:func:`pyg_kgt.data.make_product_multi_source_kg` (``product``: few shared
relations, hubs), or the real DBP-5L joint teacher graph of 4 sources
(``dbp5l-4``: en, fr, es, ja) or all 5 (``dbp5l-5``), with inverses and
``same_as`` edges as the teacher sees it.

    python -m benchmarks.bench_conv                       # uniform
    python -m benchmarks.bench_conv --graph dbp5l-4 --dim 200 --bases 4 \
        --layers 1
    python -m benchmarks.bench_conv --quick               # a small graph
    python -m benchmarks.bench_conv --device cuda --iters 20
    python -m benchmarks.bench_conv --render-only         # table only

On a GPU (``--device cuda``) the graph and layers live on the device, every
timing is bracketed by ``torch.cuda.synchronize()``, memory is the peak
allocated by PyTorch on the device, no address-space limit is set (CUDA
reserves far more virtual memory than it uses), and the results go to suite
``conv_cuda`` so the CPU table stays as it is.
"""
from __future__ import annotations

import argparse
import json
import resource
import statistics
import sys
import time

from benchmarks.results import default_data

GRAPHS = ('uniform', 'product', 'dbp5l-4', 'dbp5l-5')
DBP5L_SOURCES = {'dbp5l-4': ['en', 'fr', 'es', 'ja'],
                 'dbp5l-5': ['en', 'fr', 'es', 'ja', 'el']}
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


def load_graph(args):
    r"""``(edge_index, edge_type, num_nodes, num_relations)`` of
    ``args.graph``; the uniform graph's sizes come from the flags."""
    import torch
    if args.graph == 'uniform':
        g = torch.Generator().manual_seed(0)
        edge_index = torch.randint(args.nodes, (2, args.edges), generator=g)
        edge_type = torch.randint(args.relations, (args.edges,), generator=g)
        return edge_index, edge_type, args.nodes, args.relations
    from pyg_kgt.data.joint_graph import JointGraph
    if args.graph == 'product':
        from pyg_kgt.data import make_product_multi_source_kg
        kg = make_product_multi_source_kg()
    else:
        from benchmarks.results import dbp5l_root
        from pyg_kgt.data import read_dbp5l
        kg = read_dbp5l(dbp5l_root(args.data),
                        languages=DBP5L_SOURCES[args.graph])
    graph = JointGraph.build(kg)
    return (graph.edge_index, graph.edge_type, graph.num_nodes,
            graph.num_message_relations)


def worker(variant: str, args) -> dict:
    import torch

    from pyg_kgt.runtime import reuse_freed_memory
    reuse_freed_memory()  # as training does (training.reuse_memory)
    device = torch.device(args.device)
    cuda = device.type == 'cuda'

    def clock() -> float:
        if cuda:  # kernels run asynchronously: wait for them
            torch.cuda.synchronize(device)
        return time.perf_counter()

    edge_index, edge_type, args.nodes, args.relations = load_graph(args)
    edge_index, edge_type = edge_index.to(device), edge_type.to(device)
    torch.manual_seed(0)
    x = torch.randn(args.nodes, args.dim, device=device, requires_grad=True)
    layers = [layer.to(device) for layer in build_layers(variant, args)]
    setup = 0.0
    graph = (edge_index, edge_type)
    path = ''
    if variant.startswith('pyg_kgt_conv'):
        began = clock()
        graph = (layers[0].adjacency(edge_index, edge_type, args.nodes),)
        setup = clock() - began
        path = layers[0].message_method(graph[0])
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
           'path': path,
           'times': times, 'peak_rss_mb': peak_rss_mb(),
           'threads': torch.get_num_threads(),
           'graph': {'nodes': args.nodes, 'edges': edge_index.size(1),
                     'relations': args.relations}}
    if cuda:
        out['peak_gpu_mb'] = torch.cuda.max_memory_allocated(device) / 2**20
    return out


def render(suite: str) -> str:
    r"""Writes ``<suite>.md`` from the newest record of every (graph,
    variant): per graph, each variant's time and memory against the
    default path (``pyg_kgt_conv``) and against ``method='grouped'``."""
    from benchmarks.results import newest_records, write_markdown
    records = newest_records(suite)
    header = ['graph', 'method', 's/iter (median)', 'peak memory MB',
              'time / default', 'time / grouped', 'memory / default',
              'note']
    rows, settings = [], []
    for graph in dict.fromkeys(r['dataset'] for r in records):
        runs = {r['method']: r for r in records if r['dataset'] == graph}
        memory = {m: r['metrics'].get('peak_gpu_mb', r['peak_rss_mb'])
                  for m, r in runs.items()}
        ours, grouped = runs.get('pyg_kgt_conv'), runs.get(
            'pyg_kgt_conv_grouped')

        def ratio(record, base, key='s_per_iter'):
            if record is None or base is None or key not in base['metrics']:
                return '-'
            return f"{record['metrics'][key] / base['metrics'][key]:.2f}x"
        for method, record in runs.items():
            m = record['metrics']
            if 'error' in m:
                rows.append([graph, method, 'failed', 'failed', '-', '-',
                             '-', m['error'][:120]])
                continue
            note = m.get('path', '')
            rows.append([graph, method, f"{m['s_per_iter']:.4f}",
                         f'{memory[method]:.0f}', ratio(record, ours),
                         ratio(record, grouped),
                         f"{memory[method] / memory['pyg_kgt_conv']:.1f}x"
                         if 'pyg_kgt_conv' in memory else '-',
                         f'path: {note}' if note else ''])
        any_run = next(iter(runs.values()))
        settings.append(f"`{graph}`: {any_run['config']}; "
                        f"{any_run['hardware']}")
    return write_markdown(suite, header, rows, notes=(
        'Forward+backward per iteration, median after one warm-up; each '
        'variant in its own process; "time / default" is the time over '
        'the default path\'s (`pyg_kgt_conv`, `method="auto"`), so PyG\'s '
        'rows read as how many times slower they are. Settings:\n\n' +
        '\n'.join(f'- {line}' for line in settings)))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument('--graph', choices=GRAPHS, default='uniform')
    parser.add_argument('--data', default=default_data())
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
    parser.add_argument('--render-only', action='store_true',
                        help='rewrite the table from the records and stop')
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

    suite = 'conv' if on_cpu else f"conv_{args.device.split(':')[0]}"
    if args.render_only:
        render(suite)
        return
    from benchmarks.results import append_records, make_record, run_worker
    config = {k: getattr(args, k) for k in ('graph', 'nodes', 'relations',
                                            'edges', 'dim', 'layers',
                                            'bases', 'iters', 'device')}
    if args.graph != 'uniform':  # sizes come from the graph
        for key in ('nodes', 'relations', 'edges'):
            config.pop(key)
    dataset = 'synthetic' if args.graph == 'uniform' else args.graph
    records = []
    for variant in args.variants:
        cmd = [sys.executable, '-m', 'benchmarks.bench_conv', '--worker',
               variant, f'--data={args.data}',
               f'--memory-limit-gb={args.memory_limit_gb}']
        cmd += [f'--{k}={v}' for k, v in config.items()]
        if args.graph == 'uniform':
            cmd += [f'--{k}={getattr(args, k)}'
                    for k in ('nodes', 'relations', 'edges')]
        began = time.perf_counter()
        out = run_worker(cmd)
        wall = time.perf_counter() - began
        print(variant, json.dumps(out), flush=True)
        if 'error' in out:
            metrics = {'error': out['error']}
        else:
            metrics = {'s_per_iter': out['s_per_iter'],
                       'setup_s': out['setup_s'], 'iters_s': out['times'],
                       'path': out.get('path', ''),
                       'threads': out['threads'], 'graph': out['graph']}
            if not on_cpu:
                metrics['peak_gpu_mb'] = out['peak_gpu_mb']
        records.append(make_record(suite, dataset, variant, metrics, wall,
                                   config, peak_rss=out.get('peak_rss_mb')))
    if not args.no_write:
        append_records(suite, records)
        with open(render(suite), encoding='utf-8') as f:
            print(f.read())


if __name__ == '__main__':
    main()
