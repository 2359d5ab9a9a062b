"""Where an epoch of teacher pre-training spends its time.

Builds the teacher of the benchmark budget (:mod:`benchmarks.budget`) on a
graph and times the phases of ``--steps`` training steps, each bracketed
on its own (medians; steps per epoch from the budget's batch size):

* encoder forward, and its backward (the gradient of the embeddings pushed
  through the layers on its own);
* 1-N scoring forward (both directions), the loss forward, and their
  backward down to the embeddings;
* the alignment loss (forward and backward);
* the optimiser step.

``--conv-method grouped --no-reuse-memory`` is the "before" (the
per-relation message path, freed memory returned to the system every
step); the default is the layer's own choice with
``training.reuse_memory``. ``--full-epoch`` also
times one real epoch of :func:`pyg_kgt.training.fit.fit`.

    python -m benchmarks.bench_epoch --graph dbp5l-4
    python -m benchmarks.bench_epoch --graph product --full-epoch
    python -m benchmarks.bench_epoch --graph dbp5l-4 --conv-method grouped
"""
from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from typing import Callable, Dict, List

from benchmarks.bench_conv import DBP5L_SOURCES
from benchmarks.budget import Budget
from benchmarks.results import default_data, run_worker

PHASES = ('encoder_forward', 'scoring_forward', 'loss_forward',
          'alignment_loss', 'scoring_loss_backward', 'encoder_backward',
          'optimizer')


def load_kg(graph: str, data: str):
    r"""The multi-source KG of ``graph`` (``product`` or ``dbp5l-4/5``)."""
    if graph == 'product':
        from pyg_kgt.data import make_product_multi_source_kg
        return make_product_multi_source_kg()
    from benchmarks.results import dbp5l_root
    from pyg_kgt.data import read_dbp5l
    return read_dbp5l(dbp5l_root(data), languages=DBP5L_SOURCES[graph])


def build_teacher(kg, conv_method: str, budget: Budget):
    from pyg_kgt.models import JointTeacher, JointTeacherConfig, ModelConfig
    teacher = JointTeacher(JointTeacherConfig(
        model=ModelConfig(hidden_channels=budget.teacher_dim)))
    teacher.build(kg)
    for conv in teacher.model.encoder.convs:
        conv.method = conv_method
    return teacher


def time_phases(teacher, kg, steps: int, budget: Budget,
                precision: str = 'fp32') -> Dict[str, List[float]]:
    r"""Seconds of each phase (:data:`PHASES`) in ``steps`` steps (under
    bfloat16 autocast with ``precision="bf16"``, as fit runs them)."""
    import torch

    from pyg_kgt.models.teacher.joint_teacher import triple_groups
    from pyg_kgt.nn.losses import OneToNCrossEntropyLoss
    from pyg_kgt.training.config import TrainingConfig
    model, graph = teacher.model, teacher.graph
    training = TrainingConfig(batch_size=budget.teacher_batch_size,
                              lr=budget.teacher_lr)
    optimizer = torch.optim.Adam(model.parameters(), lr=training.lr)
    groups = triple_groups(graph, kg)
    pairs = graph.alignment_pairs
    loss_fn = OneToNCrossEntropyLoss(training.label_smoothing)
    adjacency = teacher.adjacency
    times: Dict[str, List[float]] = {phase: [] for phase in PHASES}
    generator = torch.Generator().manual_seed(0)

    def timed(phase: str, fn: Callable):
        began = time.perf_counter()
        out = fn()
        times[phase].append(time.perf_counter() - began)
        return out

    model.train()
    autocast = torch.autocast('cpu', dtype=torch.bfloat16,
                              enabled=precision == 'bf16')
    for step in range(steps + 1):  # the first is a warm-up
        with autocast:
            group = groups[step % len(groups)]
            batch = group.triples[torch.randint(len(group), (
                training.batch_size,), generator=generator)]
            h, r, t = batch[:, 0], batch[:, 1], batch[:, 2]
            optimizer.zero_grad()
            encoded = timed('encoder_forward',
                            lambda: model.encoder(adjacency))
            emb = encoded.detach().requires_grad_()
            pool = emb[group.candidates]
            tails, heads = timed('scoring_forward', lambda: (
                model.decoder.score_tails(emb[h], r, pool),
                model.decoder.score_heads(r, emb[t], pool)))
            loss = timed('loss_forward', lambda: (
                loss_fn(tails, group.position[t]) +
                loss_fn(heads, group.position[h])) / 2)
            timed('scoring_loss_backward', loss.backward)

            def alignment():
                diff = emb[pairs[:, 0]] - emb[pairs[:, 1]]
                diff.pow(2).sum(-1).mean().backward()
            timed('alignment_loss', alignment)
            timed('encoder_backward', lambda: encoded.backward(emb.grad))
            timed('optimizer', optimizer.step)
            if step == 0:
                for phase in PHASES:
                    times[phase].clear()
    return times


def epoch_worker(args) -> dict:
    import torch

    from pyg_kgt.models.teacher.joint_teacher import triple_groups
    from pyg_kgt.training.config import TrainingConfig
    from pyg_kgt.training.fit import fit
    budget = Budget()
    if args.reuse_memory:
        from pyg_kgt.runtime import reuse_freed_memory
        reuse_freed_memory()
    kg = load_kg(args.graph, args.data)
    teacher = build_teacher(kg, args.conv_method, budget)
    groups = triple_groups(teacher.graph, kg)
    steps_per_epoch = sum(-(-len(g) // budget.teacher_batch_size)
                          for g in groups)
    times = time_phases(teacher, kg, args.steps, budget, args.precision)
    phases = {phase: statistics.median(v) for phase, v in times.items()}
    out = {'phases_s': phases, 'step_s': sum(phases.values()),
           'steps_per_epoch': steps_per_epoch,
           'epoch_estimate_s': sum(phases.values()) * steps_per_epoch,
           'path': teacher.model.encoder.convs[0].message_method(
               teacher.adjacency),
           'threads': torch.get_num_threads(),
           'graph': {'nodes': teacher.graph.num_nodes,
                     'edges': teacher.graph.edge_index.size(1),
                     'relations': teacher.graph.num_message_relations}}
    if args.full_epoch:
        teacher = build_teacher(kg, args.conv_method, budget)
        began = time.perf_counter()
        fit(teacher.model, teacher.adjacency, groups, TrainingConfig(
            epochs=1, batch_size=budget.teacher_batch_size,
            lr=budget.teacher_lr, reuse_memory=args.reuse_memory,
            precision=args.precision))
        out['full_epoch_s'] = time.perf_counter() - began
    return out


def worker(argv: List[str]) -> dict:
    out = run_worker([sys.executable, '-m', 'benchmarks.bench_epoch', *argv])
    if 'error' in out:
        raise SystemExit(f"worker {argv} failed: {out['error']}")
    return out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument('--graph', choices=('product', 'dbp5l-4',
                                            'dbp5l-5'), default='dbp5l-4')
    parser.add_argument('--data', default=default_data())
    parser.add_argument('--steps', type=int, default=5)
    parser.add_argument('--conv-method', default='auto',
                        choices=('auto', 'grouped', 'basis'))
    parser.add_argument('--full-epoch', action='store_true')
    parser.add_argument('--no-reuse-memory', dest='reuse_memory',
                        action='store_false')
    parser.add_argument('--precision', default='fp32',
                        choices=['fp32', 'bf16'])
    parser.add_argument('--no-write', action='store_true')
    parser.add_argument('--render-only', action='store_true')
    parser.add_argument('--worker')
    args = parser.parse_args()
    if args.render_only:
        render()
        return
    if args.worker == 'epoch':
        print(json.dumps(epoch_worker(args)))
        return

    from benchmarks.results import append_records, make_record
    config = {'graph': args.graph, 'conv_method': args.conv_method,
              'reuse_memory': args.reuse_memory,
              'precision': args.precision,
              'steps': args.steps, 'budget': 'benchmarks.budget.Budget',
              'teacher_dim': Budget.teacher_dim,
              'batch_size': Budget.teacher_batch_size}
    began = time.perf_counter()
    argv = ['--worker', 'epoch', f'--graph={args.graph}',
            f'--data={args.data}', f'--steps={args.steps}',
            f'--conv-method={args.conv_method}',
            f'--precision={args.precision}']
    argv += [] if args.reuse_memory else ['--no-reuse-memory']
    out = worker(argv + (['--full-epoch'] if args.full_epoch else []))
    print(json.dumps(out, indent=1), flush=True)
    method = f'teacher_{args.conv_method}' + (
        '' if args.reuse_memory else '_no_reuse_memory') + (
        '_bf16' if args.precision == 'bf16' else '')
    if not args.no_write:
        append_records('epoch', [make_record(
            'epoch', args.graph, method, out, time.perf_counter() - began,
            config)])
        render()


def render() -> None:
    r"""Writes ``epoch.md`` from the newest records."""
    from benchmarks.results import newest_records, write_markdown
    rows = []
    for r in newest_records('epoch'):
        m = r['metrics']
        rows.append([r['dataset'], r['method'], m['path'],
                     *(f"{m['phases_s'][p]:.3f}" for p in PHASES),
                     f"{m['step_s']:.2f}", m['steps_per_epoch'],
                     f"{m.get('full_epoch_s', float('nan')):.0f}"])
    hardware = sorted({r['hardware'] for r in newest_records('epoch')})
    write_markdown('epoch', ['graph', 'run', 'conv path', *PHASES,
                             'step s', 'steps/epoch', 'epoch s (timed)'],
                   rows, notes=(
                       'Seconds per teacher training step by phase (median '
                       'of the steps after a warm-up), at the benchmark '
                       'budget (benchmarks/budget.py: width 200, 4 bases, '
                       '1 layer, batch 4096, 1-N both directions); "epoch '
                       's" is one real epoch of `fit` timed in the same '
                       'process. `teacher_grouped_no_reuse_memory` is the '
                       'code before the encoder work (per-relation path, '
                       f'memory returned every step). {", ".join(hardware)}.'
                   ))


if __name__ == '__main__':
    main()
