import torch

from pyg_kgt.nn.encoders import RGCNEncoder


def test_encoder_shapes_messages_and_repr():
    edge_index = torch.tensor([[0, 1, 2], [1, 2, 0]])
    edge_type = torch.tensor([0, 1, 0])
    encoder = RGCNEncoder(3, 8, num_relations=2, num_layers=2, num_bases=2,
                          add_inverse=True)
    out, messages = encoder(edge_index, edge_type, return_messages=True)
    assert out.shape == (3, 8) and len(messages) == 2
    assert messages[-1].out.shape == (3, 8)
    assert torch.equal(out, messages[-1].out)  # no activation at the end
    assert repr(encoder) == ('RGCNEncoder(3, 8, num_relations=2, '
                             'num_layers=2, num_bases=2)')
    before = encoder.embedding.weight.detach().clone()
    encoder.reset_parameters()
    assert not torch.equal(before, encoder.embedding.weight)


def test_encoder_with_input_features_and_zero_layers():
    edge_index = torch.tensor([[0, 1], [1, 0]])
    edge_type = torch.tensor([0, 0])
    encoder = RGCNEncoder(2, 4, num_relations=1, num_layers=1, in_channels=6)
    assert encoder.embedding is None
    assert encoder(edge_index, edge_type, x=torch.randn(2, 6)).shape == (2, 4)
    plain = RGCNEncoder(5, 4, num_relations=1, num_layers=0)
    assert torch.equal(plain(edge_index, edge_type), plain.embedding.weight)
