"""Hardware and versions, recorded with every result."""
from __future__ import annotations

import os
import platform
import resource
from typing import Dict

import torch


def hardware() -> str:
    r"""CPU model, core count and GPU (if any), in words."""
    cpu = platform.processor() or platform.machine()
    try:
        with open('/proc/cpuinfo') as f:
            for line in f:
                if line.startswith('model name'):
                    cpu = line.split(':', 1)[1].strip()
                    break
    except OSError:
        pass
    gpu = (f', GPU {torch.cuda.get_device_name(0)}'
           if torch.cuda.is_available() else ', no GPU')
    return f'{cpu}, {os.cpu_count()} cores{gpu}'


def versions() -> Dict[str, str]:
    import torch_geometric

    import pyg_kgt
    return {'python': platform.python_version(), 'torch': torch.__version__,
            'torch_geometric': torch_geometric.__version__,
            'pyg_kgt': pyg_kgt.__version__}


def peak_rss_mb() -> float:
    r"""Peak resident memory of this process in MB, since it started or
    since the last :func:`reset_peak_rss` (Linux reports KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def reset_peak_rss() -> bool:
    r"""Starts a new peak for :func:`peak_rss_mb`, so that runs one after the
    other in one process each report their own peak rather than the largest
    so far. Linux 4.0+ resets it when ``5`` is written to
    ``/proc/self/clear_refs``.

    Returns:
        ``False`` where that is not supported; the peak then keeps covering
        the whole process.
    """
    try:
        with open('/proc/self/clear_refs', 'w') as f:
            f.write('5')
    except OSError:
        return False
    return True
