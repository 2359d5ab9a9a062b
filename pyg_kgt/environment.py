"""The machine a run is on: hardware and versions (recorded with every
result), resident memory, native bfloat16 and the device a setting names.
Nothing here changes the process (that is :mod:`pyg_kgt.runtime`)."""
from __future__ import annotations

import os
import platform
import resource
from typing import Dict, FrozenSet, Optional

import torch


def hardware() -> str:
    r"""CPU model with its vector capability (and ``BF16`` where it
    multiplies bfloat16 natively), core count and GPU (if any), in words:
    e.g. ``AMD EPYC (AVX2), 2 cores, no GPU``. Machines of one model name
    may differ several-fold in speed by capability."""
    cpu = platform.processor() or platform.machine()
    try:
        with open('/proc/cpuinfo') as f:
            for line in f:
                if line.startswith('model name'):
                    cpu = line.split(':', 1)[1].strip()
                    break
    except OSError:
        pass
    capability = torch.backends.cpu.get_cpu_capability()
    flags = cpu_flags()
    if flags is not None and flags & BF16_FLAGS:
        capability += ' BF16'
    gpu = (f', GPU {torch.cuda.get_device_name(0)}'
           if torch.cuda.is_available() else ', no GPU')
    return f'{cpu} ({capability}), {os.cpu_count()} cores{gpu}'


#: CPU flags (``/proc/cpuinfo``: x86 ``flags``, Arm ``Features``) of
#: native bfloat16 arithmetic: AVX-512 BF16, AMX, Armv8.6 BF16.
BF16_FLAGS = frozenset({'avx512_bf16', 'amx_bf16', 'bf16'})


def cpu_flags(cpuinfo_path: str = '/proc/cpuinfo'
              ) -> Optional[FrozenSet[str]]:
    r"""The first CPU's feature flags (x86 ``flags``, Arm ``Features``);
    :obj:`None` where they cannot be read."""
    try:
        with open(cpuinfo_path) as f:
            for line in f:
                key, _, value = line.partition(':')
                if key.strip() in ('flags', 'Features'):
                    return frozenset(value.split())
    except OSError:
        pass
    return None


def native_bf16(device: torch.device,
                cpuinfo_path: str = '/proc/cpuinfo') -> bool:
    r"""Whether ``device`` multiplies bfloat16 natively. On a CPU without
    it (e.g. AVX2 only) bfloat16 products are emulated and far slower than
    float32 (:doc:`/performance`). True where the CPU's flags cannot be
    read (it is not known to be slow)."""
    if device.type == 'cuda':
        return torch.cuda.is_bf16_supported()
    if device.type != 'cpu':
        return True
    flags = cpu_flags(cpuinfo_path)
    return flags is None or bool(flags & BF16_FLAGS)


def versions() -> Dict[str, str]:
    import torch_geometric

    import pyg_kgt
    return {'python': platform.python_version(), 'torch': torch.__version__,
            'torch_geometric': torch_geometric.__version__,
            'pyg_kgt': pyg_kgt.__version__}


def peak_rss_mb() -> float:
    r"""Peak resident memory of this process in MB, since it started or
    since the last :func:`~pyg_kgt.runtime.reset_peak_rss` (Linux reports
    KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


DEVICES = ('auto', 'cpu', 'cuda', 'cuda:N')


def resolve_device(name: str = 'auto') -> torch.device:
    r"""The device a setting names: ``"auto"`` is CUDA when available, else
    the CPU; ``"cpu"``; ``"cuda"`` (under ``torchrun``, the GPU of this
    process's ``LOCAL_RANK``); ``"cuda:N"``. Asking for CUDA where there is
    none raises a :class:`~pyg_kgt.errors.ConfigError` saying so."""
    from pyg_kgt.errors import ConfigError
    if name == 'auto':
        name = 'cuda' if torch.cuda.is_available() else 'cpu'
    if name == 'cpu':
        return torch.device('cpu')
    if name == 'cuda' or name.startswith('cuda:'):
        if not torch.cuda.is_available():
            raise ConfigError(f"device: '{name}' asked for, but this "
                              f'machine has no CUDA GPU (torch '
                              f'{torch.__version__}); use auto or cpu')
        if name == 'cuda':
            index = int(os.environ.get('LOCAL_RANK', '0'))
        else:
            try:
                index = int(name.split(':', 1)[1])
            except ValueError:
                raise ConfigError(f"device: '{name}' is not cuda:N") from None
        if not 0 <= index < torch.cuda.device_count():
            raise ConfigError(f'device: cuda:{index} does not exist (this '
                              f'machine has {torch.cuda.device_count()} '
                              f'GPU(s))')
        return torch.device('cuda', index)
    raise ConfigError(f"device: unknown value '{name}' (use one of "
                      f'{DEVICES})')
