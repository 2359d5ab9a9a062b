"""Quick start on the embedded default (about a minute on 2 CPU cores).

    python examples/quickstart.py [--epochs 60]
"""
import argparse

from pyg_kgt import (JointTeacher, JointTeacherConfig, LinkSubgraph,
                     LocalStudent, LocalStudentConfig, ModelConfig)
from pyg_kgt.data import make_synthetic_multi_source_kg
from pyg_kgt.training import TrainingConfig

parser = argparse.ArgumentParser()
parser.add_argument('--epochs', type=int, default=60)
args = parser.parse_args()

kg = make_synthetic_multi_source_kg(seed=0)
sources = ['source1', 'source2', 'source3']
training = TrainingConfig(epochs=args.epochs, batch_size=512, lr=0.01)

# 1. Pre-train a teacher once over the linked sources.
teacher = JointTeacher(JointTeacherConfig(
    model=ModelConfig(hidden_channels=64, dropout=0.0)))
teacher.fit(kg.subset(sources), training)

# 2. Cut the target's linked subgraph (teacher node ids travel with it).
linked = LinkSubgraph('target', sources, num_hops=1, teacher_node_index={
    s: teacher.node_index(s) for s in sources})(kg.to_hetero_data())

# 3. Re-train a small student guided by the teacher, and its twin without.
config = LocalStudentConfig(model=ModelConfig(hidden_channels=32,
                                              dropout=0.0))
for name, guide in (('student', teacher), ('no-teacher twin', None)):
    student = LocalStudent(config)
    student.fit(linked, guide, training)
    metrics = student.evaluate('test')['filtered']['metrics']
    print(f"{name:16s} MRR {metrics['mrr']:.3f}  H@1 {metrics['hits1']:.3f}"
          f"  H@10 {metrics['hits10']:.3f}")
