r"""Models: the link predictor backbone, JointTeacher and LocalStudent."""
from pyg_kgt.models.joint_graph import JointGraph, merge_components
from pyg_kgt.models.joint_teacher import JointTeacher, JointTeacherConfig
from pyg_kgt.models.link_predictor import LinkPredictor
from pyg_kgt.models.local_student import LocalStudent
from pyg_kgt.models.local_student_config import LocalStudentConfig
from pyg_kgt.models.model_config import ModelConfig
from pyg_kgt.models.task_loss import TaskLoss
from pyg_kgt.models.single_kg import train_single_kg
from pyg_kgt.models.student_network import StudentNetwork
from pyg_kgt.models.teacher_cache import TeacherCache
from pyg_kgt.models.trained_model import TrainedModel
from pyg_kgt.models.training_run import TrainingRun, train_link_predictor

__all__ = ['JointGraph', 'merge_components', 'JointTeacher',
           'JointTeacherConfig', 'LinkPredictor', 'LocalStudent',
           'LocalStudentConfig', 'ModelConfig', 'TaskLoss', 'StudentNetwork',
           'TeacherCache', 'TrainedModel', 'TrainingRun',
           'train_link_predictor', 'train_single_kg']
