r"""Warm start: a student that begins where the teacher is.

The teacher side (:func:`teacher_parameters`) is stored in the
:class:`~pyg_kgt.models.TeacherCache`; the student side
(:func:`warm_start`) writes it into a freshly built
:class:`~pyg_kgt.models.student.student_network.StudentNetwork`:

* the input embedding of every student node with a teacher node (the linked
  source nodes, and the target entities aligned to one) is the teacher's,
  :math:`\mathbf{e}^S_v = \mathbf{P}^\top \mathbf{e}^T_{\tau(v)}`;
* each convolution layer takes the teacher layer's bases, root and bias,
  :math:`\mathbf{V}^S_b = \mathbf{P}^\top \mathbf{V}^T_b \mathbf{P}`, and
  the basis coefficients of the teacher's counterpart of each edge type
  (fact relations matched by name, their inverses, ``same_as``);
* the decoder takes the teacher's relation parameters (equal widths only),
* a layer beyond the teacher's depth starts as the identity on its input
  (root :math:`\mathbf{I}`, relation weights and bias zero; their basis
  vectors keep their initialisation so the coefficients still learn),
* the distillation projections start at :math:`\mathbf{P}^\top`, so the
  distillation losses start from what the warm start already gives.

:math:`\mathbf{P}` :obj:`[d_T, d_S]` is the identity when the widths agree;
otherwise the top :math:`d_S` principal directions of the teacher's linked
input embeddings (or the identity padded with zeros when the student is
wider). Everything the teacher has no counterpart for keeps its fresh
initialisation: relations the teacher never trained on, the weights of a
layer whose decomposition differs from the teacher's and, unless
``fill_unaligned`` asks otherwise, unaligned target entities. Filled
(:func:`fill_from_neighbours`), an entity without a teacher node starts
at the mean input embedding of its started neighbours,
:math:`\mathbf{e}^S_v = \frac{1}{|\mathcal{N}_0(v)|}
\sum_{u \in \mathcal{N}_0(v)} \mathbf{e}^S_u`, round after round
until no further entity is reached, so that it enters training in the
teacher's space instead of near zero (measured worse at one layer, where
the warm layer's messages already do this; see
:class:`~pyg_kgt.models.LocalStudentConfig`).
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any, Dict, List, Optional

import torch
from torch import Tensor
from torch.nn import Linear
from torch_geometric.utils import scatter

from pyg_kgt.data.homogeneous_view import HomogeneousView
from pyg_kgt.models.student.student_network import StudentNetwork

if TYPE_CHECKING:  # pragma: no cover
    from pyg_kgt.models.teacher.joint_teacher import JointTeacher

_CONV_TENSORS = ('weight', 'comp', 'root', 'bias')


@torch.no_grad()
def teacher_parameters(teacher: 'JointTeacher', teacher_nodes: Tensor,
                       relation_map: Tensor) -> Dict[str, Any]:
    r"""What a warm start needs from ``teacher`` (CPU tensors): the input
    embeddings of ``teacher_nodes`` :obj:`[n]` (the cache's linked nodes'
    teacher nodes), ``relation_map`` :obj:`[R]` (each linked-graph fact
    relation's teacher relation or :math:`-1`), the teacher's relation
    count and ``same_as`` edge type, each layer's weights and the
    decoder's relation parameters."""
    model = teacher.model
    graph = teacher.graph
    num_relations = graph.num_relations
    same_as = 2 * num_relations if (graph.num_message_relations ==
                                    2 * num_relations + 1) else -1
    convs = [{name: getattr(conv, name).detach().cpu().clone()
              for name in _CONV_TENSORS if getattr(conv, name) is not None}
             for conv in model.encoder.convs]
    return {'inputs': model.encoder.embedding.weight[
                teacher_nodes.to(model.encoder.embedding.weight.device)
            ].detach().float().cpu(),
            'relation_map': relation_map.clone(),
            'num_relations': num_relations, 'same_as': same_as,
            'convs': convs,
            'relations': model.decoder.relation_embedding.weight.detach()
            .float().cpu().clone()}


def projection(inputs: Tensor, channels: int) -> Optional[Tensor]:
    r""":math:`\mathbf{P}` :obj:`[d_T, channels]` (see the module
    docstring), :obj:`None` for the identity."""
    width = inputs.size(1)
    if channels == width:
        return None
    if channels > width:
        return torch.eye(width, channels)
    centred = inputs - inputs.mean(dim=0)
    return torch.linalg.svd(centred, full_matrices=False).Vh[:channels].t()


def message_type_map(state: Dict[str, Any], view: HomogeneousView) -> Tensor:
    r"""The teacher's edge type of each of the student's :obj:`[T]`
    (:math:`-1` where none): a fact relation's counterpart, an inverse
    type its counterpart's inverse, and ``same_as`` to ``same_as``."""
    relation = state['relation_map']
    num_facts = view.num_fact_relations
    out = torch.full((view.num_relations,), -1, dtype=torch.long)
    out[:num_facts] = relation
    if view.num_relations >= 2 * num_facts:
        out[num_facts:2 * num_facts] = torch.where(
            relation >= 0, relation + state['num_relations'], relation)
    if view.same_as_relation >= 0:
        out[view.same_as_relation] = state['same_as']
    return out


def _warm_conv(conv, teacher: Dict[str, Tensor], types: Tensor,
               p: Optional[Tensor]) -> bool:
    r"""Copies one teacher layer into ``conv`` (projected by ``p``); False
    (nothing copied) when their decompositions differ."""
    weight = teacher['weight']
    has_bases = 'comp' in teacher
    if has_bases != (conv.comp is not None) or (
            conv.weight.dim() != weight.dim()) or (
            p is not None and not has_bases):
        return False
    if has_bases and conv.comp.size(1) != teacher['comp'].size(1):
        return False

    def square(w: Tensor) -> Tensor:  # P^T W P over the last two dims
        return w if p is None else p.t() @ w @ p
    mapped = torch.nonzero(types >= 0).view(-1)
    if has_bases:
        conv.weight.copy_(square(weight))
        conv.comp[mapped] = teacher['comp'][types[mapped]]
    else:
        conv.weight[mapped] = weight[types[mapped]]
    if conv.root is not None and 'root' in teacher:
        conv.root.copy_(square(teacher['root']))
    if conv.bias is not None and 'bias' in teacher:
        conv.bias.copy_(teacher['bias'] if p is None else
                        teacher['bias'] @ p)
    return True


@torch.no_grad()
def warm_start(model: StudentNetwork, state: Dict[str, Any],
               linked_nodes: Tensor, view: HomogeneousView,
               fill_unaligned: bool = False) -> Dict[str, int]:
    r"""Writes the teacher's ``state`` (:func:`teacher_parameters`) into
    ``model``, whose node ids follow ``view``; ``linked_nodes`` :obj:`[n]`
    are the student nodes of ``state['inputs']``' rows; with
    ``fill_unaligned`` every other node reachable from them starts at its
    started neighbours' mean (:func:`fill_from_neighbours`).

    Returns:
        What was copied: ``nodes``, ``layers``, ``edge_types`` (student
        edge types with a teacher counterpart) and ``relations`` (decoder
        rows), ``identity_layers`` (layers beyond the teacher's depth
        started as the identity) and ``filled`` (nodes started from their
        neighbours), for the run's log.
    """
    encoder = model.encoder
    inputs = state['inputs']
    p = projection(inputs, encoder.hidden_channels)
    encoder.embedding.weight[linked_nodes] = (
        inputs if p is None else inputs @ p)
    filled = 0
    if fill_unaligned:
        started = torch.zeros(view.num_nodes, dtype=torch.bool)
        started[linked_nodes] = True
        filled = fill_from_neighbours(encoder.embedding.weight, started,
                                      view.edge_index)
    types = message_type_map(state, view)
    layers = sum(_warm_conv(conv, teacher, types, p) for conv, teacher in
                 zip(encoder.convs, state['convs']))
    identity = sum(_identity_conv(conv) for conv in
                   list(encoder.convs)[len(state['convs']):])
    relations = state['relation_map']
    mapped = torch.nonzero(relations >= 0).view(-1)
    rows = model.decoder.relation_embedding.weight
    copied = 0
    if rows.size(1) == state['relations'].size(1):
        rows[mapped] = state['relations'][relations[mapped]]
        copied = int(mapped.numel())
    if p is not None:
        for head in _projections(model):
            head.weight.copy_(p)
    return {'nodes': int(linked_nodes.numel()), 'layers': int(layers),
            'edge_types': int((types >= 0).sum()), 'relations': copied,
            'identity_layers': int(identity), 'filled': filled}


@torch.no_grad()
def fill_from_neighbours(weight: Tensor, started: Tensor,
                         edge_index: Tensor) -> int:
    r"""Starts each row of ``weight`` :obj:`[N, d]` that is not
    ``started`` :obj:`[N]` at the mean of the started rows its edges
    ``edge_index`` :obj:`[2, E]` come from (a neighbour joined by two
    edges counts twice), in rounds: a row filled in one round counts as
    started in the next, until a round reaches no new row. Rows never
    reached keep their values. Returns the number of rows filled."""
    source, target = edge_index
    started = started.clone()
    filled = 0
    while True:
        usable = started[source] & ~started[target]
        if not usable.any():
            return filled
        into = target[usable]
        reached = into.unique()
        weight[reached] = scatter(weight[source[usable]], into, 0,
                                  weight.size(0), reduce='mean')[reached]
        started[reached] = True
        filled += int(reached.numel())


def _identity_conv(conv) -> bool:
    r"""Makes ``conv`` the identity on its input: root :math:`\mathbf{I}`,
    relation weights (their basis coefficients) and bias zero; False when
    it has no square root weight."""
    root = conv.root
    if root is None or root.size(0) != root.size(1):
        return False
    root.copy_(torch.eye(root.size(0)))
    (conv.comp if conv.comp is not None else conv.weight).zero_()
    if conv.bias is not None:
        conv.bias.zero_()
    return True


def _projections(model: StudentNetwork) -> List[Linear]:
    r"""The distillation heads' student-to-teacher projections."""
    return [m.projection for m in model.distillation.modules()
            if isinstance(getattr(m, 'projection', None), Linear)]
