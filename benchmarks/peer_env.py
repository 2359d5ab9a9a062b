"""The peers' own virtual environment (PyKEEN), created on first use.

PyKEEN pins and pulls its own dependency tree, so it never enters the
project's environment: the suite creates ``benchmarks/.work/venv-pykeen``
with the same torch build, the pinned PyKEEN and this checkout of pyg_kgt
(editable, for the shared data readers and evaluation), and runs
``benchmarks/pykeen_peer.py`` with that interpreter.

    python -m benchmarks.peer_env     # create it (idempotent), print python
"""
from __future__ import annotations

import os
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
VENV = os.path.join(ROOT, 'benchmarks', '.work', 'venv-pykeen')
PYKEEN = 'pykeen==1.11.1'
TORCH = os.environ.get('TORCH', 'torch==2.13.0')


def peer_python(venv: str = VENV) -> str:
    r"""Path of the peer environment's interpreter, creating the environment
    (``torch``, ``pykeen``, this pyg_kgt) when its marker file is absent."""
    python = os.path.join(venv, 'bin', 'python')
    marker = os.path.join(venv, f'.installed-{PYKEEN}')
    if os.path.isfile(marker):
        return python
    print(f'creating the peer environment {venv} ({PYKEEN}) ...',
          file=sys.stderr, flush=True)
    steps = [[sys.executable, '-m', 'venv', venv],
             [python, '-m', 'pip', 'install', '-q', TORCH],
             [python, '-m', 'pip', 'install', '-q', PYKEEN],
             [python, '-m', 'pip', 'install', '-q', '-e', ROOT]]
    for step in steps:
        if subprocess.run(step).returncode:
            raise SystemExit(f"creating the peer environment failed at: "
                             f"{' '.join(step)}")
    with open(marker, 'w', encoding='utf-8'):
        pass
    return python


if __name__ == '__main__':
    print(peer_python())
