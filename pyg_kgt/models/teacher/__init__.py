r"""The teacher side: :class:`JointTeacher`, pre-trained once over the
source KGs joined by their seed alignments."""
from pyg_kgt.models.teacher.joint_teacher import (JointTeacher,
                                                  JointTeacherConfig)

__all__ = ['JointTeacher', 'JointTeacherConfig']
