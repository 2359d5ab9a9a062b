"""The re-training method's quality/cost frontier, from the explore suite.

Every record of suite ``dbp5l_explore`` (``bench_transfer --suite
dbp5l_explore``) with a validation curve is one variant of the student
method, named by what it changes from the default student and budget
(``LocalStudentConfig()``, ``benchmarks.budget.Budget``): its method when
not ``student_full_kd`` (an ablation, a twin), then each differing setting.
Per (target, teacher, variant, session: records more than 3 hours apart
or on other hardware are timed on machines of different speeds): seeds, mean best validation
MRR, test filtered MRR (mean ± std) and median seconds. The validation
curve (every validated epoch) gives the cost of stopping earlier: the
plot draws validation MRR against ``wall_s x epoch / epochs`` (the run's
mean seconds per epoch, validation included), one line per variant, one
panel per target and teacher. Writes
``dbp5l_frontier.md`` and, with matplotlib, ``dbp5l_frontier.png``; and
``dbp5l_frontier_seeds.md``, quality only, each variant's seeds pooled
over sessions (the newest record of each seed), with lifted test MRR.

    python -m benchmarks.frontier
"""
from __future__ import annotations

import argparse
import datetime
import importlib.util
import os
import statistics
from collections import defaultdict
from typing import Any, Dict, Iterable, List, Sequence, Tuple

from benchmarks.budget import Budget
from benchmarks.results import (INTRODUCED, RESULTS_DIR, method_changes,
                                read_records, write_markdown)
from pyg_kgt.models import LocalStudentConfig, ModelConfig
from pyg_kgt.pipeline import METHODS

SUITE = 'dbp5l_explore'


#: What a record without a setting ran with: the behaviour before the
#: setting existed.
BEFORE = {'warm_start': False, 'train_on': 'target'}

#: Student settings that only act through the teacher: a twin trained
#: without one is not named by them.
TEACHER_KEYS = ('feature_weight', 'network_weight', 'prediction_weight',
                'temperature', 'prediction_batch_size', 'top_k',
                'prediction_trust', 'prediction_queries', 'warm_start',
                'fill_unaligned')

#: The training settings a variant may change.
TRAINING_KEYS = ('lr', 'lr_schedule', 'epochs', 'batch_size',
                 'num_candidates')


def _settings(config: Dict[str, Any]) -> Dict[str, Any]:
    r"""A record's student and training settings, flat (``model.*`` for
    the student network's)."""
    student = dict(config.get('student', {}))
    flat = {f'model.{k}': v for k, v in student.pop('model', {}).items()}
    flat.update({**BEFORE, **student} if student else student)
    training = config.get('training', {})
    flat.update({k: training.get(k, INTRODUCED.get(k))
                 for k in TRAINING_KEYS})
    return flat


def _defaults() -> Dict[str, Any]:
    budget = Budget()
    return _settings({
        'student': LocalStudentConfig(model=ModelConfig(
            hidden_channels=budget.student_dim)).to_dict(),
        'training': {'lr': budget.student_lr,
                     'lr_schedule': budget.student_lr_schedule,
                     'epochs': budget.student_epochs,
                     'batch_size': budget.student_batch_size}})


def variant_name(record: Dict[str, Any],
                 defaults: Dict[str, Any]) -> str:
    r"""The record's method and the settings it changes from ``defaults``,
    e.g. ``lr=0.01 num_candidates=1024``. The method's own changes
    (:func:`~benchmarks.results.method_changes`) apply to the record's
    settings; the method is named unless it is ``student_full_kd`` or all
    it changes is now the default (a method that became the default names
    its records ``default``), and the settings it changes are named by
    it; a method without the teacher (a twin) is not named by the
    teacher's settings (:data:`TEACHER_KEYS`)."""
    method = record['method']
    changes = method_changes(method)
    settings = {**_settings(record['config']), **changes}
    if method in METHODS and not METHODS[method].teacher:
        settings = {k: v for k, v in settings.items()
                    if k not in TEACHER_KEYS}
    named = method != 'student_full_kd' and (
        not changes or any(defaults.get(k) != v for k, v in changes.items()))
    parts = [method] if named else []
    parts += [f'{k.replace("model.", "")}={v}'
              for k, v in settings.items()
              if k in defaults and v != defaults[k]
              and not (named and k in changes)]
    return ' '.join(parts) or 'default'


def sessions(records: Iterable[Dict[str, Any]], gap_h: float = 3.0
             ) -> Dict[str, str]:
    r"""Each record timestamp's session, named by its first timestamp
    (``YYYY-MM-DD HH:MM``): a record more than ``gap_h`` hours after the
    previous one, or on other hardware (``hardware``, which names the
    CPU's capability), starts a new one."""
    out, start, last, machine = {}, None, None, None
    for stamp, hardware in sorted({(r['timestamp'], r.get('hardware', ''))
                                   for r in records}):
        now = datetime.datetime.fromisoformat(stamp)
        if last is None or hardware != machine or (
                now - last).total_seconds() > 3600 * gap_h:
            start = stamp[:16].replace('T', ' ')
        out[stamp], last, machine = start, now, hardware
    return out


def _teacher(record: Dict[str, Any]) -> str:
    r"""The record's saved teacher: folder name and sources."""
    spec = record['config'].get('teacher', {})
    return (os.path.basename(str(spec.get('path', '')).rstrip('/'))
            + f" ({' '.join(spec.get('sources', []))})")


def frontier(records: Sequence[Dict[str, Any]]
             ) -> Dict[Tuple[str, str, str, str], List[Dict[str, Any]]]:
    r"""Filtered records with a validation curve, grouped by (target,
    teacher folder name and sources, variant, session) so that one group
    never mixes machine speeds."""
    defaults = _defaults()
    session = sessions(records)
    groups: Dict[Tuple[str, str, str, str], List[Dict[str, Any]]] = \
        defaultdict(list)
    for r in records:
        if r['protocol'] != 'filtered' or not r['metrics'].get('val_curve'):
            continue
        groups[(r['target'], _teacher(r), variant_name(r, defaults),
                session[r['timestamp']])].append(r)
    return groups


def pooled(records: Sequence[Dict[str, Any]]
           ) -> Dict[Tuple[str, str, str], Dict[str, List[Dict[str, Any]]]]:
    r"""Per (target, teacher, variant), one record per seed and protocol
    (the newest): quality pooled over sessions, which MRR may mix and
    seconds may not. Returns ``{key: {protocol: records}}``; filtered
    records without a validation curve are left out, as in
    :func:`frontier`, and lifted ones are kept where their filtered twin
    is."""
    newest: Dict[Tuple[str, str, str], Dict[str, Dict[Any, Dict]]] = \
        defaultdict(lambda: defaultdict(dict))
    for (target, teacher, variant, _), runs in frontier(records).items():
        for r in runs:
            seeds = newest[(target, teacher, variant)]['filtered']
            if r['seed'] not in seeds or (r['timestamp'] >
                                          seeds[r['seed']]['timestamp']):
                seeds[r['seed']] = r
    kept = {(r['timestamp'], r['seed'], r['method'], r['target'])
            for protocols in newest.values()
            for r in protocols['filtered'].values()}
    defaults = _defaults()
    for r in records:
        key = (r['timestamp'], r['seed'], r['method'], r['target'])
        if r['protocol'] == 'lifted' and key in kept:
            newest[(r['target'], _teacher(r), variant_name(r, defaults))][
                'lifted'][r['seed']] = r
    return {k: {p: [v[s] for s in sorted(v)] for p, v in protocols.items()}
            for k, protocols in newest.items()}


def curve(runs: Sequence[Dict[str, Any]]) -> List[Tuple[float, float]]:
    r"""(seconds, validation MRR %) at every validated epoch, averaged
    over seeds."""
    points = defaultdict(list)
    for r in runs:
        epochs = r['metrics']['epochs']
        every = r['config'].get('training', {}).get('eval_every', 5)
        per_epoch = r['wall_s'] / max(epochs, 1)
        for i, value in enumerate(r['metrics']['val_curve']):
            epoch = min(every * (i + 1), epochs)
            points[epoch].append((per_epoch * epoch, 100 * value))
    return [(statistics.mean(p[0] for p in ps),
             statistics.mean(p[1] for p in ps))
            for _, ps in sorted(points.items())]


def _mean_std(values: Sequence[float]) -> str:
    text = f'{statistics.mean(values):.2f}'
    return (text + f' ± {statistics.stdev(values):.2f}' if len(values) > 1
            else text)


def render_frontier(folder: str = RESULTS_DIR) -> str:
    groups = frontier(read_records(SUITE, folder))
    rows = []
    for (target, teacher, variant, session), runs in sorted(
            groups.items()):
        val = [100 * r['metrics']['best_val_mrr'] for r in runs]
        test = [100 * r['metrics']['mrr'] for r in runs]
        rows.append([target, teacher, variant, session, len(runs),
                     f'{statistics.mean(val):.2f}', _mean_std(test),
                     f"{statistics.median(r['wall_s'] for r in runs):.0f}"])
    notes = ('Generated by `benchmarks/frontier.py` from `dbp5l_explore.jsonl`'
             ': every variant of the re-training method tried, named by what '
             'it changes from the default (`default`). Filtered MRR (%), '
             'best validation (mean over seeds) and test (mean ± std); '
             'seconds: median '
             're-training wall time with the teacher cache, on the machine '
             'of each record (2 cores; sessions differ in speed). The teacher '
             'column is the saved teacher\'s folder and its sources.')
    path = write_markdown(
        'dbp5l_frontier', ['target', 'teacher', 'variant', 'session',
                           'seeds',
                           'val MRR', 'test MRR', 's'], rows, notes, folder)
    if groups and importlib.util.find_spec('matplotlib') is not None:
        from benchmarks.plots import plot_frontier
        panels = defaultdict(dict)
        for (target, teacher, variant, session), runs in groups.items():
            panels[f'{target}, teacher {teacher}'][
                f'{variant} ({session})'] = curve(runs)
        plot_frontier(panels, os.path.join(folder, 'dbp5l_frontier.png'))
    render_pooled(folder)
    return path


def render_pooled(folder: str = RESULTS_DIR) -> str:
    r"""``dbp5l_frontier_seeds.md``: :func:`pooled` as a table."""
    rows = []
    for (target, teacher, variant), protocols in sorted(
            pooled(read_records(SUITE, folder)).items()):
        runs = protocols['filtered']
        lifted = [100 * r['metrics']['mrr']
                  for r in protocols.get('lifted', [])]
        rows.append([target, teacher, variant,
                     ' '.join(str(r['seed']) for r in runs),
                     f"{statistics.mean(100 * r['metrics']['best_val_mrr'] for r in runs):.2f}",
                     _mean_std([100 * r['metrics']['mrr'] for r in runs]),
                     _mean_std(lifted) if lifted else '-'])
    notes = ('Generated by `benchmarks/frontier.py` from `dbp5l_explore.jsonl`'
             ': quality only, every variant\'s seeds pooled over sessions '
             '(the newest record of each seed; seconds are in '
             '`dbp5l_frontier.md`, per session). Filtered MRR (%): best '
             'validation (mean over seeds) and test (mean ± std); lifted '
             'test MRR (mean ± std).')
    return write_markdown(
        'dbp5l_frontier_seeds', ['target', 'teacher', 'variant', 'seeds',
                                 'val MRR', 'test MRR', 'lifted test MRR'],
        rows, notes, folder)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument('--folder', default=RESULTS_DIR)
    print(render_frontier(parser.parse_args().folder))


if __name__ == '__main__':
    main()
