"""The SASRec module: causality, padding, attention mask and the text-fusion item vectors."""

from __future__ import annotations

import torch

from recmind.rec.sequential.model import SASRec, attention_mask, last_states


def module(text: torch.Tensor | None = None, known: torch.Tensor | None = None) -> SASRec:
    torch.manual_seed(0)
    model = SASRec(
        12, max_len=8, hidden=16, blocks=2, heads=2, ff_mult=2, dropout=0.1, text=text, known=known
    )
    return model.eval()


def test_attention_mask_is_causal_and_never_empty() -> None:
    real = torch.tensor([[False, True, True], [True, True, True]])
    mask = attention_mask(real)[:, 0]
    assert mask.any(-1).all()  # every row sees at least itself
    assert not mask[0, 0, 1] and not mask[0, 2, 0]  # no future, no padding key
    assert mask[1].equal(torch.ones(3, 3, dtype=torch.bool).tril())


def test_earlier_states_ignore_later_events() -> None:
    model = module()
    a = torch.tensor([[3, 4, 5, 6]])
    b = torch.tensor([[3, 4, 5, 9]])
    with torch.no_grad():
        ha, hb = model.encode(a), model.encode(b)
    torch.testing.assert_close(ha[:, :3], hb[:, :3])
    assert not torch.allclose(ha[:, 3], hb[:, 3])


def test_left_padding_does_not_change_the_last_state() -> None:
    model = module()
    with torch.no_grad():
        short = model.encode(torch.tensor([[3, 4, 5]]))[:, -1]
        padded = model.encode(torch.tensor([[0, 0, 0, 3, 4, 5]]))[:, -1]
    torch.testing.assert_close(short, padded, rtol=1e-5, atol=1e-6)


def test_last_states_match_encode_and_truncate_to_max_len() -> None:
    model = module()
    rows = [torch.tensor([3, 4]), torch.arange(1, 12), torch.tensor([7])]
    states = last_states(model, rows, batch_size=2)
    with torch.no_grad():
        for row, state in zip(rows, states, strict=True):
            expected = model.encode(row[-8:].unsqueeze(0))[0, -1]
            torch.testing.assert_close(state, expected, rtol=1e-5, atol=1e-6)


def test_text_fusion_vectors() -> None:
    """Known items: ID embedding plus projected text; unknown items: projected text only;
    padding: zero."""
    text = torch.randn(12, 6, generator=torch.Generator().manual_seed(1))
    known = torch.ones(12)
    known[5] = 0.0
    model = module(text=text, known=known)
    assert model.text_proj is not None
    with torch.no_grad():
        vectors = model.item_vectors()
        projected = model.text_proj(text)
        ids = model.item_emb.weight
    torch.testing.assert_close(vectors[5], projected[5])
    torch.testing.assert_close(vectors[4], ids[4] + projected[4])
    assert vectors[0].abs().sum() == 0
    keep = torch.ones(12, 1)
    keep[4] = 0.0
    with torch.no_grad():
        dropped = model.item_vectors(keep)
    torch.testing.assert_close(dropped[4], projected[4])
    torch.testing.assert_close(dropped[3], vectors[3])


def test_id_only_vectors_are_the_embedding() -> None:
    model = module()
    with torch.no_grad():
        torch.testing.assert_close(model.item_vectors()[1:], model.item_emb.weight[1:])
