"""Transfer beyond DBP-5L (suite ``transfer_suite``): entity-alignment pairs
made link-prediction settings, with the library's defaults unchanged.

Each pair of SRPRS (``en_fr``, ``en_de``: one schema; ``dbp_wd``,
``dbp_yg``: relations named differently) and DBP15K (``zh_en``,
``ja_en``: relation ids, no names) is split 80/10/10 per KG (seed 0, as
``pyg-kgt split``); the teacher is pre-trained on the first KG (saved in
``<teachers>/<pair>`` and reused), the student and its twins re-train the
second on the linked subgraph; ``joint_from_scratch`` trains one model on
both KGs. The benchmark budget (:class:`benchmarks.budget.Budget`) and the
student's defaults (``LocalStudentConfig()``, ``relation_alignment:
auto``) are those of the DBP-5L table. ``--relation-alignment none``
records the names-only variant (methods suffixed ``_names_only``); the
inferred relation table of each pair is written beside the results
(``relations_<pair>.tsv``).

    python -m benchmarks.transfer_suite --pairs srprs_dbp_wd --seeds 0 1 2
    python -m benchmarks.transfer_suite --render-only
"""
from __future__ import annotations

import argparse
import os
import sys
import time
from typing import Optional, Sequence

from benchmarks import results as store
from benchmarks.budget import Budget
from benchmarks.report import aggregate, cell
from benchmarks.results import (append_records, default_data,
                                has_record, make_record, newest_records,
                                peak_rss_mb, student_summary,
                                write_markdown,
                                apply_runtime)
from pyg_kgt.data import read_multi_source
from pyg_kgt.data.relation_matching import write_relation_matches
from pyg_kgt.data.split import split_multi_source
from pyg_kgt.models import (JointTeacher, JointTeacherConfig,
                            LocalStudentConfig, ModelConfig)
from pyg_kgt.pipeline import infer_relations, run_transfer
from pyg_kgt.training import TrainingConfig

SUITE = 'transfer_suite'
#: name: (folder under the data root, teacher KG, target KG)
PAIRS = {
    'srprs_en_fr': ('srprs_15k/en_fr_15k_V1', 'en', 'fr'),
    'srprs_en_de': ('srprs_15k/en_de_15k_V1', 'en', 'de'),
    'srprs_dbp_wd': ('srprs_15k/dbp_wd_15k_V1', 'dbp', 'wd'),
    'srprs_dbp_yg': ('srprs_15k/dbp_yg_15k_V1', 'dbp', 'yg'),
    'dbp15k_zh_en': ('dbp15k/zh_en', 'zh', 'en'),
    'dbp15k_ja_en': ('dbp15k/ja_en', 'ja', 'en'),
}
METHODS = ('student_full_kd', 'linked_no_kd', 'single_kg_rgcn')
BUDGET = Budget()


def load_pair(data: str, name: str):
    r"""The pair as a link-prediction setting: each KG's triples split
    80/10/10 (seed 0), the seed alignment as the dataset ships it."""
    folder, _, _ = PAIRS[name]
    path = os.path.join(data, folder)
    if not os.path.isdir(path):
        sys.exit(f'{path} not found: pass --data or set PYG_KGT_DATA')
    kg, _ = split_multi_source(read_multi_source(path), seed=0)
    return kg


def teacher_for(kg, name: str, folder: str) -> JointTeacher:
    r"""The teacher of ``name`` (its first KG), loaded from ``folder`` when
    saved there, else pre-trained with the benchmark budget and saved."""
    path = os.path.join(folder, name)
    if os.path.isfile(os.path.join(path, 'config.json')):
        return JointTeacher.load(path)
    began = time.perf_counter()
    teacher = JointTeacher(JointTeacherConfig(model=ModelConfig(
        hidden_channels=BUDGET.teacher_dim)))
    teacher.fit(kg.subset([PAIRS[name][1]]), teacher_training(0))
    print(f'{name}: teacher {time.perf_counter() - began:.0f} s',
          flush=True)
    teacher.save(path)
    return teacher


def teacher_training(seed: int) -> TrainingConfig:
    return TrainingConfig(epochs=BUDGET.teacher_epochs,
                          batch_size=BUDGET.teacher_batch_size,
                          lr=BUDGET.teacher_lr, eval_every=5, patience=3,
                          seed=seed)


def student_training(seed: int) -> TrainingConfig:
    return TrainingConfig(epochs=BUDGET.student_epochs,
                          batch_size=BUDGET.student_batch_size,
                          lr=BUDGET.student_lr, eval_every=5, patience=3,
                          seed=seed)


def run_pair(args, name: str) -> None:
    kg = load_pair(args.data, name)
    _, source, target = PAIRS[name]
    alignment = None if args.relation_alignment == 'none' else 'auto'
    suffix = '_names_only' if alignment is None else ''
    student = LocalStudentConfig(model=ModelConfig(
        hidden_channels=BUDGET.student_dim))
    recorded = newest_records(SUITE, dataset=name)
    teacher = inferred = None
    for seed in args.seeds:
        training = student_training(seed)
        meta = {'student': student.to_dict(), 'training': training.to_dict(),
                'teacher_training': teacher_training(0).to_dict(),
                'teacher_kgs': [source], 'split': [0.8, 0.1, 0.1],
                'relation_alignment': args.relation_alignment}
        # Only the settings: the record's meta also has what the run
        # found (the inferred relations), unknown until it runs.
        methods = [m for m in args.methods if not has_record(
            SUITE, target, m + suffix, seed, meta, keys=tuple(meta),
            records=recorded)]
        if methods:
            if teacher is None:  # once per pair: every seed shares them
                teacher = teacher_for(kg, name, args.teachers)
                matches, _ = infer_relations(kg, target, teacher, alignment)
                if matches:
                    write_relation_matches(matches, os.path.join(
                        store.RESULTS_DIR, f'relations_{name}.tsv'))
                inferred = len({m.target for m in matches})
            meta['inferred_relations'] = inferred

            def record(method: str, result: dict, seed=seed, meta=meta):
                summary = student_summary(result['student'])
                write(name, target, method + suffix, seed, result['test'],
                      dict(summary, epochs=result['epochs']),
                      result['train_s'], meta)
            run_transfer(kg, target, teacher, student, training, methods,
                         on_result=record, relation_alignment=alignment)
        if args.joint and seed == args.seeds[0] and not has_record(
                SUITE, target, 'joint_from_scratch', seed, meta,
                keys=('teacher_training', 'split'), records=recorded):
            joint = JointTeacher(JointTeacherConfig(model=ModelConfig(
                hidden_channels=BUDGET.teacher_dim)))
            history = joint.fit(kg, teacher_training(seed))
            results = joint.evaluate(kg, names=[target])[target]
            write(name, target, 'joint_from_scratch', seed, results,
                  {'epochs': len(history)}, joint.train_seconds, meta)


def write(name: str, target: str, method: str, seed: int, results: dict,
          extra: dict, seconds: float, meta: dict) -> None:
    records = [make_record(SUITE, name, method, dict(res['metrics'], **extra),
                           seconds, meta, target=target, protocol=protocol,
                           seed=seed, peak_rss=peak_rss_mb())
               for protocol, res in results.items()]
    append_records(SUITE, records)
    filtered = results['filtered']['metrics']['mrr']
    print(f'{name} seed {seed} {method:28s} filtered MRR '
          f'{100 * filtered:6.2f} ({seconds:.0f} s)', flush=True)


def render(folder: Optional[str] = None) -> Optional[str]:
    r"""``transfer_suite.md``: per pair and method, filtered and
    ``lifted_trainval`` test MRR (mean ± std over seeds), the mean best
    validation MRR and the median seconds."""
    folder = folder or store.RESULTS_DIR
    records = newest_records(SUITE, folder)
    if not records:
        return None
    rows = []
    for name in PAIRS:
        mine = [r for r in records if r['dataset'] == name]
        summary = aggregate(mine)
        methods = list(dict.fromkeys(r['method'] for r in mine))
        for method in methods:
            cells = [name, method]
            for protocol in ('filtered', 'lifted_trainval'):
                row = summary.get((PAIRS[name][2], method, protocol))
                cells.append('-' if row is None else
                             f"{cell(row['mrr'], row['seeds'])} "
                             f"({row['seeds']})")
            val = [r['metrics'].get('best_val_mrr') for r in mine
                   if r['method'] == method and r['protocol'] == 'filtered'
                   and r['metrics'].get('best_val_mrr') is not None]
            cells.append(f'{100 * sum(val) / len(val):.2f}' if val else '-')
            row = summary[(PAIRS[name][2], method, 'filtered')]
            cells.append(f"{row['wall_s']:.0f}")
            rows.append(cells)
    hardware = sorted({r['hardware'] for r in records})
    return write_markdown(
        SUITE, ['pair', 'method', 'filtered MRR (seeds)',
                'lifted_trainval MRR (seeds)', 'best val MRR', 'median s'],
        rows, 'Generated by `benchmarks/transfer_suite.py`: test MRR (%), '
        'mean ± std over seeds; teacher on the first KG of the pair, '
        'student on the second; validation MRR is the filtered one early '
        'stopping chose on. Hardware: ' + '; '.join(hardware) + '.', folder)


def main(argv: Optional[Sequence[str]] = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--data', default=default_data())
    parser.add_argument('--pairs', nargs='+', default=list(PAIRS),
                        choices=list(PAIRS))
    parser.add_argument('--seeds', nargs='+', type=int, default=[0, 1, 2])
    parser.add_argument('--methods', nargs='*', default=list(METHODS),
                        choices=list(METHODS))
    parser.add_argument('--relation-alignment', default='auto',
                        choices=['auto', 'none'])
    parser.add_argument('--joint', action='store_true',
                        help='also joint training from scratch (first seed)')
    parser.add_argument('--teachers', default=os.path.join('runs', 'suite'))
    parser.add_argument('--render-only', action='store_true')
    args = parser.parse_args(argv)
    if not args.render_only:
        for name in args.pairs:
            run_pair(args, name)
    print(render() or 'no records yet')


if __name__ == '__main__':
    apply_runtime()  # the process's policy, as the CLI's
    main()
