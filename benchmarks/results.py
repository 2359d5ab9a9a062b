"""Benchmark records in the format of shared/RESULTS_SCHEMA.md."""
from __future__ import annotations

import datetime
import json
import os
import subprocess
from typing import Any, Dict, List, Optional, Sequence

from pyg_kgt.environment import hardware, peak_rss_mb, versions

# ``$PYG_KGT_RESULTS`` redirects every suite (``benchmarks/run.py --quick``
# writes its smoke results there instead of beside the committed ones).
RESULTS_DIR = os.environ.get('PYG_KGT_RESULTS') or os.path.join(
    os.path.dirname(os.path.abspath(__file__)), 'results')
KEY = ('suite', 'dataset', 'target', 'method', 'protocol', 'seed')


def default_data() -> str:
    r"""``$PYG_KGT_DATA`` or ``../shared/data`` beside the repository."""
    return os.environ.get('PYG_KGT_DATA', os.path.join(
        os.path.dirname(os.path.dirname(os.path.abspath(__file__))), '..',
        'shared', 'data'))


def dbp5l_root(data: str) -> str:
    r"""``data/dbp5l``; exits with a clear message when it is missing."""
    root = os.path.join(data, 'dbp5l')
    if not os.path.isdir(root):
        raise SystemExit(f'DBP-5L not found at {root}: pass --data or set '
                         f'PYG_KGT_DATA')
    return root


REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def run_worker(argv: Sequence[str], **kwargs: Any) -> Dict[str, Any]:
    r"""Runs a worker command (``[python, -m, benchmarks.x, --worker ...]``)
    from the repository root and returns the last JSON line it printed, or
    ``{"error": ...}`` with its last line of stderr."""
    proc = subprocess.run(list(argv), capture_output=True, text=True,
                          cwd=REPO, **kwargs)
    lines = [l for l in proc.stdout.splitlines() if l.startswith('{')]
    if lines:
        return json.loads(lines[-1])
    return {'error': f'exit {proc.returncode}: '
                     f'{proc.stderr.strip().splitlines()[-1:]}'}


def git_commit() -> str:
    r"""``HEAD``, with ``+dirty`` when the package or the benchmark scripts
    differ from it; ``unknown`` outside a git checkout."""
    def git(*args) -> subprocess.CompletedProcess:
        return subprocess.run(['git', *args], capture_output=True, text=True,
                              cwd=os.path.dirname(os.path.abspath(__file__)))
    try:
        head = git('rev-parse', 'HEAD')
        if head.returncode:
            return 'unknown'
        dirty = git('diff', '--quiet', 'HEAD', '--', '../pyg_kgt', '*.py')
        return head.stdout.strip() + ('+dirty' if dirty.returncode else '')
    except OSError:
        return 'unknown'


# Read once, when a benchmark process starts: the code that runs is the
# code of that moment, even if commits land while it trains.
GIT_COMMIT = git_commit()


def make_record(suite: str, dataset: str, method: str,
                metrics: Dict[str, Any], wall_s: float, config: Dict,
                target: Optional[str] = None,
                protocol: Optional[str] = None, seed: int = 0,
                peak_rss: Optional[float] = None) -> Dict[str, Any]:
    return {
        'suite': suite, 'dataset': dataset, 'target': target,
        'method': method, 'protocol': protocol, 'seed': seed,
        'metrics': metrics, 'wall_s': wall_s,
        'peak_rss_mb': peak_rss if peak_rss is not None else peak_rss_mb(),
        'config': config, 'hardware': hardware(), 'versions': versions(),
        'git_commit': GIT_COMMIT,
        'timestamp': datetime.datetime.now(datetime.timezone.utc)
        .isoformat(timespec='seconds'),
    }


def append_records(suite: str, records: Sequence[Dict[str, Any]],
                   folder: Optional[str] = None) -> str:
    r"""Appends records (one JSON object per line) to ``<suite>.jsonl`` in
    ``folder`` (default: :data:`RESULTS_DIR`)."""
    folder = folder or RESULTS_DIR
    os.makedirs(folder, exist_ok=True)
    path = os.path.join(folder, f'{suite}.jsonl')
    with open(path, 'a', encoding='utf-8') as f:
        for record in records:
            f.write(json.dumps(record, sort_keys=True) + '\n')
        f.flush()
        os.fsync(f.fileno())
    return path


def read_records(suite: str, folder: Optional[str] = None
                 ) -> List[Dict[str, Any]]:
    r"""Every record of ``<suite>.jsonl``, oldest first (none if absent)."""
    path = os.path.join(folder or RESULTS_DIR, f'{suite}.jsonl')
    if not os.path.isfile(path):
        return []
    with open(path, encoding='utf-8') as f:
        return [json.loads(line) for line in f if line.strip()]


def newest_records(suite: str, folder: Optional[str] = None,
                   dataset: Optional[str] = None) -> List[Dict[str, Any]]:
    r"""The newest record per key (suite, dataset, target, method,
    protocol, seed), in first-seen order; only ``dataset``'s when given
    (e.g. ``dbp5l``, JMAC's alignment split, or ``dbp5l_all``, every seed
    alignment: the two DBP-5L tables share ``dbp5l_transfer.jsonl``)."""
    newest: Dict[tuple, Dict[str, Any]] = {}
    for record in read_records(suite, folder):
        if dataset is None or record.get('dataset') == dataset:
            newest[tuple(record.get(k) for k in KEY)] = record
    return list(newest.values())


# The config keys of a joint-from-scratch record that make its model: one
# model per seed, shared by every target that evaluates it.
JOINT_RUN_KEYS = ('joint_training', 'joint_model', 'joint_kgs',
                  'alignment_split')


#: Settings added after records were written, with the value those records
#: ran with: a setting at that value is left out when comparing.
INTRODUCED = {'lr_schedule': 'constant', 'fill_unaligned': False,
              'alignment_split': 'jmac', 'tracker': None, 'profile': False,
              'optimizer': 'adam', 'val_protocol': 'filtered',
              'distillation_fade': 1.0, 'distillation_release': False,
              'teacher_candidates': 0,
              # On: a run is the one before it wherever the teacher passes
              # the check, as every teacher of the real-data records does.
              'teacher_check': True}


def comparable(config: Any) -> Any:
    r"""``config`` without the keys that do not change a result
    (``progress``, and a setting of :data:`INTRODUCED` at the value the
    records before it ran with), for telling whether a run is already
    recorded."""
    if isinstance(config, dict):
        return {k: comparable(v) for k, v in config.items()
                if k != 'progress' and not (
                    k in INTRODUCED and v == INTRODUCED[k])}
    if isinstance(config, (list, tuple)):
        return [comparable(v) for v in config]
    return config


def has_record(suite: str, target: Optional[str], method: str, seed: int,
               config: Dict[str, Any], folder: Optional[str] = None,
               keys: Optional[Sequence[str]] = None,
               records: Optional[Sequence[Dict[str, Any]]] = None) -> bool:
    r"""Whether the newest ``filtered`` record of (target, method, seed)
    was produced by the same ``config``: a resumed suite skips it.

    ``keys`` restricts the comparison to those top-level config keys (the
    ones the method's result depends on); all keys by default.
    ``records`` are the suite's :func:`newest_records`, read once by a
    caller that asks many times; read from ``folder`` when ``None``."""
    if records is None:
        records = newest_records(suite, folder)
    for record in records:
        if (record['target'], record['method'], record['seed'],
                record['protocol']) == (target, method, seed, 'filtered'):
            old, new = record['config'], config
            if keys is not None:  # a key a record lacks came later
                old = {k: old[k] for k in keys if k in old}
                new = {k: new[k] for k in keys if k in new}
            return comparable(old) == comparable(new)
    return False


def write_markdown(suite: str, header: Sequence[str],
                   rows: Sequence[Sequence[Any]], notes: str = '',
                   folder: str = RESULTS_DIR, footer: str = '') -> str:
    r"""Writes ``<suite>.md`` atomically: title, ``notes``, the table,
    then ``footer``."""
    path = os.path.join(folder, f'{suite}.md')
    lines = [f'# Benchmark `{suite}`', '', notes, '',
             '| ' + ' | '.join(header) + ' |',
             '|' + '---|' * len(header)]
    lines += ['| ' + ' | '.join(str(v) for v in row) + ' |' for row in rows]
    if footer:
        lines += ['', footer]
    tmp = path + '.tmp'
    with open(tmp, 'w', encoding='utf-8') as f:
        f.write('\n'.join(lines) + '\n')
    os.replace(tmp, path)
    return path


def validation_summary(history: Sequence[Dict[str, Any]]) -> Dict[str, Any]:
    r"""What a record keeps of a fit's ``history``: ``best_val_mrr``,
    ``best_epoch`` (both :obj:`None` without validation) and
    ``val_curve``, the validation MRR of every scored epoch."""
    scored = [h for h in history if 'val_mrr' in h]
    best = max(scored, key=lambda h: h['val_mrr'], default=None)
    return {'best_val_mrr': best['val_mrr'] if best else None,
            'best_epoch': best['epoch'] if best else None,
            'val_curve': [round(h['val_mrr'], 5) for h in scored]}


def student_summary(student: Any) -> Dict[str, Any]:
    r""":func:`validation_summary` of a trained student's history, plus,
    where it had a teacher, its check before training
    (``LocalStudent.teacher_check``): ``teacher_agreement``,
    ``chance_agreement`` and ``teacher_used``."""
    summary = validation_summary(student.history)
    check = student.teacher_check
    if check is not None:
        summary.update(teacher_agreement=round(check.agreement, 5),
                       chance_agreement=round(check.chance, 5),
                       teacher_used=check.passed)
    return summary


def apply_runtime() -> None:
    r"""At a benchmark's start, what the CLI applies at its own
    (:func:`pyg_kgt.runtime.apply_process_settings` with the default
    training settings): threads that follow the free cores at every epoch
    and the reuse of freed memory."""
    from pyg_kgt.runtime import apply_process_settings
    from pyg_kgt.training import TrainingConfig
    apply_process_settings(TrainingConfig())
