r"""A hyper-parameter study that lives in a folder (``pyg-kgt tune``)."""
from __future__ import annotations

import os
import time
import warnings
from typing import Any, Callable, Dict, List, Optional

from pyg_kgt.errors import ConfigError
from pyg_kgt.tuning.search_space import SearchSpace

#: ``run_trial(params, trial_dir, on_epoch)`` trains one configuration in
#: the run folder ``trial_dir``, calling ``on_epoch`` with every epoch's
#: record, and returns the epoch history.
RunTrial = Callable[[Dict[str, Any], str, Callable[[Dict[str, float]],
                                                   None]],
                    List[Dict[str, float]]]

PRUNERS = ('median', 'hyperband', 'none')
STUDY_NAME = 'pyg-kgt'
DATABASE = 'study.db'


def require_optuna():
    r"""The ``optuna`` module, or a clear error naming the extra."""
    try:
        import optuna
    except ImportError:
        raise ConfigError('pyg-kgt tune needs Optuna: pip install '
                          "'pyg_kgt[tune]'") from None
    return optuna


def _storage(optuna, path: str):
    r"""The SQLite storage, with a heartbeat: a trial whose process died
    is failed after 2 minutes of silence and asked again once."""
    storages = optuna.storages
    retry = getattr(storages, 'RetryHeartbeatStaleTrialCallback',
                    None)  # Optuna >= 4.9; before: RetryFailedTrialCallback
    with warnings.catch_warnings():  # the heartbeat is "experimental"
        warnings.simplefilter('ignore', optuna.exceptions.ExperimentalWarning)
        if retry is not None:
            callback = {'heartbeat_stale_trial_callback': retry(max_retry=1)}
        else:
            callback = {'failed_trial_callback':
                        storages.RetryFailedTrialCallback(max_retry=1)}
        return storages.RDBStorage(f'sqlite:///{os.path.abspath(path)}',
                                   heartbeat_interval=30, grace_period=120,
                                   **callback)


class TuningStudy:
    r"""An Optuna study over a :class:`SearchSpace`, kept in an SQLite
    database (``study.db``) in ``folder``, each trial a run folder
    ``folder/trials/NNNN``.

    The objective is the best validation MRR of a trial's history (the
    ``val_mrr`` records, under ``training.val_protocol``). Each validation
    is reported to the pruner, which stops a trial whose curve falls below
    the others': ``median`` (Optuna's ``MedianPruner``: below the median of
    earlier trials at the same epoch, once 3 trials have finished and from
    the second validation on) or ``hyperband`` (``HyperbandPruner`` over
    ``min_epochs`` to ``max_epochs``). The sampler is TPE, seeded: the
    same study run again from scratch asks for the same first trials.

    Being a real database, the study survives a crash or Ctrl-C: an
    interrupted trial is marked failed and, with ``resume``, asked again
    first; a trial whose process died (no heartbeat for 2 minutes) is
    failed and retried the same way. Two processes may work on one study
    (the second with ``resume``).

    Args:
        folder (str): The study's folder.
        space (SearchSpace): What to search.
        run_trial (callable): Trains one trial (see :data:`RunTrial`).
        pruner (str): ``"median"``, ``"hyperband"`` or ``"none"``.
            (default: ``"median"``)
        seed (int): Seed of the sampler. (default: 0)
        resume (bool): Continue the study in ``folder``; without it, a
            folder that holds one is an error. (default: :obj:`False`)
        min_epochs (int): Hyperband's smallest budget (the first
            validation epoch). (default: 5)
        max_epochs (int): Hyperband's largest budget. (default: 100)
    """

    def __init__(self, folder: str, space: SearchSpace, run_trial: RunTrial,
                 pruner: str = 'median', seed: int = 0,
                 resume: bool = False, min_epochs: int = 5,
                 max_epochs: int = 100) -> None:
        optuna = require_optuna()
        if pruner not in PRUNERS:
            raise ConfigError(f"pruner: unknown value '{pruner}' (use one "
                              f'of {list(PRUNERS)})')
        if not len(space):
            raise ConfigError("tune: the configuration's tune section is "
                              'empty; map keys to distributions (see '
                              'pyg_kgt.tuning.SearchSpace)')
        path = os.path.join(folder, DATABASE)
        if os.path.exists(path) and not resume:
            raise ConfigError(f'{path}: a study is there already; continue '
                              f'it with --resume or choose another folder')
        if resume and not os.path.exists(path):
            raise ConfigError(f'{path}: no study to resume')
        os.makedirs(folder, exist_ok=True)
        self.folder, self.space, self.run_trial = folder, space, run_trial
        storage = _storage(optuna, path)
        pruners = {
            'median': lambda: optuna.pruners.MedianPruner(
                n_startup_trials=3, n_warmup_steps=2 * min_epochs),
            'hyperband': lambda: optuna.pruners.HyperbandPruner(
                min_resource=min_epochs, max_resource=max_epochs),
            'none': optuna.pruners.NopPruner}
        self.study = optuna.create_study(
            storage=storage, study_name=STUDY_NAME, direction='maximize',
            sampler=optuna.samplers.TPESampler(seed=seed),
            pruner=pruners[pruner](), load_if_exists=resume)
        if resume:
            self._ask_interrupted_again()

    @property
    def finished(self) -> List[Any]:
        r"""The trials that completed or were pruned."""
        states = self._finished_states()
        return [t for t in self.study.trials if t.state in states]

    def _finished_states(self):
        state = require_optuna().trial.TrialState
        return (state.COMPLETE, state.PRUNED)

    def _ask_interrupted_again(self) -> None:
        r"""Queues the parameters of every trial a Ctrl-C stopped (once)."""
        state = require_optuna().trial.TrialState
        trials = self.study.trials
        retried = {t.user_attrs.get('retry_of') for t in trials}
        for trial in trials:
            if trial.state == state.FAIL and trial.user_attrs.get(
                    'interrupted') and trial.number not in retried:
                self.study.enqueue_trial(
                    trial.params, user_attrs={'retry_of': trial.number})

    def optimize(self, trials: int, timeout: Optional[float] = None,
                 callbacks: Optional[List[Callable]] = None) -> None:
        r"""Runs trials until the study holds ``trials`` finished ones
        (completed or pruned; earlier runs of a resumed study count) or
        ``timeout`` seconds pass; ``callbacks(study, trial)`` follow each
        trial."""
        optuna = require_optuna()
        left = trials - len(self.finished)
        if left <= 0:
            return
        stop = optuna.study.MaxTrialsCallback(
            trials, states=self._finished_states())
        self.study.optimize(self._objective, n_trials=left, timeout=timeout,
                            callbacks=[stop] + list(callbacks or []),
                            catch=())

    def trial_dir(self, number: int) -> str:
        return os.path.join(self.folder, 'trials', f'{number:04d}')

    def _objective(self, trial) -> float:
        optuna = require_optuna()
        params = self.space.suggest(trial)
        folder = self.trial_dir(trial.number)
        trial.set_user_attr('run_dir', folder)

        def report(record: Dict[str, float]) -> None:
            if 'val_mrr' not in record:
                return
            trial.report(record['val_mrr'], record['epoch'])
            if trial.should_prune():
                trial.set_user_attr('epochs', record['epoch'])
                raise optuna.TrialPruned(
                    f"val MRR {record['val_mrr']:.4f} at epoch "
                    f"{record['epoch']}")

        began = time.perf_counter()
        try:
            history = self.run_trial(params, folder, report)
        except KeyboardInterrupt:
            trial.set_user_attr('interrupted', True)
            raise
        finally:
            trial.set_user_attr('seconds',
                                round(time.perf_counter() - began, 1))
        values = [r['val_mrr'] for r in history if 'val_mrr' in r]
        if not values:
            raise ConfigError('tune: the trial has no validation MRR (the '
                              'target needs validation triples)')
        trial.set_user_attr('epochs', history[-1]['epoch'])
        return max(values)
