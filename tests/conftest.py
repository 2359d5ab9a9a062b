import os

import pytest

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def shared_data_root() -> str:
    return os.environ.get('PYG_KGT_DATA',
                          os.path.join(REPO, '..', 'shared', 'data'))


@pytest.fixture
def shared_data():
    r"""Path of the real datasets; skips the test when they are absent."""
    root = shared_data_root()
    if not os.path.isdir(os.path.join(root, 'dbp5l')):
        pytest.skip(f'real datasets not found at {root} (set PYG_KGT_DATA)')
    return root


@pytest.fixture
def write(tmp_path):
    r"""Writes ``{relative path: text}`` under ``tmp_path``; returns it."""
    def _write(files: dict, newline: str = '\n'):
        for rel, text in files.items():
            path = tmp_path / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(text.replace('\n', newline).encode('utf-8'))
        return tmp_path
    return _write


#: Every device the tests run on: the CPU always, CUDA where present.
DEVICES = ['cpu'] + (['cuda'] if __import__('torch').cuda.is_available()
                     else [])


@pytest.fixture(params=DEVICES)
def device(request):
    r"""Each available device in turn (CUDA tests skip without a GPU)."""
    return request.param
