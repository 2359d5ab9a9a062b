"""The one configuration mechanism: dataclasses read from plain dicts.

Every configuration class (``TrainingConfig``, ``ModelConfig``, the
teacher's, the student's, a CLI run's) is a dataclass with this mixin.
:meth:`DictConfig.from_dict` checks the values against the fields' real
type hints (:func:`typing.get_type_hints`, list elements included), builds
nested sections (a field whose type is itself a :class:`DictConfig`),
reports every unknown key of the whole tree at once with the closest known
key, and names the key in every error (``'teacher.num_neighbors[0]' must be
int, got 'a'``).
"""
from __future__ import annotations

import dataclasses
import difflib
import functools
import typing
from typing import Any, Dict, List, Optional, Sequence, Union

from pyg_kgt.errors import ConfigError


def check_choice(key: str, value: Any, choices: Sequence[Any]) -> None:
    r"""Raises :class:`~pyg_kgt.errors.ConfigError` naming ``key`` when
    ``value`` is not one of ``choices``, and listing them."""
    if value not in choices:
        raise ConfigError(f"{key}: unknown value '{value}' (use one of "
                          f'{choices})')


class DictConfig:
    r"""Mixin for a configuration dataclass: ``to_dict`` and a checked
    ``from_dict``."""

    def to_dict(self) -> Dict[str, Any]:
        return dataclasses.asdict(self)

    @classmethod
    def from_dict(cls, values: Optional[Dict[str, Any]]):
        r"""Builds the configuration from ``values`` (missing keys take
        their defaults).

        Raises:
            ConfigError: Every unknown key (with "did you mean"), or the
                first value of a wrong type, naming its key.
        """
        values = {} if values is None else values
        unknown = _unknown_keys(cls, values, '', all_keys(cls, ''))
        if unknown:
            raise ConfigError('; '.join(unknown))
        return _build(cls, values, '')


@functools.lru_cache(maxsize=None)
def type_hints(cls) -> Dict[str, Any]:
    r"""The real type hints of ``cls``'s fields (resolved once)."""
    return typing.get_type_hints(cls)


def _nested(cls, name: str) -> Optional[type]:
    r"""The :class:`DictConfig` type of field ``name`` of ``cls``, if any."""
    hint = type_hints(cls).get(name)
    return hint if isinstance(hint, type) and issubclass(
        hint, DictConfig) else None


def all_keys(cls, prefix: str) -> List[str]:
    keys = []
    for spec in dataclasses.fields(cls):
        keys.append(f'{prefix}{spec.name}')
        nested = _nested(cls, spec.name)
        if nested is not None:
            keys += all_keys(nested, f'{prefix}{spec.name}.')
    return keys


def unknown_key(key: str, known: List[str]) -> str:
    r"""The error text of an unknown ``key``, with the closest of
    ``known``."""
    close = difflib.get_close_matches(key, known, n=1, cutoff=0.6)
    return f"unknown key '{key}'" + (f" (did you mean '{close[0]}'?)"
                                     if close else '')


def _unknown_keys(cls, values: Any, prefix: str,
                  known_keys: List[str]) -> List[str]:
    r"""Every unknown key of ``values`` (the whole tree), so one run reports
    every typo."""
    if not isinstance(values, dict):
        return []
    known = {f.name for f in dataclasses.fields(cls)}
    found = []
    for key, value in values.items():
        if key not in known:
            found.append(unknown_key(f'{prefix}{key}', known_keys))
        elif _nested(cls, key) is not None:
            found += _unknown_keys(_nested(cls, key), value,
                                   f'{prefix}{key}.', known_keys)
    return found


def _build(cls, values: Any, prefix: str):
    if not isinstance(values, dict):
        raise ConfigError(f"'{prefix.rstrip('.') or 'config'}' must be a "
                          f'mapping')
    hints = type_hints(cls)  # real types, not annotation strings
    kwargs = {}
    for key, value in values.items():
        nested = _nested(cls, key)
        if nested is not None:
            kwargs[key] = value if isinstance(value, nested) else _build(
                nested, value, f'{prefix}{key}.')
        else:
            kwargs[key] = check_type(hints[key], value, f'{prefix}{key}')
    try:
        return cls(**kwargs)
    except ConfigError as e:
        raise ConfigError(f'{prefix}{e}') from None
    except (TypeError, ValueError) as e:
        raise ConfigError(f"'{prefix.rstrip('.') or 'config'}': {e}") from None


def _type_name(hint: Any) -> str:
    return getattr(hint, '__name__', None) or str(hint).replace('typing.', '')


def check_type(hint: Any, value: Any, key: str) -> Any:
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
                return check_type(option, value, key)
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
        return [check_type(args[0], v, f'{key}[{i}]') if args else v
                for i, v in enumerate(value)]
    if hint is float:
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise ConfigError(f"'{key}' must be float, got {value!r}")
        return float(value)
    if hint in (int, str, bool) and (not isinstance(value, hint) or (
            hint is int and isinstance(value, bool))):
        raise ConfigError(f"'{key}' must be {hint.__name__}, got {value!r}")
    return value
