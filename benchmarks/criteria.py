"""The transfer issue's acceptance checks, computed from the JSON.

For each DBP-5L target in suite ``dbp5l_transfer``:

* **beats its twins**: the full-KD student against the single-KG RGCN and
  the linked twin without distillation, MRR and Hits@1, both protocols.
  A check holds when the student's mean over seeds is higher *and* it is
  higher in every seed both methods share (``wins`` column), and is
  flagged when the compared records were trained with different budgets;
* **re-training / joint** (issue 26): median seconds of the full-KD
  student over the median seconds of joint training from scratch, both
  timed on one machine (records with the same ``hardware``, the newest
  such machine); holds at most ``1/10``. A ratio across machines mixes
  their speeds: it is only given, marked *mixed hardware*, when no machine
  timed both;
* **joint quality** (issue 26): the full-KD student's mean MRR (each
  protocol) at least the joint model's minus 1.0, and a summary row
  (target ``*``): the student beats the joint model on at least two
  targets;
* **reused teacher**: the student of the teacher pre-trained on other
  sources (``student_reused_teacher``) against the single-KG RGCN and its
  own linked twin (``linked_no_kd_reused_teacher``).

Writes ``dbp5l_criteria.md``; nothing is typed by hand.

    python -m benchmarks.criteria
"""
from __future__ import annotations

import argparse
import json
import statistics
from typing import Any, Dict, List, Optional, Sequence

from benchmarks.efficiency import same_machine, training_cost
from benchmarks.report import cell
from benchmarks.results import (RESULTS_DIR, comparable,
                                newest_records, write_markdown)

MAX_RATIO = 0.1
JOINT_MARGIN = 0.01  # MRR, as a fraction
MIN_JOINT_WINS = 2
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
    r"""Re-training / joint for ``target`` on the newest machine that timed
    both (marked *mixed hardware* when none did), or ``None`` if either is
    missing."""
    machine, timed = same_machine(records, target, 'student_full_kd',
                                  'joint_from_scratch')
    student = training_cost(timed, target, 'student_full_kd')
    joint = training_cost(timed, target, 'joint_from_scratch')
    if student is None or joint is None:
        return None
    student, joint = student['s'], joint['s']
    ratio = student / joint
    verdict = 'holds' if ratio <= MAX_RATIO else '**fails**'
    return [target, 're-training / joint <= 1/10',
            f'train s ({machine})' if machine else 'train s',
            f'{student:,.0f} / {joint:,.0f} = {ratio:.2f}', '–',
            verdict if machine else verdict + ' (mixed hardware)']


def _against_joint(records: Sequence[Dict[str, Any]], target: str,
                   protocol: str) -> Optional[tuple]:
    r"""``(student, joint)`` MRR by seed of ``target`` under ``protocol``,
    or ``None`` when either is missing."""
    ours, joint = (_by_seed(_rows(records, target, method, protocol), 'mrr')
                   for method in ('student_full_kd', 'joint_from_scratch'))
    return (ours, joint) if ours and joint else None


def joint_rows(records: Sequence[Dict[str, Any]], target: str
               ) -> List[List[str]]:
    r"""Per protocol, the full-KD student's mean MRR against the joint
    model's minus :data:`JOINT_MARGIN`; ``wins`` counts the shared seeds
    where the student is above the joint model itself."""
    rows = []
    for protocol in PROTOCOLS:
        pair = _against_joint(records, target, protocol)
        if pair is None:
            continue
        ours, joint = pair
        shared = sorted(set(ours) & set(joint))
        wins = sum(ours[s] > joint[s] for s in shared)
        holds = (statistics.mean(ours.values()) >=
                 statistics.mean(joint.values()) - JOINT_MARGIN)
        rows.append([target, 'student_full_kd >= joint_from_scratch - 1.0',
                     f'{protocol} MRR', f'{_mean(ours)} vs {_mean(joint)}',
                     f'{wins}/{len(shared)}',
                     'holds' if holds else '**fails**'])
    return rows


def joint_wins_rows(records: Sequence[Dict[str, Any]],
                    targets: Sequence[str]) -> List[List[str]]:
    r"""Per protocol, the targets where the full-KD student's mean MRR is
    above the joint model's; holds on :data:`MIN_JOINT_WINS` or more."""
    rows = []
    for protocol in PROTOCOLS:
        pairs = {t: _against_joint(records, t, protocol) for t in targets}
        pairs = {t: p for t, p in pairs.items() if p is not None}
        beaten = [t for t, (ours, joint) in pairs.items()
                  if statistics.mean(ours.values()) >
                  statistics.mean(joint.values())]
        if pairs:
            rows.append(['*', 'student_full_kd > joint_from_scratch on >= '
                         f'{MIN_JOINT_WINS} targets', f'{protocol} MRR',
                         ', '.join(beaten) or 'none',
                         f'{len(beaten)}/{len(pairs)}',
                         'holds' if len(beaten) >= MIN_JOINT_WINS
                         else '**fails**'])
    return rows


def render_criteria(folder: str = RESULTS_DIR) -> Optional[str]:
    r"""Writes ``dbp5l_criteria.md``; ``None`` when nothing is recorded."""
    records = newest_records('dbp5l_transfer', folder, dataset='dbp5l')
    if not records:
        return None
    rows: List[List[str]] = []
    targets = sorted({r['target'] for r in records})
    for target in targets:
        for method, twins in TWINS.items():
            for twin in twins:
                rows += compare(records, target, method, twin)
        rows += joint_rows(records, target)
        ratio = ratio_row(records, target)
        if ratio:
            rows.append(ratio)
    rows += joint_wins_rows(records, targets)
    notes = ('Generated by `benchmarks/criteria.py` from '
             '`dbp5l_transfer.jsonl` (newest record per target, method, '
             'protocol and seed); test split, metrics in %, mean ± std over '
             'seeds. A comparison holds when the mean is higher and the '
             'method wins in every seed both rows share (`wins`); it is '
             'marked *mixed budgets* when the compared records were not all '
             'trained with one budget. The time ratio uses medians over '
             'seeds of the records of one machine (named).')
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
