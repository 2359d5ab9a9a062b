"""The transfer issue's acceptance checks, computed from the JSON.

For each DBP-5L target in suite ``dbp5l_transfer``:

* **beats its twins**: the full-KD student against the single-KG RGCN and
  the linked twin without distillation, MRR and Hits@1, both protocols.
  A check holds when the student's mean over seeds is higher *and* it is
  higher in every seed both methods share (``wins`` column), and is
  flagged when the compared records were trained with different budgets;
* **re-training / joint**: median seconds of the full-KD student over the
  median seconds of joint training from scratch; holds at most ``1/5``;
* **reused teacher**: the student of the teacher pre-trained on other
  sources (``student_reused_teacher``) against the single-KG RGCN and its
  own linked twin (``linked_no_kd_reused_teacher``).

Writes ``dbp5l_criteria.md``; nothing is typed by hand.

    python benchmarks/criteria.py
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
from typing import Any, Dict, List, Optional, Sequence

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(
    __file__))))

from benchmarks.efficiency import training_cost  # noqa: E402
from benchmarks.report import cell  # noqa: E402
from benchmarks.results import (RESULTS_DIR, comparable,  # noqa: E402
                                newest_records, write_markdown)

MAX_RATIO = 0.2
PROTOCOLS = ('filtered', 'lifted')
METRICS = (('mrr', 'MRR'), ('hits1', 'H@1'))
TWINS = {'student_full_kd': ('single_kg_rgcn', 'linked_no_kd'),
         'student_reused_teacher': ('single_kg_rgcn',
                                    'linked_no_kd_reused_teacher')}


def _rows(records: Sequence[Dict[str, Any]], target: str, method: str,
          protocol: str) -> List[Dict[str, Any]]:
    return [r for r in records if (r['target'], r['method'],
                                   r['protocol']) == (target, method,
                                                      protocol)]


def _by_seed(records: Sequence[Dict[str, Any]], metric: str
             ) -> Dict[int, float]:
    return {r['seed']: r['metrics'][metric] for r in records
            if metric in r['metrics']}


def _budget(record: Dict[str, Any]) -> str:
    r"""The record's training budget without its seed, as a key."""
    training = dict(comparable(record['config'].get('training', {})))
    training.pop('seed', None)
    return json.dumps(training, sort_keys=True)


def _mean(values: Dict[int, float]) -> str:
    series = list(values.values())
    spread = statistics.stdev(series) if len(series) > 1 else 0.0
    return cell((statistics.mean(series), spread), len(series))


def compare(records: Sequence[Dict[str, Any]], target: str, method: str,
            twin: str) -> List[List[str]]:
    r"""One row per (protocol, metric): ``method`` against ``twin``."""
    rows = []
    for protocol in PROTOCOLS:
        mine = _rows(records, target, method, protocol)
        twins = _rows(records, target, twin, protocol)
        mixed = len({_budget(r) for r in mine + twins}) > 1
        for metric, label in METRICS:
            ours, theirs = _by_seed(mine, metric), _by_seed(twins, metric)
            if not ours or not theirs:
                continue
            shared = sorted(set(ours) & set(theirs))
            wins = sum(ours[s] > theirs[s] for s in shared)
            holds = (statistics.mean(ours.values()) >
                     statistics.mean(theirs.values()) and
                     wins == len(shared))
            verdict = 'holds' if holds else '**fails**'
            rows.append([target, f'{method} > {twin}', f'{protocol} {label}',
                         f'{_mean(ours)} vs {_mean(theirs)}',
                         f'{wins}/{len(shared)}',
                         verdict + (' (mixed budgets)' if mixed else '')])
    return rows


def ratio_row(records: Sequence[Dict[str, Any]], target: str
              ) -> Optional[List[str]]:
    r"""Re-training / joint for ``target``, or ``None`` if either is
    missing."""
    student = training_cost(records, target, 'student_full_kd')
    joint = training_cost(records, target, 'joint_from_scratch')
    if student is None or joint is None:
        return None
    student, joint = student['s'], joint['s']
    ratio = student / joint
    return [target, 're-training / joint <= 1/5', 'train s',
            f'{student:,.0f} / {joint:,.0f} = {ratio:.2f}', '–',
            'holds' if ratio <= MAX_RATIO else '**fails**']


def render_criteria(folder: str = RESULTS_DIR) -> Optional[str]:
    r"""Writes ``dbp5l_criteria.md``; ``None`` when nothing is recorded."""
    records = newest_records('dbp5l_transfer', folder)
    if not records:
        return None
    rows: List[List[str]] = []
    for target in sorted({r['target'] for r in records}):
        for method, twins in TWINS.items():
            for twin in twins:
                rows += compare(records, target, method, twin)
        ratio = ratio_row(records, target)
        if ratio:
            rows.append(ratio)
    notes = ('Generated by `benchmarks/criteria.py` from '
             '`dbp5l_transfer.jsonl` (newest record per target, method, '
             'protocol and seed); test split, metrics in %, mean ± std over '
             'seeds. A comparison holds when the mean is higher and the '
             'method wins in every seed both rows share (`wins`); it is '
             'marked *mixed budgets* when the compared records were not all '
             'trained with one budget. The time ratio uses medians over '
             'seeds.')
    return write_markdown(
        'dbp5l_criteria', ['target', 'check', 'measure', 'values', 'wins',
                           'verdict'], rows, notes, folder)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument('--folder', default=RESULTS_DIR)
    args = parser.parse_args()
    print(render_criteria(args.folder) or 'no dbp5l_transfer records')


if __name__ == '__main__':
    main()
