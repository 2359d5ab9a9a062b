r"""Fault injection: SIGKILL mid-run, Ctrl-C, corrupted checkpoints."""
import os
import signal
import subprocess
import sys
import time

import pytest
import torch

HERE = os.path.dirname(os.path.abspath(__file__))
SCRIPT = os.path.join(HERE, 'train_script.py')
EPOCHS = 6


def run(folder, resume=False, pause=0.0, **kwargs):
    return subprocess.Popen(
        [sys.executable, SCRIPT, str(folder), str(EPOCHS),
         '1' if resume else '0', str(pause)], stdout=subprocess.PIPE,
        stderr=subprocess.PIPE, text=True, **kwargs)


def final(folder):
    return torch.load(os.path.join(folder, 'final.pt'), weights_only=True)


def wait_for_epoch(proc, epoch):
    for line in proc.stdout:
        if line.strip() == f'epoch {epoch}':
            return
    raise AssertionError(f'never reached epoch {epoch}: '
                         f'{proc.stderr.read()[-2000:]}')


@pytest.fixture(scope='module')
def reference(tmp_path_factory):
    folder = tmp_path_factory.mktemp('reference')
    proc = run(folder)
    proc.communicate(timeout=300)
    assert proc.returncode == 0
    return final(folder)


def same(a, b):
    return all(torch.equal(a[k], b[k]) for k in a)


def test_sigkill_mid_run_then_resume_ends_identically(tmp_path, reference):
    proc = run(tmp_path, pause=0.5)
    wait_for_epoch(proc, 3)
    time.sleep(0.2)  # inside the pause after epoch 3 or in epoch 4
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=60)
    assert proc.returncode == -signal.SIGKILL
    assert not os.path.exists(tmp_path / 'final.pt')
    resumed = run(tmp_path, resume=True)
    out, err = resumed.communicate(timeout=300)
    assert resumed.returncode == 0, err[-2000:]
    assert 'epoch 1\n' not in out  # it did not start over
    assert same(final(tmp_path), reference)


def test_ctrl_c_saves_and_resume_ends_identically(tmp_path, reference):
    proc = run(tmp_path, pause=1.0)
    wait_for_epoch(proc, 2)
    proc.send_signal(signal.SIGINT)  # during the pause after epoch 2
    _, err = proc.communicate(timeout=60)
    assert proc.returncode != 0
    assert 'TrainingInterrupted' in err and 'is saved in' in err
    resumed = run(tmp_path, resume=True)
    out, err = resumed.communicate(timeout=300)
    assert resumed.returncode == 0, err[-2000:]
    assert out.splitlines()[0] == 'epoch 3'
    assert same(final(tmp_path), reference)


def test_corrupted_last_checkpoint_falls_back_to_previous(tmp_path,
                                                          reference):
    proc = run(tmp_path, pause=0.5)
    wait_for_epoch(proc, 3)
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=60)
    last = tmp_path / 'last.pt'
    last.write_bytes(last.read_bytes()[:100])  # truncated on "disk full"
    resumed = run(tmp_path, resume=True)
    out, err = resumed.communicate(timeout=300)
    assert resumed.returncode == 0, err[-2000:]
    assert 'skipping bad checkpoint' in err and 'last.pt' in err
    assert same(final(tmp_path), reference)
