import random

import pytest
import torch

from pyg_kgt.evaluation import (FilterIndex, RankBasedEvaluator,
                                evaluate_link_prediction, realistic_ranks)


def brute_force(scores, triples, protocol, known):
    r"""Pure-Python filtered, tie-aware ranking, written from the
    definitions only."""
    filter_sets = {'filtered': known['train'] + known['val'] + known['test'],
                   'lifted': known['train'],
                   'lifted_trainval': known['train'] + known['val']}[protocol]
    filter_set = {tuple(t) for t in filter_sets}
    sides = ('head', 'tail') if protocol == 'filtered' else ('tail',)
    ranks = []
    for side in sides:
        for h, r, t in triples:
            query, answer = (h, t) if side == 'tail' else (t, h)
            row = scores[side][(query, r)]
            true = row[answer]
            better = equal = 0
            for e, s in enumerate(row):
                cand = (h, r, e) if side == 'tail' else (e, r, t)
                if e != answer and cand in filter_set:
                    continue
                better += s > true
                equal += s == true  # includes the answer itself
            ranks.append(1 + better + (equal - 1) / 2)
    return ranks


@pytest.mark.parametrize('protocol', ['filtered', 'lifted',
                                      'lifted_trainval'])
@pytest.mark.parametrize('seed', [0, 1, 2])
def test_ranks_equal_brute_force_with_ties(protocol, seed):
    rng = random.Random(seed)
    n, num_rel = 9, 2
    all_triples = sorted({(rng.randrange(n), rng.randrange(num_rel),
                           rng.randrange(n)) for _ in range(40)})
    rng.shuffle(all_triples)
    known = {'train': all_triples[:20], 'val': all_triples[20:25],
             'test': all_triples[25:]}
    # Integer scores from a small range: many ties.
    scores = {side: {(q, r): [rng.randrange(4) for _ in range(n)]
                     for q in range(n) for r in range(num_rel)}
              for side in ('head', 'tail')}

    def scorer(entity, relation, side):
        return torch.tensor([scores[side][(int(e), int(r))]
                             for e, r in zip(entity, relation)],
                            dtype=torch.float)

    tensors = {k: torch.tensor(v) for k, v in known.items()}
    result = evaluate_link_prediction(scorer, tensors['test'], protocol,
                                      tensors, num_rel, batch_size=4)
    expected = brute_force(scores, known['test'], protocol, known)
    mrr = sum(1 / r for r in expected) / len(expected)
    hits1 = sum(r <= 1 for r in expected) / len(expected)
    hits3 = sum(r <= 3 for r in expected) / len(expected)
    assert result['metrics']['mrr'] == pytest.approx(mrr)
    assert result['metrics']['hits1'] == pytest.approx(hits1)
    assert result['metrics']['hits3'] == pytest.approx(hits3)
    assert result['metrics']['mr'] == pytest.approx(
        sum(expected) / len(expected))
    assert result['protocol'] == protocol
    assert result['filter'] == {'filtered': 'train+val+test',
                                'lifted': 'train',
                                'lifted_trainval': 'train+val'}[protocol]
    assert result['num_queries'] == len(expected)


def test_lifted_trainval_by_hand():
    # One query (0, r0, ?) with test answer 3. Scores of entities 0..4:
    # 2 outranks it but is a validation tail (filtered by lifted_trainval,
    # not by lifted); 1 is a training tail (filtered by both); 4 ties
    # with the answer (never filtered): realistic rank = mean(1, 2) = 1.5
    # under lifted_trainval and mean(2, 3) = 2.5 under lifted.
    known = {'train': torch.tensor([[0, 0, 1]]),
             'val': torch.tensor([[0, 0, 2]]),
             'test': torch.tensor([[0, 0, 3]])}
    row = torch.tensor([0.0, 9.0, 8.0, 5.0, 5.0])

    def scorer(entity, relation, side):
        assert side == 'tail'  # both lifted protocols rank tails only
        return row.expand(entity.numel(), -1)

    ranks = {}
    for protocol in ('lifted', 'lifted_trainval'):
        result = evaluate_link_prediction(scorer, known['test'], protocol,
                                          known, num_relations=1)
        ranks[protocol] = 1 / result['metrics']['mrr']
        assert result['sides'] == ['tail']
    assert ranks == {'lifted': 2.5, 'lifted_trainval': 1.5}


def test_default_protocols_are_every_protocol():
    from pyg_kgt.evaluation import DEFAULT_PROTOCOLS, PROTOCOLS
    assert DEFAULT_PROTOCOLS == ('filtered', 'lifted', 'lifted_trainval')
    assert set(DEFAULT_PROTOCOLS) == set(PROTOCOLS)


def test_realistic_rank_of_all_ties_is_the_middle():
    scores = torch.zeros(1, 5)
    assert realistic_ranks(scores, torch.tensor([2])).item() == 3.0
    scores = torch.tensor([[1.0, 3.0, 3.0, 0.0]])
    # Filtering the other tied candidate leaves rank 1.
    rank = realistic_ranks(scores, torch.tensor([1]),
                           (torch.tensor([0, 0]), torch.tensor([2, 1])))
    assert rank.item() == 1.0
    with pytest.raises(ValueError, match='NaN'):
        realistic_ranks(torch.tensor([[float('nan'), 1.0]]),
                        torch.tensor([0]))
    # A NaN candidate never outranks the true one.
    assert realistic_ranks(torch.tensor([[float('nan'), 1.0]]),
                           torch.tensor([1])).item() == 1.0


def test_chunked_counting_equals_one_pass():
    torch.manual_seed(0)
    scores = torch.randint(0, 5, (300, 4000)).float()
    target = torch.randint(0, 4000, (300,))
    true = scores[torch.arange(300), target][:, None]
    expected = (1 + (scores > true).sum(1) + (scores >= true).sum(1)) / 2
    assert torch.equal(realistic_ranks(scores, target), expected.double())


def test_filter_index_lookup_is_vectorised_csr():
    triples = torch.tensor([[0, 0, 1], [0, 0, 2], [0, 0, 2], [1, 1, 0]])
    index = FilterIndex(triples, num_relations=2)
    assert len(index) == 3  # duplicate collapsed
    row, answer = index.lookup(torch.tensor([0, 5, 1]),
                               torch.tensor([0, 0, 1]))
    assert row.tolist() == [0, 0, 2] and answer.tolist() == [1, 2, 0]
    heads = FilterIndex(triples, 2, side='head')
    row, answer = heads.lookup(torch.tensor([2]), torch.tensor([0]))
    assert answer.tolist() == [0]
    # Which candidates of each query are known answers.
    known = index.contains(torch.tensor([0, 5, 1]), torch.tensor([0, 0, 1]),
                           torch.tensor([[2, 3, 1], [1, 2, 0], [0, 0, 4]]))
    assert known.tolist() == [[True, False, True], [False, False, False],
                              [True, True, False]]


def test_evaluator_sides_and_errors():
    evaluator = RankBasedEvaluator(ks=(1,))
    with pytest.raises(RuntimeError):
        evaluator.compute()
    evaluator.update(torch.tensor([[1.0, 0.0]]), torch.tensor([0]),
                     side='tail')
    evaluator.update(torch.tensor([[1.0, 0.0]]), torch.tensor([1]),
                     side='head')
    out = evaluator.compute()
    assert out['tail']['mrr'] == 1.0 and out['head']['mrr'] == 0.5
    assert out['both']['mrr'] == 0.75 and out['both']['num_ranks'] == 2
    with pytest.raises(ValueError, match='unknown protocol'):
        evaluate_link_prediction(lambda *a: None, torch.zeros(1, 3).long(),
                                 'raw', {}, 1)
