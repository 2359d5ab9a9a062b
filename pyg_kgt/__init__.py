r"""pyg_kgt: transferable representation learning on multi-source knowledge
graphs with PyTorch Geometric (joint pre-training and local re-training)."""
__version__ = '0.1.0'

from pyg_kgt.data import KnowledgeGraph, MultiSourceKG  # noqa: E402
from pyg_kgt.models import (JointTeacher, JointTeacherConfig,  # noqa: E402
                            LocalStudent, LocalStudentConfig, ModelConfig)
from pyg_kgt.transforms import LinkSubgraph  # noqa: E402

__all__ = ['__version__', 'KnowledgeGraph', 'MultiSourceKG', 'JointTeacher',
           'JointTeacherConfig', 'LocalStudent', 'LocalStudentConfig',
           'ModelConfig', 'LinkSubgraph']
