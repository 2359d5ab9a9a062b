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
