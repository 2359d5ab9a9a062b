import os
import subprocess
import sys

import numpy as np
import pytest

from pyg_kgt.environment import peak_rss_mb
from pyg_kgt.runtime import FreeCores, reset_peak_rss

SCRIPT = '''
import resource, torch
from pyg_kgt.runtime import reuse_freed_memory
if {reuse}:
    assert reuse_freed_memory() and reuse_freed_memory()  # idempotent
x = torch.randn(2048, 8192)
torch.exp(x)  # warm-up: the first large block is mapped once
before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
for _ in range(10):
    torch.exp(x)
    x.sum(1)
print(resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before)
'''


def _page_faults(reuse: bool) -> int:
    # One thread: with two, an AVX2 EPYC re-faulted 4 to 8 of the ten
    # reused blocks (ratio 0.4-0.8, failing 1 run in 4), with one 4 to 6.
    env = dict(os.environ, OMP_NUM_THREADS='1')
    out = subprocess.run([sys.executable, '-c', SCRIPT.format(reuse=reuse)],
                         capture_output=True, text=True, check=True, env=env)
    return int(out.stdout.split()[-1])


@pytest.mark.skipif(not sys.platform.startswith('linux'),
                    reason='glibc mallopt')
def test_reused_memory_is_not_page_faulted_again():
    # Ten 64 MiB results: freshly mapped, each faults all its 16k pages in
    # again; kept in the heap, about half as many (measured 0.5-0.6).
    # (Best of two runs each: the machine's other work adds faults.)
    fresh = min(_page_faults(False) for _ in range(2))
    reused = min(_page_faults(True) for _ in range(2))
    assert fresh > 150000
    assert reused < 0.75 * fresh


def _stat(tmp_path, busy: int, idle: int) -> str:
    path = tmp_path / 'stat'
    # user nice system idle iowait irq softirq steal
    path.write_text(f'cpu  {busy} 0 0 {idle} 0 0 0 0 0 0\ncpu0 1 2 3 4\n')
    return str(path)


def test_free_cores_counts_what_other_processes_use(tmp_path, monkeypatch):
    from pyg_kgt import runtime as environment
    monkeypatch.setattr(environment.os, 'cpu_count', lambda: 4)
    own = iter([0, 0, 100, 100])  # ticks this process used
    monkeypatch.setattr(environment, '_own_ticks', lambda: next(own))
    monitor = FreeCores(_stat(tmp_path, busy=0, idle=0))
    monitor.cores = 4
    # 100 ticks of 4 CPUs: 200 busy, none ours: 2 cores used by others.
    _stat(tmp_path, busy=200, idle=200)
    assert monitor() == 2
    # Next 100 ticks: 300 busy, 100 of them ours: still 2 used by others.
    _stat(tmp_path, busy=500, idle=300)
    assert monitor() == 2
    # Unreadable counters: every core.
    monitor.stat_path = str(tmp_path / 'missing')
    assert monitor() == 4


def test_training_follows_free_cores_unless_threads_are_set(monkeypatch):
    import torch

    from pyg_kgt.runtime import apply_process_settings, follows_free_cores
    from pyg_kgt.training.config import TrainingConfig
    monkeypatch.delenv('OMP_NUM_THREADS', raising=False)
    assert follows_free_cores(TrainingConfig())
    assert not follows_free_cores(TrainingConfig(num_threads=1))
    monkeypatch.setenv('OMP_NUM_THREADS', '1')
    assert not follows_free_cores(TrainingConfig())
    before = torch.get_num_threads()
    try:
        monkeypatch.delenv('OMP_NUM_THREADS')
        apply_process_settings(TrainingConfig())
        assert 1 <= torch.get_num_threads() <= (os.cpu_count() or 1)
    finally:
        torch.set_num_threads(before)


@pytest.mark.skipif(not sys.platform.startswith('linux'),
                    reason='/proc/self/clear_refs is Linux-only')
def test_reset_starts_a_new_peak():
    block = np.ones(200 * 2 ** 20 // 8)  # 200 MB, every page touched
    with_block = peak_rss_mb()
    del block
    assert reset_peak_rss()
    # The freed block no longer counts: the peak is what is resident now.
    assert peak_rss_mb() < with_block - 150
