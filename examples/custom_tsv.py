"""Bring your own KGs: a folder with one sub-folder per KG
(``train.tsv``, ``val.tsv``, ``test.tsv``: head, relation, tail by name)
and ``alignments/<a>-<b>.tsv`` (name in a, name in b).

    python examples/custom_tsv.py MY_FOLDER --target mine [--epochs 50]
"""
import argparse

from pyg_kgt import JointTeacher, LinkSubgraph, LocalStudent
from pyg_kgt.data import read_tsv
from pyg_kgt.training import TrainingConfig

parser = argparse.ArgumentParser()
parser.add_argument('folder')
parser.add_argument('--target', required=True)
parser.add_argument('--epochs', type=int, default=50)
args = parser.parse_args()

kg = read_tsv(args.folder)          # clear errors name file and line
print(kg.statistics())
sources = [n for n in kg.names if n != args.target]
training = TrainingConfig(epochs=args.epochs)
teacher = JointTeacher()
teacher.fit(kg.subset(sources), training)
linked = LinkSubgraph(args.target, sources, teacher_node_index={
    s: teacher.node_index(s) for s in sources})(kg.to_hetero_data())
student = LocalStudent()
student.fit(linked, teacher, training)
print(student.evaluate('test'))
