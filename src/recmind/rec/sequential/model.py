"""SASRec (Kang & McAuley 2018): a causal transformer over a user's item sequence whose
last hidden state, dotted with every item vector, scores the next item.

Item vectors are shared between input and output. With ``text`` given, each item vector
is its learned ID embedding plus a learned linear projection of its text embedding; items
never seen in training have their ID part zeroed, so their vector is the projection of
their text alone.
"""

from __future__ import annotations

import math

import torch
import torch.nn.functional as F  # noqa: N812
from torch import nn

INIT_STD = 0.02


class CausalBlock(nn.Module):
    """Pre-norm self-attention and feed-forward, each with a residual connection."""

    def __init__(self, hidden: int, heads: int, ff_mult: int, dropout: float) -> None:
        super().__init__()
        if hidden % heads:
            raise ValueError(f"hidden ({hidden}) must be a multiple of heads ({heads})")
        self.heads = heads
        self.dropout = dropout
        self.norm_attn = nn.LayerNorm(hidden)
        self.qkv = nn.Linear(hidden, 3 * hidden)
        self.proj = nn.Linear(hidden, hidden)
        self.norm_ff = nn.LayerNorm(hidden)
        self.ff = nn.Sequential(
            nn.Linear(hidden, ff_mult * hidden),
            nn.GELU(),
            nn.Dropout(dropout),
            nn.Linear(ff_mult * hidden, hidden),
        )
        self.drop = nn.Dropout(dropout)

    def forward(self, x: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        batch, length, hidden = x.shape
        q, k, v = self.qkv(self.norm_attn(x)).split(hidden, dim=-1)
        shape = (batch, length, self.heads, hidden // self.heads)
        q, k, v = (t.reshape(shape).transpose(1, 2) for t in (q, k, v))
        attended = F.scaled_dot_product_attention(q, k, v, attn_mask=mask)
        x = x + self.drop(self.proj(attended.transpose(1, 2).reshape(batch, length, hidden)))
        out: torch.Tensor = x + self.drop(self.ff(self.norm_ff(x)))
        return out


class SASRec(nn.Module):
    """Sequence encoder plus the item vectors it is scored against.

    Args:
        n_tokens: Items plus one (token 0 is padding).
        max_len: Longest input; positions count back from the most recent event.
        text: Optional ``(n_tokens, d_text)`` fixed text embeddings (row 0 unused).
        known: Optional ``(n_tokens,)`` 0/1 mask of items seen in training; their ID
            embedding is used, the others' is zeroed (only meaningful with ``text``).
    """

    known: torch.Tensor
    text: torch.Tensor

    def __init__(
        self,
        n_tokens: int,
        *,
        max_len: int,
        hidden: int,
        blocks: int,
        heads: int,
        ff_mult: int,
        dropout: float,
        text: torch.Tensor | None = None,
        known: torch.Tensor | None = None,
    ) -> None:
        super().__init__()
        self.max_len = max_len
        self.hidden = hidden
        self.item_emb = nn.Embedding(n_tokens, hidden, padding_idx=0)
        self.pos_emb = nn.Embedding(max_len, hidden)
        self.text_proj: nn.Linear | None = None
        if text is not None:
            self.register_buffer("text", text.float())
            self.text_proj = nn.Linear(text.shape[1], hidden, bias=False)
        mask = known if known is not None else torch.ones(n_tokens)
        mask = mask.float().clone()
        mask[0] = 0.0
        self.register_buffer("known", mask.unsqueeze(1))
        self.logit_bias = nn.Parameter(torch.tensor(-math.log(max(n_tokens - 1, 1))))
        """One offset added to every score by the binary losses (ranking ignores it)."""
        self.input_drop = nn.Dropout(dropout)
        self.layers = nn.ModuleList(
            CausalBlock(hidden, heads, ff_mult, dropout) for _ in range(blocks)
        )
        self.norm = nn.LayerNorm(hidden)
        self.apply(_init_weights)

    def item_vectors(self, id_keep: torch.Tensor | None = None) -> torch.Tensor:
        """``(n_tokens, hidden)``; row 0 (padding) is zero.

        ``id_keep`` (``(n_tokens, 1)`` 0/1, training only) drops the ID part of some items
        so that they are represented by their text alone, as a new item is (DropoutNet,
        Volkovs et al. 2017): the text projection learns to carry a whole item vector.
        """
        keep = self.known if id_keep is None else self.known * id_keep
        vectors: torch.Tensor = self.item_emb.weight * keep
        if self.text_proj is not None:
            vectors = vectors + self.text_proj(self.text)
            vectors = torch.cat([torch.zeros_like(vectors[:1]), vectors[1:]])
        return vectors

    def encode(self, tokens: torch.Tensor, vectors: torch.Tensor | None = None) -> torch.Tensor:
        """Hidden states ``(B, T, hidden)`` of left-padded ``(B, T)`` token ids."""
        if vectors is None:
            vectors = self.item_vectors()
        length = tokens.shape[1]
        if length > self.max_len:
            tokens = tokens[:, -self.max_len :]
            length = self.max_len
        x = vectors[tokens] * math.sqrt(self.hidden)
        positions = torch.arange(self.max_len - length, self.max_len, device=tokens.device)
        x = self.input_drop(x + self.pos_emb(positions))
        real = tokens != 0
        x = x * real.unsqueeze(-1)
        mask = attention_mask(real)
        for layer in self.layers:
            x = layer(x, mask)
        out: torch.Tensor = self.norm(x)
        return out


def attention_mask(real: torch.Tensor) -> torch.Tensor:
    """``(B, 1, T, T)`` boolean mask: a position sees itself and the real events before it
    (padding never contributes, and no row is fully masked)."""
    length = real.shape[1]
    causal = torch.ones(length, length, dtype=torch.bool, device=real.device).tril()
    allowed = causal.unsqueeze(0) & real.unsqueeze(1)
    allowed = allowed | torch.eye(length, dtype=torch.bool, device=real.device).unsqueeze(0)
    return allowed.unsqueeze(1)


def _init_weights(module: nn.Module) -> None:
    if isinstance(module, nn.Linear | nn.Embedding):
        nn.init.normal_(module.weight, std=INIT_STD)
    if isinstance(module, nn.Linear) and module.bias is not None:
        nn.init.zeros_(module.bias)
    if isinstance(module, nn.Embedding) and module.padding_idx is not None:
        with torch.no_grad():
            module.weight[module.padding_idx].zero_()


@torch.no_grad()
def last_states(model: SASRec, rows: list[torch.Tensor], batch_size: int = 256) -> torch.Tensor:
    """Hidden state after each row's last event, ``(len(rows), hidden)``; rows are 1-d
    token tensors (empty rows give the state of a lone padding position). Rows are
    grouped by length so short histories are not padded to the longest one."""
    model.eval()
    vectors = model.item_vectors()
    out = torch.zeros(len(rows), model.hidden)
    lengths = torch.tensor([min(len(r), model.max_len) for r in rows], dtype=torch.long)
    order = torch.argsort(lengths, stable=True)
    for start in range(0, len(rows), batch_size):
        chosen = order[start : start + batch_size]
        width = max(1, int(lengths[chosen].max()))
        tokens = torch.zeros(len(chosen), width, dtype=torch.long)
        for slot, index in enumerate(chosen.tolist()):
            tail = rows[index][-width:]
            if len(tail):
                tokens[slot, width - len(tail) :] = tail
        out[chosen] = model.encode(tokens, vectors)[:, -1]
    return out
