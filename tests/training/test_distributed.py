import json
import os
import socket
import subprocess
import sys
import time

import pytest

from pyg_kgt.training.distributed import DistributedContext

HERE = os.path.dirname(os.path.abspath(__file__))
SCRIPT = os.path.join(HERE, 'ddp_script.py')


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(('127.0.0.1', 0))
        return s.getsockname()[1]


DIST_KEYS = ('RANK', 'WORLD_SIZE', 'LOCAL_RANK', 'MASTER_ADDR',
             'MASTER_PORT')


def _env(**extra):
    env = {k: v for k, v in os.environ.items() if k not in DIST_KEYS}
    env.update(OMP_NUM_THREADS='1', **extra)
    return env


def test_single_process_context_is_a_no_op():
    context = DistributedContext.from_environment()
    assert not context.enabled and context.is_main
    assert context.broadcast(0.5) == 0.5
    import torch
    batch = torch.arange(6).view(3, 2)
    assert context.shard(batch) is batch


def test_two_ranks_follow_the_one_rank_loss_trajectory(tmp_path):
    one, two = tmp_path / 'one.json', tmp_path / 'two.json'
    subprocess.run([sys.executable, SCRIPT, str(one)], env=_env(),
                   check=True, timeout=300, capture_output=True)
    run = subprocess.run(
        [sys.executable, '-m', 'torch.distributed.run', '--nproc_per_node=2',
         f'--master_port={_free_port()}', SCRIPT, str(two)], env=_env(),
        timeout=300, capture_output=True, text=True)
    assert run.returncode == 0, run.stderr[-3000:]
    # Rank 1 starting from other weights: fit broadcasts rank 0's first.
    skew = tmp_path / 'skew.json'
    run = subprocess.run(
        [sys.executable, '-m', 'torch.distributed.run', '--nproc_per_node=2',
         f'--master_port={_free_port()}', SCRIPT, str(skew), 'skew'],
        env=_env(), timeout=300, capture_output=True, text=True)
    assert run.returncode == 0, run.stderr[-3000:]
    one, two, skew = (json.loads(p.read_text()) for p in (one, two, skew))
    assert (one['world_size'], two['world_size']) == (1, 2)
    assert one['ddp'] == [] and two['ddp'] == ['_Step']  # DDP wraps fit's step
    # Same global batch, same seeds: equal up to float summation order.
    assert two['loss'] == pytest.approx(one['loss'], rel=1e-5)
    assert skew['loss'] == pytest.approx(one['loss'], rel=1e-5)
    assert one['loss'][-1] < one['loss'][0]


def test_a_killed_rank_makes_its_peer_fail_with_a_clear_error(tmp_path):
    port = _free_port()
    procs = [subprocess.Popen(
        [sys.executable, SCRIPT, str(tmp_path / 'out.json'), '1'],
        env=_env(RANK=str(rank), WORLD_SIZE='2', LOCAL_RANK=str(rank),
                 MASTER_ADDR='127.0.0.1', MASTER_PORT=str(port)),
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        for rank in (0, 1)]
    began = time.monotonic()
    _, err = procs[0].communicate(timeout=120)
    waited = time.monotonic() - began
    procs[1].wait(timeout=30)
    assert procs[1].returncode == -9          # rank 1 killed itself
    assert procs[0].returncode == 3, err[-2000:]
    assert 'rank 0 of 2' in err and 'peer rank died' in err
    assert waited < 20 + 60                   # the timeout, not a hang
    assert not (tmp_path / 'out.json').exists()
