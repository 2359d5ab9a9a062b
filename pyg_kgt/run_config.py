"""The configuration of a CLI run, round-tripping to YAML."""
from __future__ import annotations

import dataclasses
import difflib
import os
import typing
from dataclasses import dataclass, field
from typing import Any, Dict, List, Optional, Union

import yaml

from pyg_kgt.data.multi_source_kg import parse_shared_relations
from pyg_kgt.errors import ConfigError
from pyg_kgt.models.joint_teacher import JointTeacherConfig
from pyg_kgt.models.local_student import LocalStudentConfig
from pyg_kgt.models.model_config import ModelConfig
from pyg_kgt.training.config import TrainingConfig

EMBEDDED = 'embedded'


@dataclass
class DataConfig:
    r"""Where the KGs come from.

    Args:
        path (str): A dataset folder, or ``"embedded"`` for the synthetic
            default. (default: ``"embedded"``)
        format (str): Reader format or ``"auto"``. (default: ``"auto"``)
        alignment_split (str, optional): DBP-5L: ``"kens"`` or ``"jmac"``.
        target (str, optional): The target KG (``retrain``).
        sources ([str], optional): The teacher's KGs (default: all but the
            target).
        seed (int): Seed of the embedded generator. (default: 0)
        shared_relations (bool or str): ``auto`` shares relations with the
            same name across KGs, ``true`` requires some to be shared,
            ``false`` keeps every KG's relations apart (see
            :class:`~pyg_kgt.data.MultiSourceKG`). (default: ``auto``)
        relation_alignment (str, optional): A TSV file of ``target
            relation name \t teacher relation name`` rows, for relations
            the two graphs name differently (``retrain``); relations with
            one name match without it.
    """
    path: str = EMBEDDED
    format: str = 'auto'
    alignment_split: Optional[str] = None
    target: Optional[str] = None
    sources: Optional[List[str]] = None
    seed: int = 0
    shared_relations: Union[bool, str] = 'auto'
    relation_alignment: Optional[str] = None

    def __post_init__(self) -> None:
        try:
            parse_shared_relations(self.shared_relations)
        except ValueError as e:
            raise ConfigError(str(e)) from None


@dataclass
class RunConfig:
    r"""Everything a ``pyg-kgt`` run needs; ``to_yaml`` / ``from_yaml``
    round-trip, unknown keys and bad values are errors naming the key.

    Args:
        data (DataConfig): The data.
        teacher (JointTeacherConfig): The teacher.
        student (LocalStudentConfig): The student.
        training (TrainingConfig): The fit loop.
        num_hops (int): Of the linked subgraph. (default: 1)
        max_neighbors (int, optional): Of the linked subgraph.
        run_dir (str): The run folder. (default: ``"runs/default"``)
    """
    data: DataConfig = field(default_factory=DataConfig)
    teacher: JointTeacherConfig = field(default_factory=JointTeacherConfig)
    student: LocalStudentConfig = field(default_factory=LocalStudentConfig)
    training: TrainingConfig = field(default_factory=TrainingConfig)
    num_hops: int = 1
    max_neighbors: Optional[int] = None
    run_dir: str = 'runs/default'

    def to_dict(self) -> Dict[str, Any]:
        return dataclasses.asdict(self)

    def to_yaml(self) -> str:
        return yaml.safe_dump(self.to_dict(), sort_keys=False)

    @classmethod
    def from_dict(cls, values: Dict[str, Any]) -> 'RunConfig':
        unknown = _unknown_keys(cls, values or {}, '')
        if unknown:
            raise ConfigError('; '.join(unknown))
        return _build(cls, values or {}, '')

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
        values = self.to_dict()
        unknown = []
        for item in assignments:
            key, sep, raw = item.partition('=')
            if not sep:
                raise ConfigError(f"override '{item}' must be key=value")
            node = values
            parts = key.split('.')
            for part in parts[:-1]:
                node = node.get(part) if isinstance(node, dict) else None
            if not isinstance(node, dict) or parts[-1] not in node:
                unknown.append(_unknown(key, _all_keys(RunConfig, '')))
                continue
            node[parts[-1]] = yaml.safe_load(raw)
        if unknown:
            raise ConfigError('; '.join(unknown))
        return RunConfig.from_dict(values)


NESTED = {(RunConfig, 'data'): DataConfig,
          (RunConfig, 'teacher'): JointTeacherConfig,
          (RunConfig, 'student'): LocalStudentConfig,
          (RunConfig, 'training'): TrainingConfig,
          (JointTeacherConfig, 'model'): ModelConfig,
          (LocalStudentConfig, 'model'): ModelConfig}


def _all_keys(cls, prefix: str) -> List[str]:
    keys = []
    for spec in dataclasses.fields(cls):
        nested = NESTED.get((cls, spec.name))
        keys.append(f'{prefix}{spec.name}')
        if nested:
            keys += _all_keys(nested, f'{prefix}{spec.name}.')
    return keys


def _unknown(key: str, known: List[str]) -> str:
    close = difflib.get_close_matches(key, known, n=1, cutoff=0.6)
    return f"unknown key '{key}'" + (f" (did you mean '{close[0]}'?)"
                                     if close else '')


def _unknown_keys(cls, values: Any, prefix: str) -> List[str]:
    r"""Every unknown key of ``values`` (the whole tree), each with the
    closest known key, so one run reports every typo."""
    if not isinstance(values, dict):
        return []
    known = {f.name for f in dataclasses.fields(cls)}
    found = []
    for key, value in values.items():
        if key not in known:
            found.append(_unknown(f'{prefix}{key}', _all_keys(RunConfig, '')))
        elif (cls, key) in NESTED:
            found += _unknown_keys(NESTED[(cls, key)], value,
                                   f'{prefix}{key}.')
    return found


def _build(cls, values: Dict[str, Any], prefix: str):
    if not isinstance(values, dict):
        raise ConfigError(f"'{prefix.rstrip('.')}' must be a mapping")
    known = {f.name for f in dataclasses.fields(cls)}
    hints = typing.get_type_hints(cls)  # real types, not annotation strings
    kwargs = {}
    for key, value in values.items():
        if key not in known:
            raise ConfigError(f"unknown key '{prefix}{key}'")
        nested = NESTED.get((cls, key))
        if nested is not None:
            value = _build(nested, value, f'{prefix}{key}.')
        else:
            value = _check_type(hints[key], value, f'{prefix}{key}')
        kwargs[key] = value
    try:
        return cls(**kwargs)
    except ConfigError as e:
        raise ConfigError(f'{prefix}{e}') from None
    except (TypeError, ValueError) as e:
        raise ConfigError(f"'{prefix.rstrip('.') or 'config'}': {e}") from None


def _type_name(hint: Any) -> str:
    return getattr(hint, '__name__', None) or str(hint).replace('typing.', '')


def _check_type(hint: Any, value: Any, key: str) -> Any:
    r"""``value`` checked against the type hint ``hint`` (``int``,
    ``float``, ``str``, ``bool``, ``Optional``/``Union`` of them,
    ``List[...]`` with every element checked); ints become floats where a
    float is expected."""
    origin, args = typing.get_origin(hint), typing.get_args(hint)
    if origin is Union:
        if value is None:
            if type(None) in args:
                return None
            raise ConfigError(f"'{key}' must not be empty")
        errors = []
        for option in (a for a in args if a is not type(None)):
            try:
                return _check_type(option, value, key)
            except ConfigError as e:
                errors.append(e)
        if len(errors) == 1:
            raise errors[0]
        raise ConfigError(f"'{key}' must be one of "
                          f"{[_type_name(a) for a in args]}, got {value!r}")
    if value is None:
        raise ConfigError(f"'{key}' must not be empty")
    if origin in (list, List):
        if not isinstance(value, list):
            raise ConfigError(f"'{key}' must be a list, got {value!r}")
        return [_check_type(args[0], v, f'{key}[{i}]') if args else v
                for i, v in enumerate(value)]
    if hint is float:
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise ConfigError(f"'{key}' must be float, got {value!r}")
        return float(value)
    if hint in (int, str, bool) and (not isinstance(value, hint) or (
            hint is int and isinstance(value, bool))):
        raise ConfigError(f"'{key}' must be {hint.__name__}, got {value!r}")
    return value
