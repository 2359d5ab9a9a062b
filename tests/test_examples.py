import os
import subprocess
import sys

from pyg_kgt.run_config import RunConfig

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def test_quickstart_runs_with_a_tiny_budget():
    out = subprocess.run([sys.executable, 'examples/quickstart.py',
                          '--epochs', '2'], cwd=ROOT, capture_output=True,
                         text=True, timeout=300)
    assert out.returncode == 0, out.stderr[-2000:]
    assert 'no-teacher twin' in out.stdout and 'MRR' in out.stdout


def test_ready_configs_load():
    folder = os.path.join(ROOT, 'examples', 'configs')
    for name in sorted(os.listdir(folder)):
        config = RunConfig.from_yaml(os.path.join(folder, name))
        assert config.data.target


def test_dbp5l_configs_are_the_benchmarked_method():
    from benchmarks.budget import Budget
    from pyg_kgt.models import LocalStudentConfig
    budget = Budget()
    for target in ('el', 'ja'):
        config = RunConfig.from_yaml(os.path.join(
            ROOT, 'examples', 'configs', f'dbp5l_{target}.yaml'))
        teacher, student = config.training, config.retraining_config()
        assert (teacher.epochs, teacher.batch_size, teacher.lr) == (
            budget.teacher_epochs, budget.teacher_batch_size,
            budget.teacher_lr)
        assert (student.epochs, student.batch_size, student.lr) == (
            budget.student_epochs, budget.student_batch_size,
            budget.student_lr)
        assert config.teacher.model.hidden_channels == budget.teacher_dim
        assert config.student.model.hidden_channels == budget.student_dim
        # The student method is the library's default one.
        assert config.student == LocalStudentConfig(
            model=config.student.model)
