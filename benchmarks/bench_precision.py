"""Mixed precision's effect on quality and time (suite ``precision``).

Trains the single-KG baseline (the student's architecture, as in
``bench_own_data``) on SRPRS ``fr`` (80/10/10 seeded split) with
``training.precision`` fp32 and bf16 side by side, one process per run,
and records filtered test MRR and training seconds.

    python -m benchmarks.bench_precision [--seeds 0 1] [--epochs 40]
"""
from __future__ import annotations

import argparse
import json
import os
import sys

from benchmarks.results import (append_records, default_data, make_record,
                                newest_records, run_worker, write_markdown,
                                apply_runtime)

SUITE = 'precision'
PAIR = 'srprs_15k/en_fr_15k_V1'
PRECISIONS = ('fp32', 'bf16')


def worker(args: argparse.Namespace) -> dict:
    from pyg_kgt.data import read_multi_source
    from pyg_kgt.data.split import split_multi_source
    from pyg_kgt.models import LocalStudentConfig, train_single_kg
    from pyg_kgt.training import TrainingConfig
    kg = split_multi_source(read_multi_source(os.path.join(
        args.data, PAIR)), seed=0)[0][args.target]
    training = TrainingConfig(epochs=args.epochs, seed=args.seed,
                              precision=args.precision, device='cpu')
    result = train_single_kg(kg, LocalStudentConfig().model, training)
    return {'mrr': result['test']['filtered']['metrics']['mrr'],
            'train_s': result['train_s'], 'epochs': len(result['history']),
            'config': training.to_dict()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--data', default=default_data())
    parser.add_argument('--target', default='fr')
    parser.add_argument('--seeds', type=int, nargs='+', default=[0, 1])
    parser.add_argument('--epochs', type=int, default=40)
    parser.add_argument('--worker', action='store_true')
    parser.add_argument('--seed', type=int, default=0)
    parser.add_argument('--precision', default='fp32', choices=PRECISIONS)
    parser.add_argument('--render-only', action='store_true')
    args = parser.parse_args()
    if args.worker:
        print(json.dumps(worker(args)))
        return
    if not args.render_only:
        for seed in args.seeds:
            for precision in PRECISIONS:
                out = run_worker([
                    sys.executable, '-m', 'benchmarks.bench_precision',
                    '--worker', f'--data={args.data}', f'--seed={seed}',
                    f'--target={args.target}', f'--epochs={args.epochs}',
                    f'--precision={precision}'])
                if 'error' in out:
                    raise SystemExit(f'{precision} seed {seed}: '
                                     f"{out['error']}")
                print(f"seed {seed} {precision}: MRR {out['mrr']:.4f}, "
                      f"{out['train_s']:.0f} s", flush=True)
                append_records(SUITE, [make_record(
                    SUITE, PAIR, f'single_kg_rgcn_{precision}',
                    {'mrr': out['mrr'], 'epochs': out['epochs']},
                    out['train_s'], out['config'], args.target, 'filtered',
                    seed)])
    render()


def render() -> None:
    rows = []
    by_method: dict = {}
    for r in newest_records(SUITE):
        by_method.setdefault(r['method'], []).append(r)
    for method, records in sorted(by_method.items()):
        mrr = [100 * r['metrics']['mrr'] for r in records]
        seconds = [r['wall_s'] for r in records]
        rows.append((method, ', '.join(f'{m:.2f}' for m in mrr),
                     f'{sum(mrr) / len(mrr):.2f}',
                     f'{sorted(seconds)[len(seconds) // 2]:.0f}'))
    hardware = sorted({r['hardware'] for rs in by_method.values()
                       for r in rs})
    write_markdown(SUITE, ('method', 'filtered test MRR % per seed', 'mean',
                           'median train s'), rows,
                   f'Single-KG baseline on SRPRS fr, fp32 vs bf16 autocast, '
                   f'run one after the other; hardware: '
                   f"{', '.join(hardware)}.")


if __name__ == '__main__':
    apply_runtime()  # the process's policy, as the CLI's
    main()
