r"""Filtered, tie-aware link prediction and entity alignment evaluation."""
from pyg_kgt.evaluation.alignment_evaluator import evaluate_alignment
from pyg_kgt.evaluation.filter_index import FilterIndex
from pyg_kgt.evaluation.kg_evaluation import evaluate_kg, evaluate_scorer
from pyg_kgt.evaluation.link_prediction import (DEFAULT_PROTOCOLS,
                                                PROTOCOLS,
                                                evaluate_link_prediction)
from pyg_kgt.evaluation.rank_based_evaluator import (RankBasedEvaluator,
                                                     realistic_ranks)

__all__ = ['FilterIndex', 'RankBasedEvaluator', 'realistic_ranks',
           'PROTOCOLS', 'DEFAULT_PROTOCOLS',
           'evaluate_link_prediction', 'evaluate_alignment',
           'evaluate_kg', 'evaluate_scorer']
