r"""Models: the link predictor backbone, JointTeacher and LocalStudent."""
from pyg_kgt.models.joint_graph import JointGraph, merge_components
from pyg_kgt.models.joint_teacher import JointTeacher, JointTeacherConfig
from pyg_kgt.models.link_predictor import LinkPredictor
from pyg_kgt.models.model_config import ModelConfig

__all__ = ['JointGraph', 'merge_components', 'JointTeacher',
           'JointTeacherConfig', 'LinkPredictor', 'ModelConfig']
