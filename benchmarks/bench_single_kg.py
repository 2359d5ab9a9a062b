"""Single-KG RGCN (the target alone) on DBP-5L targets, both protocols.

Writes records of suite ``dbp5l_transfer``, method ``single_kg_rgcn``, one
per (target, protocol, seed), and prints mean +- std over seeds.

    python benchmarks/bench_single_kg.py --targets el ja --seeds 0 1 2
"""
from __future__ import annotations

import argparse
import os
import statistics
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(
    __file__))))

from benchmarks.results import (append_records, dbp5l_root,  # noqa
                                default_data, make_record, peak_rss_mb)
from pyg_kgt.data import read_dbp5l  # noqa: E402
from pyg_kgt.environment import reset_peak_rss  # noqa: E402
from pyg_kgt.models import ModelConfig  # noqa: E402
from pyg_kgt.training import TrainingConfig, train_single_kg  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument('--data', default=default_data())
    parser.add_argument('--targets', nargs='+', default=['el', 'ja'])
    parser.add_argument('--seeds', nargs='+', type=int, default=[0, 1, 2])
    parser.add_argument('--epochs', type=int, default=100)
    parser.add_argument('--dim', type=int, default=200)
    parser.add_argument('--layers', type=int, default=1)
    parser.add_argument('--bases', type=int, default=4)
    parser.add_argument('--decoder', default='distmult')
    parser.add_argument('--lr', type=float, default=0.005)
    parser.add_argument('--batch-size', type=int, default=1024)
    parser.add_argument('--dropout', type=float, default=0.2)
    parser.add_argument('--no-write', action='store_true')
    parser.add_argument('--progress', action='store_true')
    args = parser.parse_args()
    root = dbp5l_root(args.data)
    data = read_dbp5l(root, languages=args.targets)
    model_config = ModelConfig(hidden_channels=args.dim,
                               num_layers=args.layers, num_bases=args.bases,
                               decoder=args.decoder, dropout=args.dropout)
    for target in args.targets:
        kg = data[target]
        scores = {}
        for seed in args.seeds:
            training = TrainingConfig(epochs=args.epochs, lr=args.lr,
                                      batch_size=args.batch_size, seed=seed,
                                      eval_every=5, patience=3,
                                      progress=args.progress)
            reset_peak_rss()
            result = train_single_kg(kg, model_config, training)
            records = []
            for protocol, res in result['test'].items():
                metrics = dict(res['metrics'])
                metrics['epochs'] = len(result['history'])
                metrics['train_s'] = result['train_s']
                scores.setdefault(protocol, []).append(metrics)
                records.append(make_record(
                    'dbp5l_transfer', 'dbp5l', 'single_kg_rgcn', metrics,
                    result['wall_s'],
                    {'model': model_config.to_dict(),
                     'training': training.to_dict()},
                    target=target, protocol=protocol, seed=seed,
                    peak_rss=peak_rss_mb()))
            if not args.no_write:
                append_records('dbp5l_transfer', records)
            print(target, seed, {p: round(r['metrics']['mrr'], 4)
                                 for p, r in result['test'].items()},
                  f"{result['wall_s']:.1f}s", flush=True)
        for protocol, runs in scores.items():
            summary = []
            for key in ('mrr', 'hits1', 'hits10'):
                values = [100 * r[key] for r in runs]
                std = statistics.stdev(values) if len(values) > 1 else 0.0
                summary.append(f'{key} {statistics.mean(values):.2f}'
                               f'+-{std:.2f}')
            wall = statistics.mean(r['train_s'] for r in runs)
            print(f'{target} {protocol}: ' + ', '.join(summary) +
                  f', train {wall:.0f}s')


if __name__ == '__main__':
    main()
