r"""Training, caching, evaluation and saving on every available device
(the CPU always; CUDA where present), and models moving across devices."""
import os

import pytest
import torch

from pyg_kgt import (JointTeacher, JointTeacherConfig, LinkSubgraph,
                     LocalStudent, LocalStudentConfig, ModelConfig)
from pyg_kgt.data import make_synthetic_multi_source_kg
from pyg_kgt.models import TeacherCache, TrainedModel, train_single_kg
from pyg_kgt.training import TrainingConfig
from pyg_kgt.training.checkpoint import load_checkpoint

SOURCES = ['source1', 'source2']


@pytest.fixture(scope='module')
def kg():
    return make_synthetic_multi_source_kg(num_entities=200, num_values=10,
                                          num_types=4, seed=2)


def training(device, **changes):
    return TrainingConfig(**dict(dict(epochs=2, batch_size=128,
                                      eval_every=1, device=device),
                                 **changes))


def test_single_kg_fit_and_checkpoint_on_device(kg, device, tmp_path):
    result = train_single_kg(kg['target'], ModelConfig(hidden_channels=8),
                             training(device, checkpoint_every=1,
                                      eval_every=2),
                             checkpoint_dir=str(tmp_path))
    assert all(p.device.type == device
               for p in result['model'].parameters())
    assert 0 < result['test']['filtered']['metrics']['mrr'] <= 1
    # A checkpoint written on the device resumes into a CPU model.
    cpu_model = ModelConfig(hidden_channels=8).build(
        kg['target'].num_entities, kg['target'].num_relations)
    state = load_checkpoint(str(tmp_path / 'last.pt'), cpu_model)
    assert state['epoch'] == 2 and 'cuda_rng' in state
    for name, value in cpu_model.state_dict().items():
        assert torch.equal(value, result['model'].state_dict()[name].cpu())


def test_teacher_cache_student_and_saved_model_on_device(kg, device,
                                                         tmp_path):
    teacher = JointTeacher(JointTeacherConfig(model=ModelConfig(
        hidden_channels=8)))
    teacher.fit(kg.subset(SOURCES), training(device))
    assert next(teacher.model.parameters()).device.type == device
    linked = LinkSubgraph('target', SOURCES, teacher_node_index={
        s: teacher.node_index(s) for s in SOURCES})(kg.to_hetero_data())
    cache = teacher.cache_for(linked, str(tmp_path / 'cache.pt'))
    assert cache.embeddings.device.type == 'cpu'  # portable on disk
    assert cache.to(device).scores.device.type == device
    student = LocalStudent(LocalStudentConfig(model=ModelConfig(
        hidden_channels=8)))
    student.fit(linked, TeacherCache.load(str(tmp_path / 'cache.pt')),
                training(device))
    assert next(student.model.parameters()).device.type == device
    on_device = student.evaluate('test', ('filtered',))
    model = student.trained_model()
    model.save(str(tmp_path / 'model'))
    loaded = TrainedModel.load(str(tmp_path / 'model')).to('cpu')
    on_cpu = loaded.evaluate(student.target_kg, 'test', ('filtered',))
    assert on_cpu['filtered']['metrics']['mrr'] == pytest.approx(
        on_device['filtered']['metrics']['mrr'], abs=1e-4)
    assert loaded.predict(loaded.entity_names[0], loaded.relation_names[0],
                          k=3)


def test_steps_make_no_host_round_trip(kg, monkeypatch):
    r"""The library's reads of tensor values on the host (``item``,
    ``float``, ``tolist``, ``cpu``, ``numpy`` called from ``pyg_kgt``)
    happen a few times per epoch, never per step. (torch's own CPU-side
    bookkeeping, e.g. Adam's step counter, is not a device round trip.)"""
    import sys
    package = os.path.dirname(os.path.abspath(
        sys.modules['pyg_kgt'].__file__))
    from pyg_kgt.training import fit
    target = kg['target']
    model = ModelConfig(hidden_channels=8).build(target.num_entities,
                                                 target.num_relations)
    adjacency = model.encoder.adjacency(target.train[:, [0, 2]].t(),
                                        target.train[:, 1],
                                        target.num_entities)
    config = TrainingConfig(epochs=3, batch_size=16, device='cpu')
    steps = 3 * -(-target.train.size(0) // 16)
    reads = []
    for name in ('item', '__float__', 'tolist', 'cpu', 'numpy'):
        original = getattr(torch.Tensor, name)

        def counting(self, *args, _original=original, _name=name, **kw):
            caller = sys._getframe(1).f_code.co_filename
            if os.path.abspath(caller).startswith(package):
                reads.append(f'{_name} in {os.path.basename(caller)}')
            return _original(self, *args, **kw)
        monkeypatch.setattr(torch.Tensor, name, counting)
    fit(model, adjacency, target.train, config)
    monkeypatch.undo()
    assert steps >= 30
    assert len(reads) <= 3 * 3, reads  # a few per epoch, none per step
