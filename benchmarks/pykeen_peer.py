"""PyKEEN peers (RotatE, TransE) on DBP-5L targets, ranked by our evaluator.

Runs inside the peer environment, never in the project's: PyKEEN pins its
own dependency tree, so :func:`peer_python` creates
``benchmarks/.work/venv-pykeen`` on first use (the same torch build, the
pinned PyKEEN and this checkout of pyg_kgt, editable). For each target and seed it trains PyKEEN's model through
``pykeen.pipeline.pipeline`` on the target's own training triples, with
the ids of our reader (so the splits are the very same triples), in its
strong CPU setting: sLCWA, 32 uniformly corrupted negatives per positive
and the self-adversarial negative sampling loss (NSSA). The fixed budget is
``--epochs`` at batch ``--batch-size`` with Adam; no early stopping. The
trained model then scores every candidate for our test queries and our
:func:`~pyg_kgt.evaluation.evaluate_scorer` ranks them under both protocols
(``filtered``: heads and tails, train + val + test filtered; ``lifted``:
tails, train filtered), exactly as for our models. PyKEEN's own tail-side
filtered MRR is kept in ``metrics`` (``pykeen_tail_mrr``) as a check on
the two evaluators.

Writes suite ``dbp5l_transfer``, methods ``pykeen_rotate`` and
``pykeen_transe``; ``wall_s`` is PyKEEN's training time.

    benchmarks/.work/venv-pykeen/bin/python -m benchmarks.pykeen_peer \
        --targets el ja --models rotate transe --seeds 0 1 2
"""
from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from typing import Any, Dict

from benchmarks.results import (append_records, dbp5l_root,
                                default_data, has_record, make_record,
                                newest_records, peak_rss_mb)
from pyg_kgt.data import read_dbp5l
from pyg_kgt.runtime import reset_peak_rss
from pyg_kgt.evaluation import evaluate_scorer

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
VENV = os.path.join(ROOT, 'benchmarks', '.work', 'venv-pykeen')
PYKEEN = 'pykeen==1.11.1'
TORCH = os.environ.get('TORCH', 'torch==2.13.0')
MODELS = {'rotate': 'RotatE', 'transe': 'TransE'}
# Adam learning rate per model, each chosen on the ``el`` validation split
# (filtered MRR) among 0.001 (PyKEEN's default), 0.01 and 0.05; see
# docs/benchmarks.rst for the sweep.
LEARNING_RATES = {'rotate': 0.05, 'transe': 0.01}



def peer_python(venv: str = VENV) -> str:
    r"""Path of the peer environment's interpreter, creating the environment
    (``torch``, ``pykeen``, this pyg_kgt) when its marker file is absent."""
    python = os.path.join(venv, 'bin', 'python')
    marker = os.path.join(venv, f'.installed-{PYKEEN}')
    if os.path.isfile(marker):
        return python
    print(f'creating the peer environment {venv} ({PYKEEN}) ...',
          file=sys.stderr, flush=True)
    steps = [[sys.executable, '-m', 'venv', venv],
             [python, '-m', 'pip', 'install', '-q', TORCH],
             [python, '-m', 'pip', 'install', '-q', PYKEEN],
             [python, '-m', 'pip', 'install', '-q', '-e', ROOT]]
    for step in steps:
        if subprocess.run(step).returncode:
            raise SystemExit(f"creating the peer environment failed at: "
                             f"{' '.join(step)}")
    with open(marker, 'w', encoding='utf-8'):
        pass
    return python


def tail_head_scorer(model):
    r"""Our ``scorer(entity, relation, side)`` over a PyKEEN model."""
    import torch

    def scorer(entity, relation, side):
        if side == 'tail':
            return model.score_t(torch.stack([entity, relation], 1))
        return model.score_h(torch.stack([relation, entity], 1))
    return scorer


def peer_config(model_name: str, args) -> Dict[str, Any]:
    r"""The recorded configuration of one peer run."""
    import torch
    return {'model': MODELS[model_name], 'embedding_dim': args.dim,
            'training_loop': 'sLCWA', 'negative_sampler': 'basic',
            'num_negs_per_pos': args.num_negatives, 'loss': 'NSSA',
            'margin': args.margin, 'adversarial_temperature': 1.0,
            'optimizer': 'Adam', 'lr': learning_rate(model_name, args),
            'epochs': args.epochs,
            'batch_size': args.batch_size,
            'torch_threads': torch.get_num_threads()}


def learning_rate(model_name: str, args) -> float:
    r"""``--lr`` when given, else the model's chosen rate."""
    return args.lr if args.lr is not None else LEARNING_RATES[model_name]


def run_peer(kg, model_name: str, seed: int, args) -> Dict[str, Any]:
    r"""Trains one PyKEEN model on ``kg``'s training triples and evaluates
    it with our protocols; returns ``{"test", "train_s", "config",
    "pykeen_tail_mrr"}``."""
    from pykeen.pipeline import pipeline
    from pykeen.triples import CoreTriplesFactory

    def factory(triples):
        return CoreTriplesFactory.create(triples, kg.num_entities,
                                         kg.num_relations)
    config = peer_config(model_name, args)
    result = pipeline(
        training=factory(kg.train), validation=factory(kg.val),
        testing=factory(kg.test), model=config['model'],
        model_kwargs={'embedding_dim': args.dim},
        training_loop='sLCWA', negative_sampler='basic',
        negative_sampler_kwargs={'num_negs_per_pos': args.num_negatives},
        loss='NSSA', loss_kwargs={'margin': args.margin,
                                  'adversarial_temperature': 1.0},
        optimizer='Adam', optimizer_kwargs={'lr': config['lr']},
        training_kwargs={'num_epochs': args.epochs,
                         'batch_size': args.batch_size,
                         'use_tqdm': args.progress},
        evaluation_kwargs={'use_tqdm': False,
                           'batch_size': args.eval_batch_size},
        random_seed=seed, device='cpu')
    model = result.model.eval()
    test = evaluate_scorer(tail_head_scorer(model), kg, args.split,
                           batch_size=args.eval_batch_size,
                           progress=args.progress)
    own = result.metric_results.get_metric('tail.realistic.inverse_'
                                           'harmonic_mean_rank')
    return {'test': test, 'train_s': result.train_seconds,
            'config': config, 'pykeen_tail_mrr': float(own)}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument('--data', default=default_data())
    parser.add_argument('--targets', nargs='+', default=['el'])
    parser.add_argument('--models', nargs='+', choices=list(MODELS),
                        default=list(MODELS))
    parser.add_argument('--seeds', nargs='+', type=int, default=[0])
    parser.add_argument('--dim', type=int, default=128)
    parser.add_argument('--epochs', type=int, default=100)
    parser.add_argument('--batch-size', type=int, default=512)
    parser.add_argument('--lr', type=float,
                        help='Adam learning rate for every model (default: '
                             'each model\'s chosen rate, LEARNING_RATES)')
    parser.add_argument('--num-negatives', type=int, default=32)
    parser.add_argument('--margin', type=float, default=9.0)
    parser.add_argument('--eval-batch-size', type=int, default=512)
    parser.add_argument('--split', default='test', choices=['val', 'test'],
                        help='val: choose the budget (never written)')
    parser.add_argument('--skip-existing', action='store_true')
    parser.add_argument('--no-write', action='store_true')
    parser.add_argument('--progress', action='store_true')
    args = parser.parse_args()
    args.no_write = args.no_write or args.split != 'test'
    import pykeen
    kg = read_dbp5l(dbp5l_root(args.data), languages=args.targets)
    recorded = newest_records('dbp5l_transfer', dataset='dbp5l') \
        if args.skip_existing else []
    for target in args.targets:
        for model_name in args.models:
            method = f'pykeen_{model_name}'
            for seed in args.seeds:
                if args.skip_existing and has_record(
                        'dbp5l_transfer', target, method, seed,
                        peer_config(model_name, args), records=recorded):
                    continue
                reset_peak_rss()  # this run's own peak, not the largest
                began = time.perf_counter()
                result = run_peer(kg[target], model_name, seed, args)
                records = []
                for protocol, res in result['test'].items():
                    metrics = dict(res['metrics'], epochs=args.epochs,
                                   pykeen_tail_mrr=result['pykeen_tail_mrr'])
                    record = make_record(
                        'dbp5l_transfer', 'dbp5l', method, metrics,
                        result['train_s'], result['config'], target=target,
                        protocol=protocol, seed=seed, peak_rss=peak_rss_mb())
                    record['versions']['pykeen'] = pykeen.get_version()
                    records.append(record)
                    print(f"{target} seed {seed} {method:26s} {protocol:8s} "
                          f"MRR {100 * metrics['mrr']:6.2f} H@1 "
                          f"{100 * metrics['hits1']:6.2f} H@10 "
                          f"{100 * metrics['hits10']:6.2f} "
                          f"({result['train_s']:.0f} s train, "
                          f"{time.perf_counter() - began:.0f} s total)",
                          flush=True)
                if not args.no_write:
                    append_records('dbp5l_transfer', records)


if __name__ == '__main__':
    main()
