r"""Hyper-parameter search (``pyg-kgt tune``, on Optuna)."""
from pyg_kgt.tuning.search_space import SearchSpace
from pyg_kgt.tuning.study import PRUNERS, TuningStudy

__all__ = ['SearchSpace', 'TuningStudy', 'PRUNERS']
