"""The benchmark tables' plots (matplotlib Figures, never pyplot), drawn
with the package's figure and atomic-save helpers."""
from __future__ import annotations

from typing import Dict, List, Optional

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
