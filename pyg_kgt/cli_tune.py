r"""``pyg-kgt tune``: a hyper-parameter study over the ``tune:`` section of
a run configuration (:class:`~pyg_kgt.tuning.TuningStudy`), each trial a
``retrain`` (default), ``pretrain`` or ``fit`` run folder."""
from __future__ import annotations

import argparse
import json
import os
from typing import Any, Callable, Dict

from pyg_kgt.errors import ConfigError

COMMANDS = ('retrain', 'pretrain', 'fit')


def _trial_runner(config, command: str, teacher: str) -> Callable:
    r"""``run_trial(params, folder, on_epoch)`` for ``command``; a
    ``retrain`` trial reuses the linked target and teacher cache of the
    previous one when the values that build them are the same."""
    from pyg_kgt import cli_training
    prepared: Dict[str, Any] = {}

    def run(params: Dict[str, Any], folder: str, on_epoch) -> list:
        trial = config.with_params(params, folder)
        if command == 'pretrain':
            return cli_training.run_pretrain(trial, on_epoch=on_epoch).history
        if command == 'fit':
            return cli_training.run_fit(trial, on_epoch=on_epoch).history
        key = json.dumps([trial.data.to_dict(), trial.num_hops,
                          trial.max_neighbors, trial.student.top_k,
                          trial.retraining_config().seed])
        if key not in prepared:
            prepared.clear()  # one target in memory at a time
            prepared[key] = cli_training.prepare_target(trial, teacher)
        return cli_training.run_retrain(trial, teacher, on_epoch=on_epoch,
                                        prepared=prepared[key]).history
    return run


def _announce(study, trial) -> None:
    state = trial.state.name.lower()
    seconds = trial.user_attrs.get('seconds', '?')
    if state == 'complete':
        best = study.best_trial
        print(f'trial {trial.number}: val MRR {trial.value:.4f} '
              f"({trial.user_attrs.get('epochs')} epochs, {seconds} s); "
              f'best {best.value:.4f} (trial {best.number})', flush=True)
    elif state == 'pruned':
        print(f'trial {trial.number}: pruned at epoch '
              f"{trial.user_attrs.get('epochs')} ({seconds} s)", flush=True)
    else:
        print(f'trial {trial.number}: {state}', flush=True)


def tune(args: argparse.Namespace) -> int:
    from pyg_kgt.cli_training import load_config
    from pyg_kgt.run_folder import find_saved
    from pyg_kgt.tuning import TuningStudy
    from pyg_kgt.tuning.study import require_optuna
    optuna = require_optuna()
    from pyg_kgt.tuning.outputs import write_outputs
    if args.command_to_tune == 'retrain':
        if not args.teacher:
            raise ConfigError('--teacher: tuning retrain needs a saved '
                              'teacher (a pretrain run folder)')
        find_saved(args.teacher, 'teacher')  # checked before any trial
    config = load_config(args)
    config.training.progress = False  # one line per trial instead
    space = config.search_space()
    training = (config.training if args.command_to_tune == 'pretrain'
                else config.retraining_config())
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    runner = _trial_runner(config, args.command_to_tune, args.teacher)
    study = TuningStudy(config.run_dir, space, runner,
                        args.pruner, args.seed, args.resume,
                        min_epochs=training.eval_every,
                        max_epochs=training.epochs)
    print(f'study: {len(space)} keys ({", ".join(space.keys)}), '
          f'{len(study.finished)} of {args.trials} trials finished, in '
          f'{config.run_dir}/study.db', flush=True)

    def keep(optuna_study, trial) -> None:
        _announce(optuna_study, trial)
        write_outputs(optuna_study, config, space.keys, config.run_dir,
                      plots=False)
    try:
        study.optimize(args.trials, args.timeout, callbacks=[keep])
    finally:
        written = write_outputs(study.study, config, space.keys,
                                config.run_dir)
        for what, path in written.items():
            print(f'{what}: {path}')
    if args.confirm:
        _confirm(study.study, config, args, runner)
    return 0


def _confirm(study, config, args, run) -> None:
    r"""Re-trains the study's configuration as given (``default``) and
    with the best trial's values (``best``) once per ``--confirm`` seed,
    each a run folder ``confirm/<kind>_seed<S>`` (kept: a second call
    reads it instead of training again), and writes ``confirm.tsv`` and
    ``confirm.md``: the choice made on validation, checked on test."""
    from pyg_kgt.io import read_json
    from pyg_kgt.tuning.outputs import best_trial, write_confirmation
    best = best_trial(study)
    if best is None:
        raise ConfigError('--confirm: the study has no completed trial')
    seed_key = ('training.seed' if args.command_to_tune == 'pretrain'
                else 'retraining.seed')
    runs = []
    for seed in args.confirm:
        for kind, params in (('default', {}), ('best', best.params)):
            folder = os.path.join(config.run_dir, 'confirm',
                                  f'{kind}_seed{seed}')
            done = os.path.join(folder, 'results.json')
            history = ([] if os.path.isfile(done) else
                       run({**params, seed_key: seed}, folder, None))
            print(f'confirm {kind} seed {seed}: {folder}', flush=True)
            runs.append({'kind': kind, 'seed': seed, 'folder': folder,
                         'history': history, 'results': read_json(done)})
    for what, path in write_confirmation(runs, config.run_dir).items():
        print(f'{what}: {path}')
