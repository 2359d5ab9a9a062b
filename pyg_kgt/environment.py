"""The process and its machine: hardware and versions (recorded with every
result), resident memory, and the reuse of freed memory."""
from __future__ import annotations

import ctypes
import ctypes.util
import functools
import os
import platform
import resource
import sys
from typing import Dict, FrozenSet, Optional, Tuple

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
    it (e.g. AVX2 only) bfloat16 products are emulated: under autocast a
    ``[4096, 200] x [200, 20000]`` product took 7.9 s against 0.94-1.0 s
    in float32 on an AVX2 EPYC (8x slower), where AVX-512 BF16 made the
    same scoring 4x faster. True where the CPU's flags cannot be read (it
    is not known to be slow)."""
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
    release_freed_memory()
    try:
        with open('/proc/self/clear_refs', 'w') as f:
            f.write('5')
    except OSError:
        return False
    return True


# glibc's mallopt parameters (malloc.h).
_M_TRIM_THRESHOLD = -1
_M_MMAP_THRESHOLD = -3
_KEEP = 2**31 - 1  # bytes: larger than any single step's temporaries
_applied = False


@functools.lru_cache(maxsize=None)
def _libc():
    r"""glibc's ``mallopt`` and ``malloc_trim``, or :obj:`None` off glibc
    (loaded once)."""
    if not sys.platform.startswith('linux'):
        return None
    try:
        libc = ctypes.CDLL(ctypes.util.find_library('c') or 'libc.so.6')
        return libc.mallopt, libc.malloc_trim
    except (OSError, AttributeError):  # musl and others
        return None


def reuse_freed_memory() -> bool:
    r"""Makes glibc keep freed large blocks in the process's heap for reuse
    instead of returning each one to the operating system.

    By default glibc serves every allocation above a (dynamic) threshold
    with its own ``mmap`` and unmaps it on free, so each training step's
    large temporaries (1-N scores of :obj:`[batch, candidates]`, per-basis
    aggregates) are page-faulted in afresh, in the kernel: on 2 cores a
    :obj:`[4096, 15000]` ``exp`` took 0.14 s freshly mapped and 0.09 s
    reused, a ``logsumexp`` 0.15 s and 0.08 s, with about half the page
    faults. The same remedy as the
    allocators PyTorch's CPU tuning guide suggests (jemalloc, tcmalloc),
    without a dependency. The process's resident memory then stays near its
    peak rather than falling between steps (:func:`release_freed_memory`
    gives the free part back). Applied once per process; a no-op
    (returning :obj:`False`) off glibc.
    """
    global _applied
    functions = _libc()
    if _applied or functions is None:
        return _applied
    mallopt = functions[0]
    _applied = bool(mallopt(_M_MMAP_THRESHOLD, _KEEP) and
                    mallopt(_M_TRIM_THRESHOLD, _KEEP))
    return _applied


def release_freed_memory() -> bool:
    r"""Returns the heap's free memory to the operating system now
    (``malloc_trim``), e.g. between two runs in one process whose peaks are
    measured apart. :obj:`False` off glibc."""
    functions = _libc()
    return functions is not None and bool(functions[1](0))


def _cpu_times(stat_path: str = '/proc/stat') -> Optional[Tuple[int, int]]:
    r"""``(busy, total)`` clock ticks of all CPUs since boot, from the first
    line of ``/proc/stat``; :obj:`None` where it cannot be read."""
    try:
        with open(stat_path) as f:
            fields = [int(v) for v in f.readline().split()[1:]]
    except (OSError, ValueError):
        return None
    if len(fields) < 4:
        return None
    total = sum(fields[:8])  # guest time is already counted in user time
    idle = fields[3] + (fields[4] if len(fields) > 4 else 0)
    return total - idle, total


def _own_ticks() -> int:
    r"""CPU clock ticks this process (all its threads) has used."""
    times = os.times()
    return int((times.user + times.system) * os.sysconf('SC_CLK_TCK'))


class FreeCores:
    r"""How many of the process's cores other processes leave free.

    Between two calls it reads how busy all CPUs were (``/proc/stat``),
    takes away this process's own share, and returns the cores left,
    :math:`\max(1, \mathrm{round}(C - \text{others' busy cores}))` for the
    :math:`C` cores the process may run on. Training re-sets its threads to
    this every epoch (``training.num_threads`` unset): with more threads
    than free cores, every parallel region waits for a descheduled thread
    (measured on 2 cores: a loop of small products took 2.8 s alone and
    17 s each beside a twin with 2 threads apiece, 4.4 s with 1).

    Args:
        stat_path (str): The kernel's CPU counters. (default:
            ``/proc/stat``)
    """

    def __init__(self, stat_path: str = '/proc/stat') -> None:
        self.stat_path = stat_path
        self.cores = (len(os.sched_getaffinity(0))
                      if hasattr(os, 'sched_getaffinity')
                      else os.cpu_count() or 1)
        self._last = (_cpu_times(stat_path), _own_ticks())

    def __call__(self) -> int:
        r"""The free cores since the previous call (or construction); all
        of them where the counters cannot be read."""
        now = (_cpu_times(self.stat_path), _own_ticks())
        before, self._last = self._last, now
        if now[0] is None or before[0] is None:
            return self.cores
        busy = now[0][0] - before[0][0]
        total = now[0][1] - before[0][1]
        if total <= 0:
            return self.cores
        machine = os.cpu_count() or self.cores
        others = max(0, busy - (now[1] - before[1])) * machine / total
        return max(1, min(self.cores, round(self.cores - others)))


_FREE_CORES = FreeCores()  # counting from when the process imported us


def follow_free_cores() -> int:
    r"""Sets torch's CPU threads to the cores free since the last call
    (:class:`FreeCores`; the first call counts from import) and returns
    them."""
    free = _FREE_CORES()
    if torch.get_num_threads() != free:
        torch.set_num_threads(free)
    return free


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
