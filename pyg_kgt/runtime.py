"""Process-wide policy that belongs to the application (the CLI, the demo,
the benchmarks), never to the library: CPU threads that follow the cores
other processes leave free, glibc's reuse of freed memory, and the fixed
thread count and cuBLAS workspace of deterministic runs.

The library's :func:`~pyg_kgt.training.fit` changes none of these; an
application opts in once at start with :func:`apply_process_settings`,
which also makes every later fit re-measure the free cores at each epoch
(:func:`epoch_started`) when the threads are left to follow them.
"""
from __future__ import annotations

import ctypes
import ctypes.util
import functools
import os
import sys
from typing import TYPE_CHECKING, Optional, Tuple

import torch

if TYPE_CHECKING:  # pragma: no cover
    from pyg_kgt.training.config import TrainingConfig

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
    aggregates) are page-faulted in afresh, in the kernel, and each pass
    over them is slower (:doc:`/performance`). The same remedy as the
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


def reset_peak_rss() -> bool:
    r"""Starts a new peak for :func:`~pyg_kgt.environment.peak_rss_mb`, so that runs one after the
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
    this every epoch when the application opted in
    (:func:`apply_process_settings`): with more threads than free cores,
    every parallel region waits for a descheduled thread
    (:doc:`/performance`).

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


def follows_free_cores(training: 'TrainingConfig') -> bool:
    r"""Whether ``training`` leaves the threads to follow the free cores
    (``num_threads`` unset, not deterministic, no ``OMP_NUM_THREADS``)."""
    return (training.num_threads is None and not training.deterministic
            and 'OMP_NUM_THREADS' not in os.environ)


_following = False


def apply_process_settings(training: 'TrainingConfig') -> None:
    r"""Applies, once at an application's start, the settings of
    ``training`` that belong to the whole process: its CPU threads
    (``num_threads``; when :obj:`None` and :func:`follows_free_cores`, the
    free cores now and again at every epoch of every later fit), the reuse
    of freed memory (``reuse_memory``), and for ``deterministic`` runs the
    cuBLAS workspace and a fixed thread count (all cores unless
    ``num_threads`` or ``OMP_NUM_THREADS`` say otherwise)."""
    global _following
    _following = follows_free_cores(training)
    if training.num_threads is not None:
        torch.set_num_threads(training.num_threads)
    elif _following:
        follow_free_cores()
    if training.reuse_memory:
        reuse_freed_memory()
    if training.deterministic:
        # cuBLAS is deterministic only with a fixed workspace (read when
        # CUDA starts).
        os.environ.setdefault('CUBLAS_WORKSPACE_CONFIG', ':4096:8')
        if training.num_threads is None and (
                'OMP_NUM_THREADS' not in os.environ):
            torch.set_num_threads(os.cpu_count() or 1)


def epoch_started() -> None:
    r"""Called by the fit loop at each epoch: re-sets the threads to the
    free cores when the application asked for it
    (:func:`apply_process_settings`), else does nothing."""
    if _following:
        follow_free_cores()
