"""The configuration of a CLI run, round-tripping to YAML."""
from __future__ import annotations

import dataclasses
import os
from dataclasses import dataclass, field
from typing import Any, Dict, List, Optional, Union

import yaml

from pyg_kgt.config_dict import (DictConfig, all_keys, check_choice,
                                 check_type,
                                 type_hints, unknown_key)
from pyg_kgt.data.multi_source_kg import parse_shared_relations
from pyg_kgt.data.readers import ALIGNMENT_SPLITS
from pyg_kgt.data.readers.dbp5l import \
    ALIGNMENT_SPLITS as DBP5L_ALIGNMENT_SPLITS
from pyg_kgt.errors import ConfigError
from pyg_kgt.models.teacher.joint_teacher import JointTeacherConfig
from pyg_kgt.models.student.local_student_config import LocalStudentConfig
from pyg_kgt.training.config import TrainingConfig
from pyg_kgt.tuning.search_space import SearchSpace

EMBEDDED = 'embedded'


@dataclass
class DataConfig(DictConfig):
    r"""Where the KGs come from.

    Args:
        path (str): A dataset folder, or ``"embedded"`` for the synthetic
            default. (default: ``"embedded"``)
        format (str): Reader format or ``"auto"``. (default: ``"auto"``)
        alignment_split (str, optional): ``"given"`` (the dataset's own
            train/test split of the seed alignment) or ``"all"`` (every
            pair trains, the field's setting; no alignment evaluation);
            DBP-5L also ``"kens"`` (= ``"all"``, its default) and
            ``"jmac"`` (JMAC's 50/50 split).
        target (str, optional): The target KG (``retrain``).
        sources ([str], optional): The teacher's KGs (default: all but the
            target).
        seed (int): Seed of the embedded generator. (default: 0)
        shared_relations (bool or str): ``auto`` shares relations with the
            same name across KGs, ``true`` requires some to be shared,
            ``false`` keeps every KG's relations apart (see
            :class:`~pyg_kgt.data.MultiSourceKG`). (default: ``auto``)
        relation_alignment (str, optional): How ``retrain`` matches the
            target's relations to the teacher's where no source names them
            alike: ``auto`` infers them from the seed entity alignment
            (saved as ``relation_alignment.tsv`` in the run folder, with
            support and confidence), a path reads a TSV file of ``target
            relation name \t teacher relation name`` rows, ``null`` matches
            by name only. Relations with one name always match.
            (default: ``auto``)
    """
    path: str = EMBEDDED
    format: str = 'auto'
    alignment_split: Optional[str] = None
    target: Optional[str] = None
    sources: Optional[List[str]] = None
    seed: int = 0
    shared_relations: Union[bool, str] = 'auto'
    relation_alignment: Optional[str] = 'auto'

    def __post_init__(self) -> None:
        if self.alignment_split is not None:
            check_choice('data.alignment_split', self.alignment_split,
                         ALIGNMENT_SPLITS + DBP5L_ALIGNMENT_SPLITS[1:])
        try:
            parse_shared_relations(self.shared_relations)
        except ValueError as e:
            raise ConfigError(str(e)) from None


def _nested_section(key: str) -> bool:
    r"""Whether ``key`` names a section (``teacher``), not a value."""
    return key in ('data', 'teacher', 'student', 'training') or \
        key.endswith('.model')


@dataclass
class RunConfig(DictConfig):
    r"""Everything a ``pyg-kgt`` run needs; ``to_yaml`` / ``from_yaml``
    round-trip, unknown keys and bad values are errors naming the key.

    Args:
        data (DataConfig): The data.
        teacher (JointTeacherConfig): The teacher.
        student (LocalStudentConfig): The student.
        training (TrainingConfig): The fit loop (of ``pretrain``, and of
            ``retrain`` and ``fit`` but for ``retraining``).
        retraining (dict): :class:`~pyg_kgt.training.TrainingConfig`
            keys that ``retrain`` (the student) and ``fit`` (its
            single-KG twin) change from ``training``: re-training a warm
            student wants its own budget (the benchmarks': the teacher 20
            epochs at lr 0.01, the student 50 at lr 0.005). See
            :meth:`retraining_config`. (default: none)
        num_hops (int): Of the linked subgraph. (default: 1)
        max_neighbors (int, optional): Of the linked subgraph.
        run_dir (str): The run folder. (default: ``"runs/default"``)
        tune (dict): The search space of ``pyg-kgt tune``: configuration
            keys mapped to distributions
            (:class:`~pyg_kgt.tuning.SearchSpace`); the other commands
            ignore it. (default: none)
    """
    data: DataConfig = field(default_factory=DataConfig)
    teacher: JointTeacherConfig = field(default_factory=JointTeacherConfig)
    student: LocalStudentConfig = field(default_factory=LocalStudentConfig)
    training: TrainingConfig = field(default_factory=TrainingConfig)
    retraining: Dict[str, Any] = field(default_factory=dict)
    num_hops: int = 1
    max_neighbors: Optional[int] = None
    run_dir: str = 'runs/default'
    tune: Dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if not isinstance(self.retraining, dict):
            raise ConfigError(f"'retraining' must be a mapping of training "
                              f'keys, got {self.retraining!r}')
        self.retraining_config()  # every key and value checked now
        if self.tune:
            self.search_space()

    def search_space(self) -> SearchSpace:
        r"""The ``tune:`` section as a
        :class:`~pyg_kgt.tuning.SearchSpace`, every bound (and choice)
        checked against the key's type and rules.

        Raises:
            ConfigError: Naming ``tune.<key>``.
        """
        leaves = [k for k in all_keys(RunConfig, '')
                  if k not in ('run_dir', 'tune', 'retraining') and
                  not _nested_section(k)]
        leaves += [f'retraining.{f.name}'
                   for f in dataclasses.fields(TrainingConfig)]
        space = SearchSpace(self.tune, leaves)
        base = dataclasses.replace(self, tune={})
        for key, values in space.extremes().items():
            for value in values:
                try:
                    base.with_values({key: value})
                except ConfigError as e:
                    raise ConfigError(f'tune.{key}: the value {value!r} '
                                      f'does not fit ({e})') from None
        return space

    def with_params(self, params: Dict[str, Any],
                    run_dir: str) -> 'RunConfig':
        r"""This configuration with ``params`` (config key -> value, as a
        tuning trial chose them) set, ``run_dir`` as its folder and no
        ``tune`` section: a configuration every command accepts."""
        return dataclasses.replace(self, tune={}).with_values(
            {**params, 'run_dir': run_dir})

    def retraining_config(self) -> TrainingConfig:
        r"""The fit loop of ``retrain`` and ``fit``: ``training`` with the
        keys of ``retraining`` over it (read when called, so settings
        made on ``training`` later, e.g. ``progress``, carry over).

        Raises:
            ConfigError: An unknown key or a bad value, named
                ``retraining.<key>``.
        """
        names = [f.name for f in dataclasses.fields(TrainingConfig)]
        unknown = [unknown_key(f'retraining.{key}',
                               [f'retraining.{n}' for n in names])
                   for key in self.retraining if key not in names]
        if unknown:
            raise ConfigError('; '.join(unknown))
        hints = type_hints(TrainingConfig)
        values = self.training.to_dict()
        values.update({key: check_type(hints[key], value,
                                        f'retraining.{key}')
                       for key, value in self.retraining.items()})
        try:
            return TrainingConfig(**values)
        except ConfigError as e:
            raise ConfigError(f'retraining.{e}') from None

    def to_yaml(self) -> str:
        return yaml.safe_dump(self.to_dict(), sort_keys=False)

    @classmethod
    def from_yaml(cls, path: str) -> 'RunConfig':
        r"""Reads a YAML file with ``yaml.safe_load`` (no code runs)."""
        if not os.path.isfile(path):
            raise ConfigError(f'{path}: missing file')
        try:
            with open(path, encoding='utf-8') as f:
                values = yaml.safe_load(f)
        except (yaml.YAMLError, UnicodeDecodeError) as e:
            raise ConfigError(f'{path}: not valid YAML ({e})'.replace(
                '\n', ' ')) from None
        if values is not None and not isinstance(values, dict):
            raise ConfigError(f'{path}: the top level must be a mapping')
        try:
            return cls.from_dict(values or {})
        except ConfigError as e:
            raise ConfigError(f'{path}: {e}') from None

    def override(self, assignments: List[str]) -> 'RunConfig':
        r"""Applies ``key.path=value`` overrides (values parsed as YAML)."""
        pairs = {}
        for item in assignments:
            key, sep, raw = item.partition('=')
            if not sep:
                raise ConfigError(f"override '{item}' must be key=value")
            pairs[key] = yaml.safe_load(raw)
        return self.with_values(pairs)

    def with_values(self, pairs: Dict[str, Any]) -> 'RunConfig':
        r"""This configuration with ``{key.path: value}`` set (values as
        they are, checked like a file's)."""
        values = self.to_dict()
        unknown = []
        for key, value in pairs.items():
            node = values
            parts = key.split('.')
            for part in parts[:-1]:
                node = node.get(part) if isinstance(node, dict) else None
            if parts[0] == 'retraining' and len(parts) == 2:
                node[parts[1]] = value  # checked on build
                continue
            if not isinstance(node, dict) or parts[-1] not in node:
                unknown.append(unknown_key(key, all_keys(RunConfig, '')))
                continue
            node[parts[-1]] = value
        if unknown:
            raise ConfigError('; '.join(unknown))
        return RunConfig.from_dict(values)
