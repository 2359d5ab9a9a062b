import subprocess
import sys

import numpy as np
import pytest

from pyg_kgt.environment import hardware, peak_rss_mb, reset_peak_rss


def test_hardware_names_the_cores():
    assert 'cores' in hardware()


@pytest.mark.skipif(not sys.platform.startswith('linux'),
                    reason='/proc/self/clear_refs is Linux-only')
def test_reset_starts_a_new_peak():
    block = np.ones(200 * 2 ** 20 // 8)  # 200 MB, every page touched
    with_block = peak_rss_mb()
    del block
    assert reset_peak_rss()
    # The freed block no longer counts: the peak is what is resident now.
    assert peak_rss_mb() < with_block - 150


SCRIPT = '''
import resource, torch
from pyg_kgt.environment import reuse_freed_memory
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
    out = subprocess.run([sys.executable, '-c', SCRIPT.format(reuse=reuse)],
                         capture_output=True, text=True, check=True)
    return int(out.stdout.split()[-1])


@pytest.mark.skipif(not sys.platform.startswith('linux'),
                    reason='glibc mallopt')
def test_reused_memory_is_not_page_faulted_again():
    # Ten 64 MiB results: freshly mapped, each faults all its 16k pages in
    # again; kept in the heap, about half as many (measured 0.5-0.6).
    fresh, reused = _page_faults(False), _page_faults(True)
    assert fresh > 150000
    assert reused < 0.75 * fresh
