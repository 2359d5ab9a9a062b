r"""The search space of ``pyg-kgt tune``: the YAML ``tune:`` section."""
from __future__ import annotations

import difflib
from dataclasses import dataclass
from typing import Any, Dict, List, Optional, Sequence, Tuple

from pyg_kgt.errors import ConfigError

#: The settings each distribution type takes (the first ones required).
SETTINGS = {'float': (('low', 'high'), ('log', 'step')),
            'int': (('low', 'high'), ('log', 'step')),
            'categorical': (('choices',), ())}


@dataclass(frozen=True)
class _Dimension:
    key: str
    type: str
    low: Any = None
    high: Any = None
    log: bool = False
    step: Any = None
    choices: Tuple[Any, ...] = ()

    def suggest(self, trial) -> Any:
        if self.type == 'categorical':
            return trial.suggest_categorical(self.key, list(self.choices))
        suggest = (trial.suggest_float if self.type == 'float'
                   else trial.suggest_int)
        kwargs = {'log': self.log}
        if self.step is not None:
            kwargs['step'] = self.step
        return suggest(self.key, self.low, self.high, **kwargs)

    def extremes(self) -> List[Any]:
        r"""The values that bound this dimension (every choice)."""
        if self.type == 'categorical':
            return list(self.choices)
        return [self.low, self.high]


class SearchSpace:
    r"""Configuration keys mapped to Optuna distributions, read from the
    ``tune:`` section of a run configuration:

    .. code-block:: yaml

        tune:
          retraining.lr: {type: float, low: 0.001, high: 0.02, log: true}
          retraining.epochs: {type: int, low: 10, high: 60, step: 10}
          student.prediction_weight: {type: categorical,
                                      choices: [0.5, 1.0, 2.0]}

    ``float`` and ``int`` take ``low`` and ``high`` (inclusive) and
    optionally ``log`` (sample :math:`\log x` uniformly) or ``step``;
    ``categorical`` takes ``choices`` (numbers, strings, booleans or
    ``null``). Every key and setting is checked, an unknown one named with
    the closest known one.

    Args:
        dimensions (dict): ``{config key: spec}`` as in the YAML.
        known_keys ([str]): The configuration keys that may be tuned.

    Raises:
        ConfigError: Naming ``tune.<key>`` and the problem.
    """

    def __init__(self, dimensions: Optional[Dict[str, Any]],
                 known_keys: Sequence[str]) -> None:
        if not isinstance(dimensions or {}, dict):
            raise ConfigError(f"'tune' must map configuration keys to "
                              f'distributions, got {dimensions!r}')
        self.dimensions = [
            _parse(key, spec, known_keys)
            for key, spec in (dimensions or {}).items()]

    def __len__(self) -> int:
        return len(self.dimensions)

    @property
    def keys(self) -> List[str]:
        return [d.key for d in self.dimensions]

    def suggest(self, trial) -> Dict[str, Any]:
        r"""One value per key, asked of the Optuna ``trial``."""
        return {d.key: d.suggest(trial) for d in self.dimensions}

    def extremes(self) -> Dict[str, List[Any]]:
        r"""Per key, the values that bound it (to type-check them
        against the configuration before any trial runs)."""
        return {d.key: d.extremes() for d in self.dimensions}


def _closest(word: str, known: Sequence[str]) -> str:
    close = difflib.get_close_matches(word, list(known), n=1, cutoff=0.6)
    return f" (did you mean '{close[0]}'?)" if close else ''


def _parse(key: str, spec: Any, known_keys: Sequence[str]) -> _Dimension:
    name = f'tune.{key}'
    if key not in known_keys:
        raise ConfigError(f"{name}: unknown configuration key"
                          f'{_closest(key, known_keys)}')
    if not isinstance(spec, dict) or 'type' not in spec:
        raise ConfigError(f'{name}: must be a mapping with a type '
                          f'({", ".join(SETTINGS)}), got {spec!r}')
    kind = spec['type']
    if kind not in SETTINGS:
        raise ConfigError(f"{name}.type: unknown value '{kind}' (use one "
                          f'of {list(SETTINGS)})')
    required, optional = SETTINGS[kind]
    for setting in spec:
        if setting != 'type' and setting not in required + optional:
            close = _closest(setting, required + optional)
            raise ConfigError(f"{name}: unknown setting '{setting}' for "
                              f'{kind}{close}')
    missing = [s for s in required if s not in spec]
    if missing:
        raise ConfigError(f'{name}: {kind} needs {", ".join(missing)}')
    if kind == 'categorical':
        choices = spec['choices']
        if not isinstance(choices, list) or not choices or not all(
                c is None or isinstance(c, (bool, int, float, str))
                for c in choices):
            raise ConfigError(f'{name}.choices: a non-empty list of '
                              f'numbers, strings, booleans or null, got '
                              f'{choices!r}')
        return _Dimension(key, kind, choices=tuple(choices))
    number = float if kind == 'float' else int
    low, high = spec['low'], spec['high']
    for setting, value in (('low', low), ('high', high),
                           ('step', spec.get('step'))):
        if value is not None and (isinstance(value, bool) or not isinstance(
                value, (int, float) if kind == 'float' else int)):
            raise ConfigError(f'{name}.{setting}: must be {kind}, got '
                              f'{value!r}')
    if not low <= high:
        raise ConfigError(f'{name}: low ({low}) must not exceed high '
                          f'({high})')
    log = spec.get('log', False)
    if not isinstance(log, bool):
        raise ConfigError(f'{name}.log: must be true or false, got {log!r}')
    if log and (low <= 0 or spec.get('step') is not None):
        raise ConfigError(f'{name}: log needs low > 0 and no step')
    step = spec.get('step')
    if step is not None and step <= 0:
        raise ConfigError(f'{name}.step: must be > 0, got {step}')
    return _Dimension(key, kind, number(low), number(high), log,
                      None if step is None else number(step))
