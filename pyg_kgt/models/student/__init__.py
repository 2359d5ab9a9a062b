r"""The student side: :class:`LocalStudent` (re-training on the linked
subgraph), its network and configuration, the teacher cache it learns
from, the warm start and the transferred facts."""
from pyg_kgt.models.student.local_student import LocalStudent
from pyg_kgt.models.student.local_student_config import LocalStudentConfig
from pyg_kgt.models.student.student_network import StudentNetwork
from pyg_kgt.models.student.teacher_cache import TeacherCache

__all__ = ['LocalStudent', 'LocalStudentConfig', 'StudentNetwork',
           'TeacherCache']
