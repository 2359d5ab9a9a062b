"""Evaluation throughput on DBP-5L `en` test vs the scoring-matmul bound.

The bound is the time of the scoring matrix products alone (one
``[B, d] @ [d, N]`` per batch, same batches); the evaluator adds filter
lookup, the tie-aware rank counts and bookkeeping on top. Median of
``--repeats`` runs, in one process, same embeddings. ``--device cuda``
measures a GPU (suite ``eval_speed_cuda``, the GPU named).

    python -m benchmarks.bench_eval_speed [--data ../shared/data]
    python -m benchmarks.bench_eval_speed --device cuda
"""
from __future__ import annotations

import argparse
import statistics
import time

import torch

from benchmarks.results import (append_records, dbp5l_root,
                                default_data, hardware, make_record,
                                write_markdown)
from pyg_kgt.data import read_dbp5l
from pyg_kgt.evaluation import evaluate_link_prediction
from pyg_kgt.nn import DistMult


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument('--data', default=default_data())
    parser.add_argument('--language', default='en')
    parser.add_argument('--dim', type=int, default=200)
    parser.add_argument('--batch-size', type=int, default=512)
    parser.add_argument('--repeats', type=int, default=3)
    parser.add_argument('--device', default='cpu')
    parser.add_argument('--no-write', action='store_true')
    args = parser.parse_args()
    device = torch.device(args.device)
    suite = 'eval_speed' if device.type == 'cpu' else \
        f'eval_speed_{device.type}'
    root = dbp5l_root(args.data)
    kg = read_dbp5l(root, languages=[args.language])[args.language]
    torch.manual_seed(0)
    embeddings = torch.randn(kg.num_entities, args.dim).to(device)
    decoder = DistMult(kg.num_relations, args.dim).to(device)
    known = {'train': kg.train, 'val': kg.val, 'test': kg.test}

    def sync() -> None:
        if device.type == 'cuda':
            torch.cuda.synchronize()

    def scorer(entity, relation, side):
        if side == 'tail':
            return decoder.score_tails(embeddings[entity], relation,
                                       embeddings)
        return decoder.score_heads(relation, embeddings[entity], embeddings)

    def bound(sides: int) -> float:
        queries = torch.randn(kg.test.size(0), args.dim, device=device)
        began = time.perf_counter()
        for _ in range(sides):
            for batch in torch.split(queries, args.batch_size):
                batch @ embeddings.t()
        sync()
        return time.perf_counter() - began

    rows, records = [], []
    for protocol, sides in (('filtered', 2), ('lifted', 1)):
        ours, mm = [], []
        for _ in range(args.repeats):
            mm.append(bound(sides))
            began = time.perf_counter()
            result = evaluate_link_prediction(
                scorer, kg.test, protocol, known, kg.num_relations,
                args.batch_size)
            sync()
            ours.append(time.perf_counter() - began)
        queries = result['num_queries']
        t_ours, t_mm = statistics.median(ours), statistics.median(mm)
        metrics = {'queries_per_s': queries / t_ours,
                   'bound_queries_per_s': queries / t_mm,
                   'ratio_to_bound': t_ours / t_mm, 's_per_run': t_ours}
        rows.append([protocol, queries, f'{t_ours:.3f}', f'{t_mm:.3f}',
                     f"{metrics['queries_per_s']:.0f}",
                     f"{metrics['bound_queries_per_s']:.0f}",
                     f"{metrics['ratio_to_bound']:.2f}"])
        records.append(make_record(
            suite, 'dbp5l', 'pyg_kgt_evaluator', metrics, t_ours,
            {'dim': args.dim, 'batch_size': args.batch_size,
             'repeats': args.repeats, 'entities': kg.num_entities,
             'test_triples': int(kg.test.size(0))},
            target=args.language, protocol=protocol))
    header = ['protocol', 'queries', 'evaluator s', 'matmul-only s',
              'queries/s', 'bound queries/s', 'ratio']
    print('| ' + ' | '.join(header) + ' |')
    for row in rows:
        print('| ' + ' | '.join(str(v) for v in row) + ' |')
    if not args.no_write:
        append_records(suite, records)
        write_markdown(suite, header, rows, notes=(
            f'DBP-5L `{args.language}` test ({kg.test.size(0)} triples, '
            f'{kg.num_entities} entities), DistMult, dim {args.dim}, batch '
            f'{args.batch_size}; median of {args.repeats} runs. The bound '
            f'is the scoring matmuls alone. Hardware: {hardware()}'
            + (f', {torch.cuda.get_device_name(device)}.'
               if device.type == 'cuda' else '.')))


if __name__ == '__main__':
    main()
