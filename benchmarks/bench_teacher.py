"""JointTeacher on DBP-5L: joint pre-training vs each source alone.

Pre-trains a teacher on the sources (JMAC alignment split, so the test
alignment pairs stay unseen), evaluates link prediction on every source
under both protocols and entity alignment on every source pair, then
trains the same encoder on each source alone with the same budget.
Writes suite ``teacher`` (methods ``joint_teacher``, ``single_kg_rgcn``;
alignment records have protocol null). ``--pending`` trains nothing: it
exits 0 when the teacher's link prediction records are already there with
this configuration, 1 otherwise (``benchmarks/run.py`` then knows whether
a teacher that is not saved must be trained again).

    python -m benchmarks.bench_teacher --sources en fr es ja --epochs 20
"""
from __future__ import annotations

import argparse
import itertools
import sys
import time
from typing import Optional, Sequence


from benchmarks.results import (append_records, comparable,
                                dbp5l_root, default_data, make_record,
                                newest_records, peak_rss_mb,
                                apply_runtime)
from pyg_kgt.data import read_dbp5l
from pyg_kgt.models import (JointTeacher, JointTeacherConfig,
                            ModelConfig)
from pyg_kgt.models.single_kg import train_single_kg
from pyg_kgt.training import TrainingConfig


def teacher_config(dim: int, linking: str = 'same_as'
                   ) -> JointTeacherConfig:
    r"""The teacher this script trains with ``--dim`` and ``--linking``."""
    return JointTeacherConfig(model=ModelConfig(hidden_channels=dim),
                              linking=linking)


def recorded(sources: Sequence[str], seed: int, meta: dict) -> bool:
    r"""Whether a teacher trained with ``meta`` has link prediction
    records on every source, under any ``joint_teacher*`` name (the suffix
    only labels the held-out target; ``joint_teacher`` is the older name
    of ``joint_teacher_no_el``)."""
    found = {r['target'] for r in newest_records('teacher')
             if r['method'].startswith('joint_teacher')
             and r['protocol'] == 'filtered' and r['seed'] == seed
             and comparable(r['config']) == comparable(meta)}
    return set(sources) <= found


def main(argv: Optional[Sequence[str]] = None) -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument('--data', default=default_data())
    parser.add_argument('--sources', nargs='+',
                        default=['en', 'fr', 'es', 'ja'])
    parser.add_argument('--epochs', type=int, default=20)
    parser.add_argument('--dim', type=int, default=200)
    parser.add_argument('--batch-size', type=int, default=4096)
    parser.add_argument('--lr', type=float, default=0.01)
    parser.add_argument('--linking', default='same_as')
    parser.add_argument('--seed', type=int, default=0)
    parser.add_argument('--alignment-split', default='jmac',
                        choices=['jmac', 'all'],
                        help="jmac: JMAC's 50/50 split (held-out pairs "
                        'measure alignment); all: every seed pair trains')
    parser.add_argument('--skip-single', action='store_true')
    parser.add_argument('--save', help='folder to save the teacher in')
    parser.add_argument('--method-suffix', default='',
                        help='appended to every method name, e.g. _no_ja '
                             'for a teacher that holds out ja')
    parser.add_argument('--precision', default='fp32',
                        choices=['fp32', 'bf16'])
    parser.add_argument('--no-write', action='store_true')
    parser.add_argument('--progress', action='store_true')
    parser.add_argument('--pending', action='store_true',
                        help='exit 1 if the teacher is not recorded yet')
    args = parser.parse_args(argv)
    config = teacher_config(args.dim, args.linking)
    training = TrainingConfig(epochs=args.epochs, eval_every=5, patience=3,
                              batch_size=args.batch_size, lr=args.lr,
                              seed=args.seed, progress=args.progress,
                              precision=args.precision)
    meta = {'model': config.model.to_dict(), 'training': training.to_dict(),
            'linking': args.linking, 'sources': args.sources,
            'alignment_split': args.alignment_split}
    if args.pending:
        sys.exit(int(not recorded(args.sources, args.seed, meta)))
    root = dbp5l_root(args.data)
    kg = read_dbp5l(root, languages=args.sources,
                    alignment_split=args.alignment_split)
    dataset = 'dbp5l' if args.alignment_split == 'jmac' else 'dbp5l_all'
    write = (lambda recs: None) if args.no_write else (
        lambda recs: append_records('teacher', recs))

    began = time.perf_counter()
    teacher = JointTeacher(config)
    history = teacher.fit(kg, training)
    wall = time.perf_counter() - began
    rss = peak_rss_mb()
    print(f'teacher: {len(history)} epochs, {wall:.0f} s, peak RSS '
          f'{rss:.0f} MB', flush=True)
    if args.save:
        teacher.save(args.save)
    records = []
    for name, results in teacher.evaluate(kg).items():
        for protocol, result in results.items():
            metrics = dict(result['metrics'], epochs=len(history))
            records.append(make_record('teacher', dataset,
                                       'joint_teacher' + args.method_suffix,
                                       metrics, wall, meta, target=name,
                                       protocol=protocol, seed=args.seed,
                                       peak_rss=rss))
            print(f'joint_teacher {name} {protocol}: mrr '
                  f"{metrics['mrr']:.4f} hits1 {metrics['hits1']:.4f} "
                  f"hits10 {metrics['hits10']:.4f}", flush=True)
    for a, b in itertools.combinations(args.sources, 2):
        links = kg.links(a, b)
        if links is None:
            continue
        if not links.test.numel():
            print(f'alignment {a}-{b}: not evaluated (every seed pair '
                  f'trains: alignment_split {args.alignment_split})',
                  flush=True)
            continue
        for csls in (None, 10):
            result = teacher.evaluate_alignment(links.test, a, b, csls)
            method = ('joint_teacher_alignment' + ('_csls' if csls else '')
                      + args.method_suffix)
            records.append(make_record(
                'teacher', dataset, method,
                {k: result[k] for k in ('hits1', 'hits10', 'mrr', 'mr',
                                        'num_pairs')},
                wall, dict(meta, similarity=result['similarity']),
                target=f'{a}-{b}', seed=args.seed, peak_rss=rss))
            print(f'alignment {a}-{b} {result["similarity"]}: hits1 '
                  f"{result['hits1']:.4f} hits10 {result['hits10']:.4f} "
                  f"mrr {result['mrr']:.4f}", flush=True)
    write(records)
    if args.skip_single:
        return
    for name in args.sources:
        result = train_single_kg(kg[name], config.model, training)
        records = []
        for protocol, res in result['test'].items():
            metrics = dict(res['metrics'], epochs=len(result['history']))
            records.append(make_record(
                'teacher', dataset, 'single_kg_rgcn' + args.method_suffix,
                metrics,
                result['wall_s'], meta, target=name, protocol=protocol,
                seed=args.seed, peak_rss=peak_rss_mb()))
            print(f'single_kg_rgcn {name} {protocol}: mrr '
                  f"{metrics['mrr']:.4f} hits1 {metrics['hits1']:.4f} "
                  f"({result['wall_s']:.0f} s)", flush=True)
        write(records)


if __name__ == '__main__':
    apply_runtime()  # the process's policy, as the CLI's
    main()
