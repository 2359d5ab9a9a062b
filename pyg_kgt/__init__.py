r"""pyg_kgt: transferable representation learning on multi-source knowledge
graphs with PyTorch Geometric (joint pre-training and local re-training).

The public names are imported on first use (PEP 562), so ``pyg-kgt
--help`` answers without loading torch.
"""
from importlib import import_module
from typing import Any

__version__ = '0.1.0'

_EXPORTS = {
    'KnowledgeGraph': 'pyg_kgt.data',
    'MultiSourceKG': 'pyg_kgt.data',
    'JointTeacher': 'pyg_kgt.models',
    'JointTeacherConfig': 'pyg_kgt.models',
    'LocalStudent': 'pyg_kgt.models',
    'LocalStudentConfig': 'pyg_kgt.models',
    'ModelConfig': 'pyg_kgt.models',
    'LinkSubgraph': 'pyg_kgt.transforms',
}

__all__ = ['__version__', *_EXPORTS]


def __getattr__(name: str) -> Any:
    if name in _EXPORTS:
        value = getattr(import_module(_EXPORTS[name]), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'pyg_kgt' has no attribute '{name}'")


def __dir__():
    return sorted(set(globals()) | set(_EXPORTS))
