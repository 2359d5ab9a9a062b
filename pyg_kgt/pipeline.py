"""The transfer pipeline: pre-train (or reuse) a teacher, cut the linked
subgraph of a target, re-train students and baselines side by side."""
from __future__ import annotations

import time
from dataclasses import dataclass, replace
from typing import (Any, Callable, Dict, List, Optional, Sequence,
                    Tuple)

import torch
from torch_geometric.data import HeteroData

from pyg_kgt.data.multi_source_kg import FACT, SAME_AS, MultiSourceKG
from pyg_kgt.data.readers.tsv import read_relation_alignment
from pyg_kgt.data.relation_matching import (RelationMatch,
                                            infer_relation_alignment,
                                            relation_aliases)
from pyg_kgt.errors import ConfigError
from pyg_kgt.evaluation.link_prediction import DEFAULT_PROTOCOLS
from pyg_kgt.models.teacher.joint_teacher import (JointTeacher,
                                                  JointTeacherConfig)
from pyg_kgt.models.student.local_student import LocalStudent
from pyg_kgt.models.student.local_student_config import LocalStudentConfig
from pyg_kgt.models.student.teacher_cache import TeacherCache
from pyg_kgt.training.config import TrainingConfig
from pyg_kgt.transforms.link_subgraph import LinkSubgraph


@dataclass(frozen=True)
class Method:
    r"""One way to re-train a target, as the benchmark tables name it.

    Attributes:
        name (str): Its name in results.
        linked (bool): Trains on the linked subgraph (else on the target
            alone).
        teacher (bool): Distils from the teacher (its cache).
        changes (tuple): ``(field, value)`` pairs of
            :class:`LocalStudentConfig` this method changes (ablations).
    """
    name: str
    linked: bool
    teacher: bool
    changes: Tuple[Tuple[str, Any], ...] = ()

    def student_config(self, config: LocalStudentConfig
                       ) -> LocalStudentConfig:
        return replace(config, **dict(self.changes)) if self.changes \
            else config


#: The re-training methods by name (the rows of the benchmark tables).
METHODS: Dict[str, Method] = {m.name: m for m in (
    Method('single_kg_rgcn', linked=False, teacher=False),
    Method('linked_no_kd', linked=True, teacher=False),
    Method('student_full_kd', linked=True, teacher=True),
    Method('student_no_feature_kd', True, True, (('feature_weight', 0.0),)),
    Method('student_no_network_kd', True, True, (('network_weight', 0.0),)),
    Method('student_no_prediction_kd', True, True,
           (('prediction_weight', 0.0),)),
    Method('student_uniform_prediction_kd', True, True,
           (('prediction_trust', 'uniform'),)),
    Method('student_target_queries_kd', True, True,
           (('prediction_queries', 'target'),)),
    Method('student_cold_start', True, True, (('warm_start', False),)),
    Method('student_linked_triples', True, True, (('train_on', 'linked'),)),
    Method('student_target_triples', True, True, (('train_on', 'target'),)),
)}


def train_method(method: Method, linked: HeteroData,
                 alone: Optional[HeteroData], cache: Optional[TeacherCache],
                 student_config: LocalStudentConfig,
                 training: TrainingConfig,
                 checkpoint_dir: Optional[str] = None,
                 resume: bool = False,
                 on_epoch: Optional[Callable[[Dict[str, float]], None]] = None
                 ) -> LocalStudent:
    r"""Trains one :class:`LocalStudent` the way ``method`` says: on the
    ``linked`` subgraph or the target ``alone``, with the teacher's
    ``cache`` or none, and ``student_config`` as the method changes it.
    The one place a student is trained: :func:`run_transfer`, the demo and
    the CLI's ``retrain`` and ``fit`` all come here."""
    if method.teacher and cache is None:
        raise ValueError(f'{method.name} needs the teacher cache')
    if not method.linked and alone is None:
        raise ValueError(f'{method.name} needs the target-alone graph')
    student = LocalStudent(method.student_config(student_config))
    student.fit(linked if method.linked else alone,
                cache if method.teacher else None, training,
                checkpoint_dir=checkpoint_dir, resume=resume,
                on_epoch=on_epoch)
    return student


def pretrain_teacher(kg: MultiSourceKG, sources: Sequence[str],
                     config: JointTeacherConfig,
                     training: TrainingConfig) -> JointTeacher:
    r"""Pre-trains a :class:`JointTeacher` on ``sources`` of ``kg``."""
    teacher = JointTeacher(config)
    teacher.fit(kg.subset(sources), training)
    return teacher


def link_target(kg: MultiSourceKG, target: str, teacher: JointTeacher,
                num_hops: int = 1, max_neighbors: Optional[int] = None,
                seed: int = 0,
                relation_matches: Sequence[RelationMatch] = ()
                ) -> HeteroData:
    r"""The linked subgraph of ``target`` for ``teacher``
    (:class:`~pyg_kgt.transforms.LinkSubgraph` over the target and the
    teacher's sources, with the teacher's node ids); relations are matched
    to the teacher's by name later, never by id. ``relation_matches``
    (:func:`infer_relations`) travel with it as ``relation_matches``
    :obj:`[M, 3]` (source relation, target relation, inverse; global ids
    of the linked graph), so source facts of relations the target names
    differently are restated too
    (:func:`~pyg_kgt.models.student.transferred_facts.transferred_triples`)."""
    missing = sorted(set(teacher.names) - set(kg.names))
    if missing:
        raise ConfigError(f'the teacher was trained on KG(s) {missing} '
                          f'that the data lacks')
    if target not in kg.names:
        raise ConfigError(f"data.target: unknown KG '{target}'; "
                          f'available: {kg.names}')
    if target in teacher.names:
        raise ConfigError(f"data.target: '{target}' is one of the "
                          f"teacher's sources {teacher.names}")
    sources = teacher.names
    linked = LinkSubgraph(
        target, sources, num_hops, max_neighbors, seed=seed,
        teacher_node_index={s: teacher.node_index(s) for s in sources}
    )(kg.subset([target, *sources]).to_hetero_data())
    ids = {name: dict(zip(linked[name].relation_names,
                          linked[name].relation_index.tolist()))
           for name in linked.node_types
           if 'relation_names' in linked[name]}
    rows = [(ids[m.source_kg][m.source], ids[target][m.target],
             int(m.inverse)) for m in relation_matches
            if m.source_kg in ids]
    linked.relation_matches = torch.tensor(
        [r for r in rows if r[0] != r[1] or r[2]],
        dtype=torch.long).view(-1, 3)
    return linked


def infer_relations(kg: MultiSourceKG, target: str, teacher: JointTeacher,
                    relation_alignment: Optional[str] = 'auto'
                    ) -> Tuple[List[RelationMatch], Optional[Dict[str,
                                                                 str]]]:
    r"""How ``target``'s relations map to the teacher's
    (``data.relation_alignment``): ``"auto"`` infers them from the seed
    alignment (:func:`~pyg_kgt.data.infer_relation_alignment`) for the
    target relations no source names alike (relations with one name keep
    matching by name, so a shared schema changes nothing) and aliases each
    to its best direct match; a file path reads the aliases
    from that file (a user file wins, nothing is inferred); :obj:`None`
    matches by name only.

    Returns:
        The inferred matches (for :func:`link_target` and the run's
        ``relation_alignment.tsv``) and the aliases (target name -> teacher
        name) for :meth:`~pyg_kgt.models.JointTeacher.cache_for`.
    """
    if relation_alignment is None:
        return [], None
    if relation_alignment != 'auto':
        return [], read_relation_alignment(relation_alignment)
    named = {name for source in teacher.names
             for name in kg[source].relation_names}
    matches = [m for m in infer_relation_alignment(kg, target, teacher.names)
               if m.target not in named]
    known = teacher.relation_vocabulary.lookup()
    return matches, relation_aliases(matches, known) or None


def target_alone(kg: MultiSourceKG, target: str) -> HeteroData:
    r"""``target`` without sources, as the graph a student trains on
    alone (the ``single_kg_rgcn`` method; ``pyg-kgt fit``)."""
    if target not in kg.names:
        raise ConfigError(f"data.target: unknown KG '{target}'; "
                          f'available: {kg.names}')
    return LinkSubgraph(target, sources=[], num_hops=0)(
        kg.subset([target]).to_hetero_data())


def describe_linked(linked: HeteroData) -> str:
    r"""The size of a linked subgraph in one line: nodes and edges per KG,
    and the aligned pairs joining each source to the target."""
    target = linked.target_name
    parts = [f'{target} {linked[target].num_nodes} nodes / '
             f'{linked[target, FACT, target].edge_index.size(1)} edges']
    for kg in linked.node_types:
        if kg != target:
            parts.append(
                f'{kg} {linked[kg].num_nodes} nodes / '
                f'{linked[kg, FACT, kg].edge_index.size(1)} edges / '
                f'{linked[target, SAME_AS, kg].edge_index.size(1)} aligned')
    return '; '.join(parts)


def run_transfer(kg: MultiSourceKG, target: str, teacher: JointTeacher,
                 student_config: LocalStudentConfig,
                 training: TrainingConfig,
                 methods: Sequence[str] = ('single_kg_rgcn', 'linked_no_kd',
                                           'student_full_kd'),
                 num_hops: int = 1, max_neighbors: Optional[int] = None,
                 protocols: Sequence[str] = DEFAULT_PROTOCOLS,
                 on_result: Optional[Callable[[str, Dict[str, Any]],
                                              None]] = None,
                 relation_alignment: Optional[str] = 'auto'
                 ) -> Dict[str, Dict[str, Any]]:
    r"""Trains one student per method on ``target`` and evaluates its test
    split under ``protocols``; ``on_result(method, result)`` is called as
    each method finishes (e.g. to record it before the next one starts).

    Methods (:data:`METHODS`): ``single_kg_rgcn`` (the student's
    architecture on the target alone, no teacher), ``linked_no_kd`` (on the
    linked subgraph, no teacher), ``student_full_kd`` (linked subgraph and
    all three distillation levels), ``student_no_feature_kd``,
    ``student_no_network_kd`` and ``student_no_prediction_kd`` (one level
    removed), ``student_uniform_prediction_kd`` (prediction KD trusting
    every query alike, not by the teacher's agreement with known facts)
    and ``student_target_queries_kd`` (prediction KD on the target's
    training queries only), ``student_cold_start`` (no warm start),
    ``student_linked_triples`` and ``student_target_triples`` (trained on
    the linked source facts too, or on the target's own triples without
    the transferred ones). The twins take the same student configuration
    without the teacher: ``linked_no_kd`` also trains on the transferred
    facts (they come from the data, not the teacher). The teacher is used
    through its cache, computed once; ``relation_alignment`` (see
    :func:`infer_relations`) completes the by-name relation matching.

    Returns:
        Per method, a dict with ``test`` (``{protocol: result}``),
        ``train_s`` (the teacher cache included), ``cache_s`` (its share),
        ``epochs`` and the trained ``student``.
    """
    unknown = sorted(set(methods) - set(METHODS))
    if unknown:
        raise ValueError(f'unknown method(s) {unknown}; use {list(METHODS)}')
    matches, aliases = infer_relations(kg, target, teacher,
                                       relation_alignment)
    linked = link_target(kg, target, teacher, num_hops, max_neighbors,
                         training.seed, matches)
    alone = target_alone(kg, target)
    began = time.perf_counter()
    # Computed once, and only when a method distils from the teacher.
    cache = (teacher.cache_for(linked, top_k=student_config.top_k,
                               relation_aliases=aliases)
             if any(METHODS[name].teacher for name in methods) else None)
    cache_s = time.perf_counter() - began
    results = {}
    for name in methods:
        method = METHODS[name]
        student = train_method(method, linked, alone, cache, student_config,
                               training)
        results[name] = {
            'test': student.evaluate('test', protocols),
            'train_s': student.train_seconds +
            (cache_s if method.teacher else 0.0),
            'cache_s': cache_s if method.teacher else 0.0,
            'epochs': len(student.history), 'student': student}
        if on_result is not None:
            on_result(name, results[name])
    return results
