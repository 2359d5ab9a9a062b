"""Table 2 (efficiency): what a teacher costs once and a student each time.

Joins suite ``teacher`` (pre-training runs; a teacher is identified by its
recorded ``sources``) with suite ``dbp5l_transfer`` (students and joint
training from scratch). Per target: the teacher that holds it out, the
full-KD student's re-training, joint training from scratch over sources +
target, and the ratio re-training / joint; then the teacher reused across
targets (``student_reused_teacher``). Seconds are medians over seeds, peak
RSS the maximum. Writes
``dbp5l_efficiency.md`` and, with matplotlib, ``dbp5l_efficiency.png``
(seconds per target, side by side).

    python -m benchmarks.efficiency
"""
from __future__ import annotations

import argparse
import importlib.util
import os
import statistics
from typing import Any, Dict, List, Optional, Sequence, Tuple

from benchmarks.results import RESULTS_DIR, newest_records, write_markdown


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
