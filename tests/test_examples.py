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
