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


def test_nan_mid_run_keeps_the_last_good_checkpoint(tmp_path):
    from pyg_kgt.data import make_synthetic_multi_source_kg
    from pyg_kgt.models import ModelConfig
    from pyg_kgt.training import NonFiniteLossError, TrainingConfig, fit
    from pyg_kgt.training.checkpoint import load_latest_checkpoint
    kg = make_synthetic_multi_source_kg(num_entities=200, num_values=10,
                                        num_types=4)['source1']
    model = ModelConfig(hidden_channels=8).build(kg.num_entities,
                                                 kg.num_relations)
    adjacency = model.encoder.adjacency(kg.train[:, [0, 2]].t(),
                                        kg.train[:, 1])

    def poison(record):
        if record['epoch'] == 2:  # a bad update after epoch 2 is stored
            with torch.no_grad():
                model.encoder.embedding.weight.fill_(float('nan'))
    with pytest.raises(NonFiniteLossError, match='at epoch 3'):
        fit(model, adjacency, kg.train,
            TrainingConfig(epochs=5, checkpoint_every=1),
            checkpoint_dir=str(tmp_path), on_epoch=poison)
    state = load_latest_checkpoint(str(tmp_path), model)
    assert state['epoch'] == 2
    assert torch.isfinite(model.encoder.embedding.weight).all()


def test_full_disk_during_a_checkpoint_write(tmp_path, monkeypatch):
    import errno

    import pyg_kgt.io
    from pyg_kgt.training.checkpoint import (load_latest_checkpoint,
                                             save_checkpoint)
    model = torch.nn.Linear(2, 2)
    optimizer = torch.optim.Adam(model.parameters())
    path = str(tmp_path / 'last.pt')
    save_checkpoint(path, model, optimizer, 1, {})

    def full(fd):
        raise OSError(errno.ENOSPC, 'No space left on device')
    monkeypatch.setattr(pyg_kgt.io.os, 'fsync', full)
    with pytest.raises(OSError, match='No space left'):
        save_checkpoint(path, model, optimizer, 2, {})
    monkeypatch.undo()
    assert not [p for p in os.listdir(tmp_path) if p.endswith('.tmp')]
    assert load_latest_checkpoint(str(tmp_path), model)['epoch'] == 1


def test_malicious_teacher_and_cache_files_are_refused(tmp_path):
    import pickle

    from pyg_kgt.errors import DataFormatError
    from pyg_kgt.models import JointTeacher, TeacherCache

    class Evil:
        def __reduce__(self):
            return (os.system, ('echo pwned > ' + str(tmp_path / 'x'),))
    (tmp_path / 'config.json').write_text(
        '{"class": "JointTeacher", "format_version": 2, "config": {}, '
        '"names": [], "num_nodes": 1, "num_relations": 1, '
        '"num_message_relations": 2}')
    (tmp_path / 'weights.pt').write_bytes(pickle.dumps(Evil()))
    with pytest.raises(DataFormatError, match='weights.pt'):
        JointTeacher.load(str(tmp_path))
    (tmp_path / 'cache.pt').write_bytes(pickle.dumps(Evil()))
    with pytest.raises(DataFormatError, match='cache.pt'):
        TeacherCache.load(str(tmp_path / 'cache.pt'))
    assert not (tmp_path / 'x').exists()  # nothing ran
