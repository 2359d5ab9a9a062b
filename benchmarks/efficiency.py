"""Table 2 (efficiency): what a teacher costs once and a student each time.

Joins suite ``teacher`` (pre-training runs; a teacher is identified by its
recorded ``sources``) with suite ``dbp5l_transfer`` (students and joint
training from scratch). Per target: the teacher that holds it out, the
full-KD student's re-training, joint training from scratch over sources +
target, and the ratio re-training / joint; then the teacher reused across
targets (``student_reused_teacher``). Seconds are medians over seeds, peak
RSS the maximum. Runs recorded more than once with the same configuration
and seed (timed again in a later session; one joint model per seed, whatever
the target) are listed with every wall time, which shows how much the
machine's speed varied between sessions. Writes
``dbp5l_efficiency.md`` and, with matplotlib, ``dbp5l_efficiency.png``
(seconds per target, side by side).

    python -m benchmarks.efficiency
"""
from __future__ import annotations

import argparse
import importlib.util
import json
import os
import statistics
from collections import defaultdict
from typing import Any, Dict, List, Optional, Sequence, Tuple

from benchmarks.results import (JOINT_RUN_KEYS,
                                RESULTS_DIR, comparable,
                                newest_records, read_records,
                                write_markdown)


def training_cost(records: Sequence[Dict[str, Any]], target: str, method: str
          ) -> Optional[Dict[str, float]]:
    r"""Median seconds, max peak RSS and seeds of (target, method)."""
    group = [r for r in records if r['target'] == target and
             r['method'] == method and r['protocol'] == 'filtered']
    if not group:
        return None
    return {'s': statistics.median(r['wall_s'] for r in group),
            'rss': max(r['peak_rss_mb'] for r in group),
            'seeds': len(group)}


def same_machine(records: Sequence[Dict[str, Any]], target: str,
                 method: str, baseline: str
                 ) -> Tuple[Optional[str], List[Dict[str, Any]]]:
    r"""The records of ``target``'s ``method`` and ``baseline`` timed on
    one machine, so that their ratio does not mix machine speeds: those
    with the ``hardware`` of the newest ``method`` record whose machine
    also ran ``baseline``. ``(None, all of them)`` when no machine ran
    both."""
    mine = [r for r in records if r['target'] == target and
            r['method'] in (method, baseline)]
    both = ({r['hardware'] for r in mine if r['method'] == method} &
            {r['hardware'] for r in mine if r['method'] == baseline})
    timed = sorted((r for r in mine if r['method'] == method and
                    r['hardware'] in both), key=lambda r: r['timestamp'])
    if not timed:
        return None, mine
    machine = timed[-1]['hardware']
    return machine, [r for r in mine if r['hardware'] == machine]


def _teachers(records: Sequence[Dict[str, Any]]
              ) -> Dict[tuple, Dict[str, float]]:
    r"""``{sources: {"s", "rss"}}`` of every recorded fp32 teacher run
    (the precision of the suite's joint training; a bf16 teacher's time
    would flatter pre-training)."""
    teachers = {}
    for r in records:
        training = r['config'].get('training')
        precision = (training.get('precision', 'fp32')
                     if isinstance(training, dict) else 'fp32')
        if (r['method'].startswith('joint_teacher') and
                r['protocol'] == 'filtered' and precision == 'fp32'):
            sources = tuple(r['config'].get('sources', ()))
            teachers[sources] = {'s': r['wall_s'], 'rss': r['peak_rss_mb']}
    return teachers


def _run_identity(record: Dict[str, Any]) -> tuple:
    r"""``(target, configuration)`` that makes two records the same work;
    the target is ``*`` for a joint model shared by all targets (a record
    with ``joint_kgs``; older per-target joint records have none)."""
    config = comparable(record['config'])
    if 'joint_kgs' in config:
        return '*', {key: config.get(key) for key in JOINT_RUN_KEYS}
    return record['target'], config


def repeated_runs(records: Sequence[Dict[str, Any]]) -> List[List[str]]:
    r"""Rows ``[suite, targets, method, seed, wall times, commits]`` of
    every run timed more than once with the same configuration and seed
    (``filtered`` records), oldest first: the same work timed again.
    Records with equal wall time are one timing: a teacher's run, recorded
    once per source, or a shared joint model, recorded once per target it
    is evaluated on, is one row."""
    groups: Dict[tuple, List[Dict[str, Any]]] = defaultdict(list)
    for r in records:
        if r['protocol'] == 'filtered':
            target, config = _run_identity(r)
            groups[(r['suite'], target, r['method'], r['seed'],
                    json.dumps(config, sort_keys=True))].append(r)
    rows: Dict[tuple, List[str]] = defaultdict(list)
    for (suite, _, method, seed, _), group in groups.items():
        timings: Dict[float, Dict[str, Any]] = {}
        for r in group:
            timings.setdefault(r['wall_s'], r)
        if len(timings) > 1:
            rows[(suite, method, str(seed),
                  ' / '.join(_fmt(wall) for wall in timings),
                  ', '.join(r['git_commit'][:7]
                            for r in timings.values()))
                 ].extend(str(r['target']) for r in group)
    return [[key[0], ', '.join(dict.fromkeys(targets)), *key[1:]]
            for key, targets in rows.items()]


def _fmt(value: Optional[float], digits: int = 0) -> str:
    return '–' if value is None else f'{value:,.{digits}f}'


def render_efficiency(folder: str = RESULTS_DIR) -> Optional[str]:
    r"""Writes ``dbp5l_efficiency.md``; ``None`` when nothing is recorded."""
    transfer = newest_records('dbp5l_transfer', folder, 'dbp5l')
    teachers = _teachers(newest_records('teacher', folder))
    if not transfer:
        return None
    rows: List[List[str]] = []
    reuse: List[List[str]] = []
    bars: List[Dict[str, Any]] = []
    for target in dict.fromkeys(r['target'] for r in transfer):
        machine, timed = same_machine(transfer, target, 'student_full_kd',
                                      'joint_from_scratch')
        student = training_cost(timed, target, 'student_full_kd')
        joint = training_cost(timed, target, 'joint_from_scratch')
        sources = next((tuple(r['config']['teacher']['sources'])
                        for r in transfer if r['target'] == target and
                        r['method'] == 'student_full_kd'), ())
        teacher = teachers.get(sources)
        for label, run in (('teacher pre-training (once)', teacher),
                           ('student re-training', student),
                           ('joint from scratch', joint)):
            if run:
                bars.append({'target': target, 'method': label,
                             'mean': run['s']})
        if student:
            ratio = student['s'] / joint['s'] if joint else None
            rows.append([
                target, ', '.join(sources),
                _fmt(teacher and teacher['s']),
                _fmt(teacher and teacher['rss']),
                f"{_fmt(student['s'])} ({student['seeds']})",
                _fmt(student['rss']),
                _fmt(joint and joint['s']), _fmt(joint and joint['rss']),
                _fmt(ratio, 2), machine or 'mixed'])
        reused = training_cost(transfer, target, 'student_reused_teacher')
        if reused:
            shared = next(tuple(r['config']['teacher']['sources'])
                          for r in transfer if r['target'] == target and
                          r['method'] == 'student_reused_teacher')
            once = teachers.get(shared)
            bars.append({'target': target, 'method': 'student of the '
                         'reused teacher', 'mean': reused['s']})
            reuse.append([target, ', '.join(shared),
                          _fmt(once and once['s']),
                          f"{_fmt(reused['s'])} ({reused['seeds']})",
                          _fmt(reused['rss'])])
    notes = ['Generated by `benchmarks/efficiency.py` from `teacher.jsonl` '
             'and `dbp5l_transfer.jsonl`. Seconds of training (median over '
             'seeds, seeds in brackets); peak RSS in MB of the process. The '
             'teacher is pre-trained once per set of sources and reused '
             'unchanged; the ratio is student re-training over joint '
             'training from scratch on sources + target with the teacher\'s '
             'configuration. Student and joint seconds come from one '
             'machine (`timed on`: the newest that ran both; *mixed* when '
             'none did), so the ratio does not mix machine speeds.']
    repeated = repeated_runs(read_records('teacher', folder) +
                             read_records('dbp5l_transfer', folder))
    if repeated:
        notes += ['', 'Runs timed more than once (same configuration and '
                  'seed, in later sessions; a joint model from scratch is '
                  'one run whatever the target it is evaluated on; each '
                  'target uses its newest record): the spread is how much '
                  'the speed of the 2-core machine varied between sessions '
                  '(or code changed), and a ratio whose two runs were '
                  'timed in different sessions carries it.', '',
                  '| suite | target | method | seed | wall s (oldest first) '
                  '| commits |', '|---|---|---|---|---|---|']
        notes += ['| ' + ' | '.join(row) + ' |' for row in repeated]
    if reuse:
        notes += ['', 'One teacher reused across targets:', '',
                  '| target | teacher sources | teacher pre-training s '
                  '(once) | student re-training s | student RSS |',
                  '|---|---|---|---|---|']
        notes += ['| ' + ' | '.join(row) + ' |' for row in reuse]
        notes += ['', 'Per target:']
    path = write_markdown(
        'dbp5l_efficiency',
        ['target', 'teacher sources', 'teacher pre-training s',
         'teacher RSS', 'student re-training s (seeds)', 'student RSS',
         'joint from scratch s', 'joint RSS', 're-training / joint',
         'timed on'],
        rows, '\n'.join(notes), folder)
    if bars and importlib.util.find_spec('matplotlib') is not None:
        from benchmarks.plots import plot_method_comparison
        plot_method_comparison(
            bars, os.path.join(folder, 'dbp5l_efficiency.png'), 'seconds',
            'DBP-5L: training seconds per target', 'training seconds')
    return path


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument('--folder', default=RESULTS_DIR)
    args = parser.parse_args()
    path = render_efficiency(args.folder)
    print(path or 'no dbp5l_transfer records')


if __name__ == '__main__':
    main()
