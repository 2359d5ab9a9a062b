"""Command line interface: ``pyg-kgt`` / ``python -m pyg_kgt``.

Thin by design: each subcommand parses its arguments and calls the library.
Bad input ends with one line on stderr and exit code 2.
"""
from __future__ import annotations

import argparse
import json
import sys
from typing import List, Optional

from pyg_kgt.errors import ConfigError, DataFormatError


def _stats(args: argparse.Namespace) -> int:
    from pyg_kgt.data.readers import read_multi_source
    kwargs = {}
    if args.alignment_split is not None:
        kwargs['alignment_split'] = args.alignment_split
    kg = read_multi_source(args.path, args.format, **kwargs)
    print(json.dumps(kg.statistics(), indent=None if args.compact else 2))
    return 0


def _demo(args: argparse.Namespace) -> int:
    from pyg_kgt.demo import run_demo
    run_demo(seed=args.seed, quiet=args.quiet)
    return 0


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
    stats.add_argument('--alignment-split', choices=['kens', 'jmac'],
                       help='DBP-5L only: which seed alignment split')
    stats.add_argument('--compact', action='store_true',
                       help='one-line JSON')
    stats.set_defaults(func=_stats)

    demo = sub.add_parser('demo', help='run the main job on the embedded '
                          'default dataset')
    demo.add_argument('--seed', type=int, default=0)
    demo.add_argument('--quiet', action='store_true')
    demo.set_defaults(func=_demo)
    return parser


def main(argv: Optional[List[str]] = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except (DataFormatError, ConfigError) as e:
        print(f'pyg-kgt: error: {e}', file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print('pyg-kgt: interrupted', file=sys.stderr)
        return 130


if __name__ == '__main__':  # pragma: no cover
    sys.exit(main())
