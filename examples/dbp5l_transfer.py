"""The whole pipeline on DBP-5L: pre-train a teacher on four languages (or
load a saved one), re-train a student for the fifth, and compare it with its
no-teacher twins under both protocols.

    python examples/dbp5l_transfer.py --data ../shared/data --target el \
        [--teacher runs/dbp5l_teacher] [--teacher-epochs 20] [--epochs 100]

Saves the teacher (when it trains one) and the student's model in
``--run-dir``; ``pyg-kgt predict --model RUN_DIR/student`` then answers
queries by entity name.
"""
import argparse
import os

from pyg_kgt import (JointTeacher, JointTeacherConfig, LocalStudentConfig,
                     ModelConfig)
from pyg_kgt.data import read_dbp5l
from pyg_kgt.pipeline import pretrain_teacher, run_transfer
from pyg_kgt.training import TrainingConfig

LANGUAGES = ['el', 'en', 'es', 'fr', 'ja']

parser = argparse.ArgumentParser()
parser.add_argument('--data', default=os.environ.get('PYG_KGT_DATA',
                                                     '../shared/data'))
parser.add_argument('--target', default='el', choices=LANGUAGES)
parser.add_argument('--teacher', help='a saved teacher to reuse')
parser.add_argument('--teacher-epochs', type=int, default=20)
parser.add_argument('--epochs', type=int, default=100)
parser.add_argument('--seed', type=int, default=0)
parser.add_argument('--run-dir', default='runs/dbp5l_transfer')
args = parser.parse_args()

kg = read_dbp5l(os.path.join(args.data, 'dbp5l'), alignment_split='jmac')
sources = [lang for lang in LANGUAGES if lang != args.target]
if args.teacher:
    teacher = JointTeacher.load(args.teacher)
else:
    teacher = pretrain_teacher(
        kg, sources, JointTeacherConfig(model=ModelConfig(
            hidden_channels=200)),
        TrainingConfig(epochs=args.teacher_epochs, batch_size=4096, lr=0.01,
                       seed=args.seed, progress=True))
    teacher.save(os.path.join(args.run_dir, 'teacher'))

student_config = LocalStudentConfig(model=ModelConfig(hidden_channels=100))
training = TrainingConfig(epochs=args.epochs, batch_size=1024, lr=0.005,
                          seed=args.seed, progress=True)
results = run_transfer(kg, args.target, teacher, student_config, training,
                       methods=('single_kg_rgcn', 'linked_no_kd',
                                'student_full_kd'))
print(f'{"method":18s} {"protocol":9s} {"MRR":>6s} {"H@1":>6s} '
      f'{"H@10":>6s} {"train s":>8s}')
for method, result in results.items():
    for protocol, res in result['test'].items():
        m = res['metrics']
        print(f"{method:18s} {protocol:9s} {100 * m['mrr']:6.2f} "
              f"{100 * m['hits1']:6.2f} {100 * m['hits10']:6.2f} "
              f"{result['train_s']:8.0f}")
student = results['student_full_kd']['student']
student.trained_model().save(
    os.path.join(args.run_dir, 'student'))
print(f"student saved in {os.path.join(args.run_dir, 'student')}")
