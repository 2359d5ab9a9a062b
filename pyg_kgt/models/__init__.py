r"""Models: the link predictor backbone (here), the teacher side
(:mod:`pyg_kgt.models.teacher`) and the student side
(:mod:`pyg_kgt.models.student`)."""
from pyg_kgt.models.link_predictor import LinkPredictor
from pyg_kgt.models.model_config import ModelConfig
from pyg_kgt.models.single_kg import train_single_kg
from pyg_kgt.models.student import (LocalStudent, LocalStudentConfig,
                                    StudentNetwork, TeacherCache)
from pyg_kgt.models.task_loss import TaskLoss
from pyg_kgt.models.teacher import JointTeacher, JointTeacherConfig
from pyg_kgt.models.trained_model import TrainedModel
from pyg_kgt.models.training_run import TrainingRun, train_link_predictor

__all__ = ['JointTeacher', 'JointTeacherConfig', 'LinkPredictor',
           'LocalStudent', 'LocalStudentConfig', 'ModelConfig', 'TaskLoss',
           'StudentNetwork', 'TeacherCache', 'TrainedModel', 'TrainingRun',
           'train_link_predictor', 'train_single_kg']
