"""Why a prediction was made: the linked neighbourhood of an entity as a
:mod:`networkx` graph, drawn (PNG) and written for Gephi or Cytoscape
(GraphML).

The neighbourhood holds the query entity's facts in its own KG (``hops``
out), the source entities the seed alignment joins it to and their facts
(what the teacher transferred), and the top predictions, each node tagged
with its KG and role. Drawings are capped (``max_nodes``, the most relevant
first) so a hub stays readable. networkx is an optional extra
(``pip install 'pyg_kgt[viz]'``); without it the functions say so.
"""
from __future__ import annotations

import math
import os
import warnings
from typing import Any, List, Optional, Sequence, Tuple

import torch

from pyg_kgt.data.multi_source_kg import MultiSourceKG
from pyg_kgt.errors import ConfigError

#: Roles in drawing order of importance (kept first under the cap).
ROLES = ('query', 'prediction', 'aligned', 'neighbour', 'source neighbour')


def _networkx():
    try:
        import networkx
    except ImportError:
        raise ConfigError("show: drawing needs networkx: pip install "
                          "'pyg_kgt[viz]'") from None
    return networkx


def _facts_around(kg: MultiSourceKG, name: str, entities: Sequence[int],
                  relation: Optional[int] = None) -> torch.Tensor:
    r"""Training facts of KG ``name`` touching ``entities`` :obj:`[m, 3]`
    (those of ``relation`` first)."""
    facts = kg[name].train
    ids = torch.tensor(list(entities), dtype=torch.long)
    touch = torch.isin(facts[:, 0], ids) | torch.isin(facts[:, 2], ids)
    found = facts[touch]
    if relation is not None and found.numel():
        found = found[torch.argsort((found[:, 1] != relation).long(),
                                    stable=True)]
    return found


def linked_neighbourhood(kg: MultiSourceKG, name: str, entity: str,
                         relation: Optional[str] = None, hops: int = 1,
                         predictions: Sequence[Tuple[str, float]] = (),
                         max_nodes: int = 60):
    r"""The linked neighbourhood of ``entity`` in KG ``name`` as a
    :class:`networkx.MultiDiGraph`.

    Nodes are ``"<kg>:<entity name>"`` with attributes ``kg``, ``label``
    and ``role`` (one of :data:`ROLES`; predictions also ``rank`` and
    ``score``); edges carry ``relation`` and ``kind`` (``fact``,
    ``same_as``, ``predicted``). Nodes are taken by role (the query, its
    predictions, its aligned source entities, its own neighbours, theirs),
    facts of ``relation`` first, until ``max_nodes``.

    Args:
        kg (MultiSourceKG): The target and its sources with their seed
            alignment.
        name (str): The query entity's KG.
        entity (str): Its name.
        relation (str, optional): The queried relation (its facts first).
        hops (int): Fact hops around the entity in its own KG. (default: 1)
        predictions ([(str, float)]): Top predicted answers of
            ``(entity, relation, ?)`` with scores.
        max_nodes (int): The cap. (default: 60)
    """
    nx = _networkx()
    graph_kg = kg[name]
    ids = {n: i for i, n in enumerate(graph_kg.entity_names)}
    if entity not in ids:
        raise ConfigError(f"--entity: '{entity}' is not an entity of "
                          f"'{name}'")
    rel_id = None
    if relation is not None:
        if relation not in graph_kg.relation_names:
            raise ConfigError(f"--relation: '{relation}' is not a relation "
                              f"of '{name}'")
        rel_id = graph_kg.relation_names.index(relation)
    graph = nx.MultiDiGraph(query=f'{name}:{entity}',
                            relation=relation or '')
    budget = [max_nodes]

    def node(kg_name: str, index: int, role: str, **extra) -> Optional[str]:
        key = f'{kg_name}:{kg[kg_name].entity_names[index]}'
        if key in graph:
            return key
        if budget[0] <= 0:
            return None
        budget[0] -= 1
        graph.add_node(key, kg=kg_name, role=role,
                       label=kg[kg_name].entity_names[index], **extra)
        return key

    def facts(kg_name: str, around: List[int], role: str,
              first: Optional[int]) -> List[int]:
        reached = []
        names = kg[kg_name].relation_names
        for h, r, t in _facts_around(kg, kg_name, around, first).tolist():
            a, b = node(kg_name, h, role), node(kg_name, t, role)
            if a is None or b is None:
                continue
            graph.add_edge(a, b, relation=names[r], kind='fact')
            reached += [h, t]
        return reached

    query = node(name, ids[entity], 'query')
    for rank, (answer, score) in enumerate(predictions, 1):
        target = node(name, ids[answer], 'prediction', rank=rank,
                      score=float(score))
        if target is not None:
            graph.add_edge(query, target, relation=relation or '',
                           kind='predicted')
    aligned: List[Tuple[str, int]] = []
    for other in kg.names:
        links = kg.links(name, other) if other != name else None
        if links is None:
            continue
        for split in (links.train, links.test):
            rows = split[split[:, 0] == ids[entity]]
            for partner in rows[:, 1].tolist():
                key = node(other, partner, 'aligned')
                if key is not None:
                    graph.add_edge(query, key, relation='same_as',
                                   kind='same_as')
                    aligned.append((other, partner))
    frontier = [ids[entity]]
    for _ in range(max(hops, 0)):
        frontier = sorted(set(facts(name, frontier, 'neighbour', rel_id)))
    for other, partner in aligned:
        facts(other, [partner], 'source neighbour', None)
    return graph


def write_graphml(graph, path: str) -> str:
    r"""Writes ``graph`` as GraphML (Gephi, Cytoscape); returns ``path``."""
    nx = _networkx()
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    nx.write_graphml(graph, path)
    return path


def draw_neighbourhood(graph, path: str, title: Optional[str] = None) -> str:
    r"""Draws ``graph`` as a PNG: one colour per KG, the query as a large
    node, predictions ringed and ranked, alignment edges dashed, predicted
    edges dotted; a spring layout seeded for the same picture every time
    (matplotlib Figure, no pyplot state)."""
    nx = _networkx()
    from pyg_kgt.plots import new_figure, save_figure
    fig = new_figure(figsize=(12, 9), dpi=120)
    ax = fig.subplots()
    position = _layout(nx, graph)
    kgs = sorted({d['kg'] for _, d in graph.nodes(data=True)})
    palette = ['tab:blue', 'tab:orange', 'tab:green', 'tab:purple',
               'tab:brown', 'tab:pink', 'tab:olive', 'tab:cyan']
    colour = {k: palette[i % len(palette)] for i, k in enumerate(kgs)}
    for kind, style in (('fact', 'solid'), ('same_as', 'dashed'),
                        ('predicted', 'dotted')):
        edges = [(u, v) for u, v, d in graph.edges(data=True)
                 if d['kind'] == kind]
        nx.draw_networkx_edges(graph, position, edgelist=edges, ax=ax,
                               style=style, alpha=0.6, arrows=True,
                               edge_color='tab:red' if kind == 'predicted'
                               else 'grey', arrowsize=8)
    for kg_name in kgs:
        nodes = [n for n, d in graph.nodes(data=True) if d['kg'] == kg_name]
        sizes = [900 if graph.nodes[n]['role'] == 'query' else 260
                 for n in nodes]
        edge = ['tab:red' if graph.nodes[n]['role'] == 'prediction' else
                'black' for n in nodes]
        nx.draw_networkx_nodes(graph, position, nodelist=nodes, ax=ax,
                               node_color=colour[kg_name], node_size=sizes,
                               edgecolors=edge, linewidths=2.0,
                               label=kg_name)
    labels = {n: _short(d['label']) + (f" #{d['rank']}" if 'rank' in d
                                       else '')
              for n, d in graph.nodes(data=True)}
    nx.draw_networkx_labels(graph, position, labels, ax=ax, font_size=7)
    # Every fact's relation when few enough to read, else the query's own.
    few = graph.number_of_edges() <= 40
    edge_labels = {(u, v): _short(d['relation'])
                   for u, v, d in graph.edges(data=True)
                   if d['kind'] == 'fact' and (few or graph.nodes[u]['role']
                                               in ('query', 'prediction'))}
    nx.draw_networkx_edge_labels(graph, position, edge_labels, ax=ax,
                                 font_size=6)
    ax.legend(loc='upper left', fontsize=8, markerscale=0.5)
    ax.set_title(title or graph.graph.get('query', ''))
    ax.set_axis_off()
    with warnings.catch_warnings():  # scripts the font lacks draw as boxes
        warnings.filterwarnings('ignore', message='Glyph .* missing')
        save_figure(fig, path)
    return path


def _layout(nx, graph) -> dict:
    r"""Positions: the query at the centre, its predictions above, its own
    neighbours on the left, each aligned source entity in its own sector on
    the right with its neighbours around it; then a seeded spring layout
    relaxes all but the query, the predictions and the aligned entities
    (the same picture every time)."""
    query = next(n for n, d in graph.nodes(data=True)
                 if d['role'] == 'query')
    start = {query: (0.0, 0.0)}
    by_role = {}
    for n, d in graph.nodes(data=True):
        by_role.setdefault(d['role'], []).append(n)

    def ring(nodes, radius, low, high, centre=(0.0, 0.0)):
        for i, n in enumerate(nodes):
            angle = low + (high - low) * (i + 0.5) / max(len(nodes), 1)
            start.setdefault(n, (centre[0] + radius * math.cos(angle),
                                 centre[1] + radius * math.sin(angle)))
    ring(by_role.get('prediction', []), 1.4, math.pi / 5, 4 * math.pi / 5)
    ring(by_role.get('neighbour', []), 1.0, math.pi * 0.6, math.pi * 1.4)
    aligned = by_role.get('aligned', [])
    ring(aligned, 2.0, -math.pi * 0.45, math.pi * 0.3)
    for anchor in aligned:
        around = [v for v in graph.successors(anchor)
                  if graph.nodes[v]['role'] == 'source neighbour'] + [
            u for u in graph.predecessors(anchor)
            if graph.nodes[u]['role'] == 'source neighbour']
        ring(around, 0.8, 0.0, 2 * math.pi, start[anchor])
    ring([n for n in graph if n not in start], 2.6, 0.0, 2 * math.pi)
    anchors = [query] + by_role.get('prediction', []) + aligned
    return nx.spring_layout(graph, pos=start, fixed=anchors, seed=0,
                            k=1.5 / max(1, len(graph) ** 0.5),
                            iterations=8)


def _short(name: Any, width: int = 28) -> str:
    text = str(name).rstrip('/').rsplit('/', 1)[-1]
    return text if len(text) <= width else text[:width - 1] + '…'
