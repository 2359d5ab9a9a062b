"""Command line interface: ``pyg-kgt`` / ``python -m pyg_kgt``.

Thin by design: each subcommand parses its arguments and calls the library.
Bad input ends with one line on stderr and exit code 2; a NaN loss with 1;
a failed distributed run (a rank died or timed out) with 3; Ctrl-C with
130. The library (and torch) is imported inside the commands, so ``--help``
and argument errors answer at once.
"""
from __future__ import annotations

import argparse
import json
import sys
import warnings
from typing import List, Optional

from pyg_kgt import cli_models, cli_training, cli_tune
from pyg_kgt.errors import (ConfigError, DataFormatError, DistributedError,
                            NonFiniteLossError)
from pyg_kgt.tuning.study import PRUNERS


def _stats(args: argparse.Namespace) -> int:
    from pyg_kgt.data.readers import read_multi_source
    kwargs = {}
    if args.alignment_split is not None:
        kwargs['alignment_split'] = args.alignment_split
    kg = read_multi_source(args.path, args.format, **kwargs)
    print(json.dumps(kg.statistics(), indent=None if args.compact else 2))
    return 0


def _split(args: argparse.Namespace) -> int:
    from pyg_kgt.data.readers import read_multi_source
    from pyg_kgt.data.split import split_multi_source, write_tsv
    fractions = [float(f) for f in args.fractions.split('/')]
    kg = read_multi_source(args.path, args.format)
    try:
        split, counts = split_multi_source(kg, fractions, args.seed)
        written = write_tsv(split, args.out)
    except ValueError as e:
        raise ConfigError(str(e)) from None
    for name, count in counts.items():
        print(f"{name}: {count['train']} train, {count['val']} val, "
              f"{count['test']} test triples ({count['moved_to_train']} "
              f'moved to train: an entity unseen in training)')
    dropped = written.pop('alignment_pairs_dropped')
    if dropped:
        print(f'{dropped} alignment pairs left out: an entity in no triple')
    print(f'wrote {len(written)} files in {args.out} (own-TSV layout; '
          f'read with --format tsv)')
    return 0


def _demo(args: argparse.Namespace) -> int:
    from pyg_kgt.demo import run_demo
    from pyg_kgt.runtime import apply_process_settings
    from pyg_kgt.training.config import TrainingConfig
    apply_process_settings(TrainingConfig(num_threads=args.threads))
    run_demo(seed=args.seed, quiet=args.quiet, run_dir=args.run_dir,
             device=args.device or 'auto')
    return 0


def _add_config_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument('--config', help='YAML run configuration')
    parser.add_argument('--set', action='append', metavar='KEY=VALUE',
                        help='override a config key (repeatable), e.g. '
                        'training.epochs=10')
    parser.add_argument('--quiet', action='store_true',
                        help='no progress bars')
    _add_process_options(parser)


def _add_process_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument('--threads', type=int, metavar='N',
                        help='CPU threads (= training.num_threads; default: '
                        'OMP_NUM_THREADS, else the free cores)')
    _add_device_option(parser)


def _add_device_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument('--device', metavar='DEVICE',
                        help='auto (CUDA when available), cpu, cuda or '
                        'cuda:N (= training.device; default: auto)')


def _add_run_options(parser: argparse.ArgumentParser) -> None:
    _add_config_options(parser)
    parser.add_argument('--run-dir', help='the run folder')
    parser.add_argument('--resume', action='store_true',
                        help='continue from the run folder\'s checkpoint')


def _add_model_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument('--model', required=True, help='a saved model '
                        '(model/ of a fit or retrain run), a run folder, '
                        'or a saved teacher or pretrain run (with --kg)')
    parser.add_argument('--kg', help="the KG, for a teacher's folder")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog='pyg-kgt', description='Transferable representation learning '
        'on multi-source knowledge graphs.')
    sub = parser.add_subparsers(dest='command', required=True)

    stats = sub.add_parser('stats', help='print dataset statistics as JSON')
    stats.add_argument('path', help='dataset folder')
    stats.add_argument('--format', default='auto',
                       choices=['auto', 'dbp5l', 'openea', 'dbp15k', 'srprs',
                                'tsv'])
    stats.add_argument('--alignment-split',
                       choices=['given', 'all', 'kens', 'jmac'],
                       help='seed alignment setting: the dataset\'s own '
                       'split (given), every pair for training (all); '
                       'DBP-5L also kens (= all) and jmac')
    stats.add_argument('--compact', action='store_true',
                       help='one-line JSON')
    stats.set_defaults(func=_stats)

    split = sub.add_parser(
        'split', help='turn KGs (e.g. an entity-alignment pair) into a '
        'link-prediction setting: seeded train/val/test triples per KG, '
        'written in the own-TSV layout')
    split.add_argument('path', help='dataset folder (any format)')
    split.add_argument('--out', required=True, help='output folder')
    split.add_argument('--format', default='auto',
                       choices=['auto', 'dbp5l', 'openea', 'dbp15k', 'srprs',
                                'tsv'])
    split.add_argument('--fractions', default='0.8/0.1/0.1',
                       help='train/val/test (default: 0.8/0.1/0.1)')
    split.add_argument('--seed', type=int, default=0)
    split.set_defaults(func=_split)

    pretrain = sub.add_parser('pretrain', help='pre-train a JointTeacher')
    _add_run_options(pretrain)
    pretrain.set_defaults(func=cli_training.pretrain)

    retrain = sub.add_parser('retrain', help='re-train a LocalStudent '
                             'from a saved teacher')
    _add_run_options(retrain)
    retrain.add_argument('--teacher', required=True,
                         help='a pretrain run folder (or its teacher/)')
    retrain.set_defaults(func=cli_training.retrain)

    fit = sub.add_parser('fit', help='train the single-KG baseline (the '
                         "student's network on data.target alone)")
    _add_run_options(fit)
    fit.set_defaults(func=cli_training.fit)

    tune = sub.add_parser(
        'tune', help='hyper-parameter search (Optuna) over the tune: '
        'section of the config; each trial a run folder')
    _add_config_options(tune)
    tune.add_argument('--run-dir', help='the study folder (study.db, '
                      'trials/, best.yaml, trials.tsv, plots)')
    tune.add_argument('--command', dest='command_to_tune',
                      default='retrain', choices=cli_tune.COMMANDS,
                      help='what a trial runs (default: retrain)')
    tune.add_argument('--teacher', help='for retrain: a pretrain run '
                      'folder (or its teacher/), reused by every trial')
    tune.add_argument('--trials', type=int, default=20,
                      help='finished (completed or pruned) trials the '
                      'study should hold (default: 20; a resumed study '
                      'counts its earlier ones)')
    tune.add_argument('--timeout', type=float, metavar='S',
                      help='start no trial after S seconds')
    tune.add_argument('--pruner', default='median', choices=PRUNERS,
                      help='stops trials whose validation curve falls '
                      'behind (default: median)')
    tune.add_argument('--seed', type=int, default=0,
                      help='seed of the sampler (default: 0)')
    tune.add_argument('--resume', action='store_true',
                      help='continue the study in --run-dir')
    tune.add_argument('--confirm', type=int, nargs='+', metavar='SEED',
                      help='then re-train the default and the best '
                      'configuration with each seed and compare them on '
                      'test (confirm.tsv, confirm.md)')
    tune.set_defaults(func=cli_tune.tune)

    evaluate = sub.add_parser('evaluate', help='evaluate a saved model on '
                              'its KG (filtered, lifted and lifted_trainval '
                              'protocols); the '
                              "data comes from the run folder's config "
                              'unless --config is given')
    _add_model_options(evaluate)
    _add_config_options(evaluate)
    evaluate.add_argument('--split', default='test',
                          choices=['train', 'val', 'test'])
    # Checked by the library (pyg_kgt.evaluation.PROTOCOLS), which --help
    # does not load.
    evaluate.add_argument('--protocol', nargs='+', metavar='NAME',
                          help='filtered, lifted and/or lifted_trainval '
                          '(default: all three)')
    evaluate.add_argument('--output', help='also write the full results '
                          'as JSON here')
    evaluate.set_defaults(func=cli_models.evaluate)

    export = sub.add_parser('export', help='write entity and relation '
                            'embeddings (.npy, .pt, TSV)')
    _add_model_options(export)
    export.add_argument('--out', required=True, help='output folder')
    _add_device_option(export)
    export.add_argument('--format', default='npy,pt,tsv',
                        help='comma-separated: npy, pt, tsv')
    export.set_defaults(func=cli_models.export)

    show = sub.add_parser('show', help='draw why a prediction was made: '
                          "an entity's linked neighbourhood as PNG and "
                          'GraphML (needs pyg_kgt[viz])')
    _add_model_options(show)
    _add_config_options(show)
    show.add_argument('--entity', required=True, help='entity name')
    show.add_argument('--relation', help='relation name: also predict and '
                      'highlight its top -k tails')
    show.add_argument('--hops', type=int, default=1,
                      help="fact hops in the entity's own KG (default: 1)")
    show.add_argument('-k', type=int, default=5)
    show.add_argument('--max-nodes', type=int, default=60,
                      help='cap of the drawing, most relevant first')
    show.add_argument('--filter-known', action='store_true',
                      help='predictions leave out training facts')
    show.add_argument('--out', help='output folder (default: show)')
    show.set_defaults(func=cli_models.show)

    predict = sub.add_parser('predict', help='top-k tails or heads of '
                             'queries given by name, with scores')
    _add_model_options(predict)
    _add_config_options(predict)
    predict.add_argument('--head', help='entity name: predict tails')
    predict.add_argument('--tail', help='entity name: predict heads')
    predict.add_argument('--relation', help='relation name')
    predict.add_argument('--queries', help='TSV file, one query a line: '
                         'head<TAB>relation (tails) or ?<TAB>relation<TAB>'
                         'tail (heads)')
    predict.add_argument('-k', type=int, default=10)
    predict.add_argument('--filter-known', action='store_true',
                         help='leave out answers that are training facts '
                         "(reads the data of the model's run)")
    predict.add_argument('--json', action='store_true',
                         help='JSON instead of a TSV table')
    predict.set_defaults(func=cli_models.predict)

    demo = sub.add_parser('demo', help='run the main job on the embedded '
                          'default dataset')
    demo.add_argument('--seed', type=int, default=0)
    demo.add_argument('--run-dir', default='runs/demo',
                      help='the run folder (default: runs/demo)')
    demo.add_argument('--quiet', action='store_true')
    _add_process_options(demo)
    demo.set_defaults(func=_demo)
    return parser


def _show_warning(message, category, filename, lineno, file=None,
                  line=None) -> None:
    print(f'pyg-kgt: note: {message}', file=sys.stderr)


def main(argv: Optional[List[str]] = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        with warnings.catch_warnings():
            warnings.showwarning = _show_warning
            return args.func(args)
    except (DataFormatError, ConfigError) as e:
        print(f'pyg-kgt: error: {e}', file=sys.stderr)
        return 2
    except DistributedError as e:
        from pyg_kgt.training.distributed import exit_failed_rank
        exit_failed_rank(f'pyg-kgt: distributed training failed: {e}', 3)
    except NonFiniteLossError as e:
        print(f'pyg-kgt: training stopped: {e}', file=sys.stderr)
        return 1
    except KeyboardInterrupt as e:
        detail = f': {e}' if str(e) else ''
        print(f'pyg-kgt: interrupted{detail}', file=sys.stderr)
        return 130


if __name__ == '__main__':  # pragma: no cover
    sys.exit(main())
