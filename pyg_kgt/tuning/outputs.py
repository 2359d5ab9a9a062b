r"""What a study leaves in its folder: ``trials.tsv``, ``best.yaml`` and
the plots (drawn without pyplot, see :mod:`pyg_kgt.plots`)."""
from __future__ import annotations

import json
import os
from typing import Any, Dict, List, Optional

from pyg_kgt.io import atomic_write, atomic_write_tsv
from pyg_kgt.plots import new_figure, save_figure

BEST = 'best.yaml'
TRIALS = 'trials.tsv'


def _state(trial) -> str:
    return trial.state.name.lower()


def _best_value(trial) -> Optional[float]:
    r"""A trial's objective, or for a pruned one the best validation it
    reported before it was stopped (:obj:`None` if it reported none)."""
    if trial.value is not None:
        return trial.value
    values = trial.intermediate_values.values()
    return max(values) if values else None


def write_trials(study, keys: List[str], path: str) -> str:
    r"""One row per trial: number, state, best validation MRR, the epochs
    it ran, its seconds, its run folder and every tuned value."""
    header = ['trial', 'state', 'val_mrr', 'epochs', 'seconds'] + keys + [
        'run_dir']
    rows = []
    for trial in study.trials:
        value = _best_value(trial)
        attrs = trial.user_attrs
        rows.append([trial.number, _state(trial),
                     '' if value is None else f'{value:.4f}',
                     attrs.get('epochs', ''), attrs.get('seconds', '')] +
                    [json.dumps(trial.params.get(k)) if k in trial.params
                     else '' for k in keys] + [attrs.get('run_dir', '')])
    atomic_write_tsv(rows, path, header)
    return path


def best_trial(study) -> Optional[Any]:
    r"""The completed trial with the highest value, if any."""
    from optuna.trial import TrialState
    done = [t for t in study.trials if t.state == TrialState.COMPLETE]
    return max(done, key=lambda t: t.value) if done else None


def write_best(study, base, path: str) -> Optional[str]:
    r"""``best.yaml``: the study's configuration ``base`` with the best
    trial's values, no ``tune`` section and its own ``run_dir`` — a file
    ``retrain`` (or the tuned command) accepts as it is."""
    best = best_trial(study)
    if best is None:
        return None
    run_dir = os.path.join(os.path.dirname(os.path.abspath(path)), 'best')
    config = base.with_params(best.params, run_dir)
    atomic_write(path, f'# pyg-kgt tune: trial {best.number}, best '
                 f'validation MRR {best.value:.4f}\n' + config.to_yaml())
    return path


def plot_history(study, path: str) -> str:
    r"""Each trial's best validation MRR by trial number (pruned trials
    hollow) and the best so far."""
    fig = new_figure(figsize=(6, 3.5), dpi=120)
    axis = fig.subplots()
    best, line = float('-inf'), []
    for state, marker in (('complete', 'o'), ('pruned', 'x')):
        points = [(t.number, _best_value(t)) for t in study.trials
                  if _state(t) == state and _best_value(t) is not None]
        if points:
            axis.scatter(*zip(*points), marker=marker, label=state)
    for trial in study.trials:
        if _state(trial) == 'complete':
            best = max(best, trial.value)
            line.append((trial.number, best))
    if line:
        line.append((study.trials[-1].number, best))
        axis.step(*zip(*line), where='post', color='tab:red',
                  label='best so far')
    axis.set_xlabel('trial')
    axis.set_ylabel('best validation MRR')
    axis.legend(loc='lower right')
    axis.set_title('optimisation history')
    fig.tight_layout()
    save_figure(fig, path)
    return path


def plot_curves(study, path: str) -> str:
    r"""Every trial's validation MRR by epoch: where the pruner stopped
    (dashed) and what ran to the end."""
    fig = new_figure(figsize=(6, 3.5), dpi=120)
    axis = fig.subplots()
    for trial in study.trials:
        values = sorted(trial.intermediate_values.items())
        if values:
            axis.plot(*zip(*values), marker='.', alpha=0.8,
                      linestyle='--' if _state(trial) == 'pruned' else '-')
    axis.set_xlabel('epoch')
    axis.set_ylabel('validation MRR')
    axis.set_title('trials (dashed: pruned)')
    fig.tight_layout()
    save_figure(fig, path)
    return path


def plot_importances(study, path: str) -> Optional[str]:
    r"""Optuna's fANOVA importance of each tuned key (needs two or more
    completed trials that differ); :obj:`None` when it cannot be told."""
    import optuna
    try:
        importances: Dict[str, float] = \
            optuna.importance.get_param_importances(study)
    except (ValueError, RuntimeError):
        return None
    if not importances:
        return None
    fig = new_figure(figsize=(6, 0.6 * len(importances) + 1.2), dpi=120)
    axis = fig.subplots()
    keys = list(importances)[::-1]
    axis.barh(keys, [importances[k] for k in keys], color='tab:blue')
    axis.set_xlabel('importance (fANOVA, share of the variance)')
    axis.set_title('parameter importances')
    fig.tight_layout()
    save_figure(fig, path)
    return path


def write_outputs(study, base, keys: List[str], folder: str,
                  plots: bool = True) -> Dict[str, str]:
    r"""``trials.tsv``, ``best.yaml`` and (``plots``) the PNGs into
    ``folder``; returns what was written (what -> path)."""
    written = {'trials': write_trials(study, keys,
                                      os.path.join(folder, TRIALS))}
    best = write_best(study, base, os.path.join(folder, BEST))
    if best:
        written['best configuration'] = best
    if plots and study.trials:
        written['history plot'] = plot_history(
            study, os.path.join(folder, 'optimization_history.png'))
        written['curves plot'] = plot_curves(
            study, os.path.join(folder, 'validation_curves.png'))
        importance = plot_importances(
            study, os.path.join(folder, 'param_importances.png'))
        if importance:
            written['importance plot'] = importance
    return written


def write_confirmation(runs: List[Dict[str, Any]], folder: str
                       ) -> Dict[str, str]:
    r"""``confirm.tsv`` (one row per run: kind, seed, best validation
    MRR, test MRR per protocol, seconds, folder) and ``confirm.md`` (per
    kind: mean ± std over seeds) from ``runs``, each ``{"kind", "seed",
    "folder", "history", "results"}`` with ``results`` the run's
    ``results.json``; a results entry per KG is averaged over the KGs."""
    import statistics
    rows, table = [], {}
    protocols: List[str] = []
    for run in runs:
        per_kg = list(run['results']['results'].values())
        protocols = list(per_kg[0])
        test = {p: sum(r[p]['metrics']['mrr'] for r in per_kg) / len(per_kg)
                for p in protocols}
        values = [r['val_mrr'] for r in run['history'] if 'val_mrr' in r]
        if not values:  # a run kept from an earlier call: its metrics.tsv
            values = _val_mrrs(os.path.join(run['folder'], 'metrics.tsv'))
        val = max(values, default=float('nan'))
        seconds = run['results']['wall_s']
        rows.append([run['kind'], run['seed'], f'{val:.4f}'] +
                    [f'{test[p]:.4f}' for p in protocols] +
                    [f'{seconds:.0f}', run['folder']])
        table.setdefault(run['kind'], []).append((val, test, seconds))
    tsv = os.path.join(folder, 'confirm.tsv')
    atomic_write_tsv(rows, tsv, ['kind', 'seed', 'val_mrr'] +
                     [f'test_mrr_{p}' for p in protocols] +
                     ['seconds', 'run_dir'])

    def cell(values: List[float]) -> str:
        mean = 100 * statistics.mean(values)
        std = 100 * statistics.stdev(values) if len(values) > 1 else 0.0
        return f'{mean:.2f} ± {std:.2f}'
    lines = ['| configuration | seeds | validation MRR | ' +
             ' | '.join(f'test MRR ({p})' for p in protocols) +
             ' | seconds (mean) |',
             '|---' * (4 + len(protocols)) + '|']
    for kind, results in table.items():
        lines.append(f'| {kind} | {len(results)} | '
                     f'{cell([r[0] for r in results])} | ' +
                     ' | '.join(cell([r[1][p] for r in results])
                                for p in protocols) +
                     f' | {statistics.mean(r[2] for r in results):.0f} |')
    md = os.path.join(folder, 'confirm.md')
    atomic_write(md, '\n'.join(lines) + '\n')
    return {'confirmation runs': tsv, 'confirmation table': md}


def _val_mrrs(path: str) -> List[float]:
    r"""The validation MRRs of a run folder's ``metrics.tsv``."""
    if not os.path.isfile(path):
        return []
    with open(path, encoding='utf-8') as f:
        lines = f.read().splitlines()
    column = lines[0].split('\t').index('val_mrr')
    return [float(line.split('\t')[column]) for line in lines[1:]
            if line.split('\t')[column]]
