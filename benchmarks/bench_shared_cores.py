"""The demo alone, then beside a second CPU-bound process of the same kind.

Runs ``pyg-kgt demo`` alone (timed), then two demos started together (the
first one timed; the second keeps the cores busy until the first ends), in
one script so both sides see the same machine. A library whose parallel
regions wait for descheduled threads collapses here (a user saw 16 min
instead of about 1.5); sharing 2 cores fairly costs about 2x.

    python -m benchmarks.bench_shared_cores            # default threads
    python -m benchmarks.bench_shared_cores --threads 1
"""
from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from typing import List, Optional

from benchmarks.results import REPO


def demo_command(run_dir: str, threads: Optional[int]) -> List[str]:
    cmd = [sys.executable, '-m', 'pyg_kgt', 'demo', '--quiet',
           '--run-dir', run_dir]
    return cmd + (['--threads', str(threads)] if threads else [])


def timed_demo(run_dir: str, threads: Optional[int],
               beside: bool) -> float:
    r"""Seconds of one demo, alone or beside a second one."""
    other = None
    if beside:
        other = subprocess.Popen(
            demo_command(run_dir + '_other', threads), cwd=REPO,
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    began = time.perf_counter()
    subprocess.run(demo_command(run_dir, threads), cwd=REPO, check=True,
                   stdout=subprocess.DEVNULL)
    seconds = time.perf_counter() - began
    if other is not None:
        other.kill()
        other.wait()
    return seconds


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument('--threads', type=int,
                        help='--threads of both demos (default: theirs)')
    parser.add_argument('--no-write', action='store_true')
    args = parser.parse_args()
    from benchmarks.results import (append_records, hardware, make_record,
                                    write_markdown)
    with tempfile.TemporaryDirectory() as tmp:
        alone = timed_demo(os.path.join(tmp, 'alone'), args.threads, False)
        print(f'alone: {alone:.1f} s', flush=True)
        beside = timed_demo(os.path.join(tmp, 'beside'), args.threads, True)
        print(f'beside a second demo: {beside:.1f} s '
              f'({beside / alone:.2f}x)', flush=True)
    if args.no_write:
        return
    threads = args.threads or 'default'
    config = {'threads': threads, 'cpus': os.cpu_count(),
              'omp_num_threads': os.environ.get('OMP_NUM_THREADS')}
    append_records('shared_cores', [make_record(
        'shared_cores', 'embedded demo', f'demo_threads_{threads}',
        {'alone_s': alone, 'beside_s': beside, 'ratio': beside / alone},
        alone + beside, config)])
    from benchmarks.results import newest_records
    rows = [[r['config']['threads'], f"{r['metrics']['alone_s']:.1f}",
             f"{r['metrics']['beside_s']:.1f}",
             f"{r['metrics']['ratio']:.2f}x"]
            for r in newest_records('shared_cores')]
    write_markdown('shared_cores', ['threads', 'alone (s)',
                                    'beside a second demo (s)', 'ratio'],
                   rows, notes=(
                       '`pyg-kgt demo` alone, then beside a second demo '
                       'started with it (same threads), in one script. '
                       f'Hardware: {hardware()}.'))


if __name__ == '__main__':
    main()
