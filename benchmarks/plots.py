"""The benchmark tables' plots (matplotlib Figures, never pyplot), drawn
with the package's figure and atomic-save helpers."""
from __future__ import annotations

from typing import Dict, List, Optional, Sequence, Tuple

from pyg_kgt.plots import new_figure, save_figure


def plot_method_comparison(rows: List[Dict[str, object]], path: str,
                           metric: str = 'mrr',
                           title: str = 'test MRR by method',
                           ylabel: Optional[str] = None) -> str:
    r"""Grouped bars: one group per target, one bar per method, with the
    standard deviation over seeds as error bars. ``rows`` hold ``target``,
    ``method``, ``mean`` and ``std``; the y axis reads ``ylabel`` (default:
    ``test <METRIC>``)."""
    targets = sorted({str(r['target']) for r in rows})
    methods = list(dict.fromkeys(str(r['method']) for r in rows))
    width = 0.8 / max(len(methods), 1)
    fig = new_figure(figsize=(max(5, 1.6 * len(targets) *
                               max(1, len(methods) / 3)), 4.2), dpi=120)
    axis = fig.subplots()
    for i, method in enumerate(methods):
        values = {str(r['target']): r for r in rows if r['method'] == method}
        present = [t for t in range(len(targets)) if targets[t] in values]
        axis.bar([t + i * width for t in present],
                 [values[targets[t]]['mean'] for t in present], width,
                 yerr=[values[targets[t]].get('std', 0) for t in present],
                 label=method, capsize=2)
    axis.set_xticks([t + 0.4 - width / 2 for t in range(len(targets))])
    axis.set_xticklabels(targets)
    axis.set_xlabel('target KG')
    axis.set_ylabel(ylabel or f'test {metric.upper()}')
    axis.set_title(title)
    axis.legend(fontsize='small', ncol=min(3, len(methods)),
                loc='upper center', bbox_to_anchor=(0.5, -0.18))
    fig.tight_layout()
    save_figure(fig, path)
    return path


def plot_scaling(records: Sequence[Dict], path: str) -> str:
    r"""Seconds per epoch and peak memory against training triples (log
    scales), one line per ``method`` (training mode and ranks). ``records``
    are ``scaling`` benchmark records."""
    fig = new_figure(figsize=(10, 3.8), dpi=120)
    time_axis, memory_axis = fig.subplots(1, 2)
    for method in dict.fromkeys(r['method'] for r in records):
        rows = sorted((r['metrics']['triples'], r['metrics']['s_per_epoch'],
                       r['peak_rss_mb']) for r in records
                      if r['method'] == method)
        xs = [row[0] for row in rows]
        time_axis.plot(xs, [row[1] for row in rows], marker='o',
                       label=method)
        memory_axis.plot(xs, [row[2] for row in rows], marker='o',
                         label=method)
    for axis, label in ((time_axis, 'seconds per epoch'),
                        (memory_axis, 'peak RSS of rank 0 (MB)')):
        axis.set_xscale('log')
        axis.set_yscale('log')
        axis.set_xlabel('training triples')
        axis.set_ylabel(label)
        axis.grid(True, which='both', alpha=0.3)
    time_axis.legend(fontsize='small')
    fig.suptitle('JointTeacher pre-training: one epoch vs graph size')
    fig.tight_layout()
    save_figure(fig, path)
    return path


def plot_frontier(panels: Dict[str, Dict[str, Sequence[Tuple[float, float]]]],
                  path: str) -> str:
    r"""Quality against cost: per panel (e.g. a target), one line per
    variant through its (seconds, validation MRR) points."""
    fig = new_figure(figsize=(6.5 * min(len(panels), 2),
                           4.2 * ((len(panels) + 1) // 2)), dpi=80)
    axes = fig.subplots((len(panels) + 1) // 2, min(len(panels), 2),
                        squeeze=False).reshape(-1)
    for axis, (title, lines) in zip(axes, sorted(panels.items())):
        for name, points in sorted(lines.items()):
            axis.plot([p[0] for p in points], [p[1] for p in points],
                      marker='.', label=name)
        axis.set_title(title, fontsize='medium')
        axis.set_xlabel('re-training seconds')
        axis.set_ylabel('validation MRR (%)')
        axis.grid(True, alpha=0.3)
        axis.legend(fontsize='x-small')
    for axis in axes[len(panels):]:
        axis.set_visible(False)
    fig.tight_layout()
    save_figure(fig, path)
    return path
