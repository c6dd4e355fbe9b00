"""The encoder of src/core/models/encoder.ts, in PyTorch, for pretraining only.

Same architecture, parameter names (Hugging Face RoBERTa's) and arithmetic as the TypeScript
encoder the lessons run: post-LN Transformer layers, embeddings = word + position (offset past the
padding id) + token type, then LayerNorm; GELU in its sigmoid form x*sigmoid(1.702x); additive
attention mask of -1e9 on padding; an MLM head (dense -> GELU -> LayerNorm -> decoder tied to the
word embeddings, plus a bias). Dense weights are stored as torch.nn.Linear stores them, [out, in],
which is also the layout of the safetensors files the site ships. The parity test
(test/core/models/torch-parity.test.ts) checks that both encoders give the same outputs on the
same weights.
"""

import math

import torch
from torch import nn


def gelu(x):
    """GELU, sigmoid approximation (Hendrycks & Gimpel 2016), as src/core/nn/activations.ts."""
    return x * torch.sigmoid(1.702 * x)


class Layer(nn.Module):
    def __init__(self, c):
        super().__init__()
        H, I = c["hidden_size"], c["intermediate_size"]
        eps = c["layer_norm_eps"]
        self.nh = c["num_attention_heads"]
        self.attention = nn.Module()
        self.attention.self = nn.Module()
        self.attention.self.query = nn.Linear(H, H)
        self.attention.self.key = nn.Linear(H, H)
        self.attention.self.value = nn.Linear(H, H)
        self.attention.output = nn.Module()
        self.attention.output.dense = nn.Linear(H, H)
        self.attention.output.LayerNorm = nn.LayerNorm(H, eps=eps)
        self.intermediate = nn.Module()
        self.intermediate.dense = nn.Linear(H, I)
        self.output = nn.Module()
        self.output.dense = nn.Linear(I, H)
        self.output.LayerNorm = nn.LayerNorm(H, eps=eps)

    def forward(self, x, add_mask):
        B, T, H = x.shape
        nh, hd = self.nh, H // self.nh
        s = self.attention.self

        def heads(t):
            return t.view(B, T, nh, hd).transpose(1, 2)  # [B, nh, T, hd]

        q, k, v = heads(s.query(x)), heads(s.key(x)), heads(s.value(x))
        scores = q @ k.transpose(-1, -2) * (1 / math.sqrt(hd)) + add_mask  # [B, nh, T, T]
        attn = (torch.softmax(scores, -1) @ v).transpose(1, 2).reshape(B, T, H)
        x = self.attention.output.LayerNorm(self.attention.output.dense(attn) + x)
        f = gelu(self.intermediate.dense(x))
        return self.output.LayerNorm(self.output.dense(f) + x)


class TinyRoberta(nn.Module):
    """RoBERTa-style encoder with the tied MLM head; `c` is the Hugging Face config.json dict."""

    def __init__(self, c):
        super().__init__()
        H, eps = c["hidden_size"], c["layer_norm_eps"]
        self.pad = c["pad_token_id"]
        self.roberta = nn.Module()
        e = self.roberta.embeddings = nn.Module()
        e.word_embeddings = nn.Embedding(c["vocab_size"], H)
        e.position_embeddings = nn.Embedding(c["max_position_embeddings"], H)
        e.token_type_embeddings = nn.Embedding(c["type_vocab_size"], H)
        e.LayerNorm = nn.LayerNorm(H, eps=eps)
        self.roberta.encoder = nn.Module()
        self.roberta.encoder.layer = nn.ModuleList(Layer(c) for _ in range(c["num_hidden_layers"]))
        self.lm_head = nn.Module()
        self.lm_head.dense = nn.Linear(H, H)
        self.lm_head.layer_norm = nn.LayerNorm(H, eps=eps)
        self.lm_head.bias = nn.Parameter(torch.zeros(c["vocab_size"]))

    def encode(self, ids, mask):
        """ids, mask: [B, T] (right-padded; mask 1 = token). Returns the last layer, [B, T, H]."""
        e = self.roberta.embeddings
        T = ids.shape[1]
        pos = e.position_embeddings.weight[self.pad + 1 : self.pad + 1 + T]
        x = e.LayerNorm(e.word_embeddings(ids) + pos + e.token_type_embeddings.weight[0])
        add_mask = ((1 - mask.to(x.dtype)) * -1e9)[:, None, None, :]
        for layer in self.roberta.encoder.layer:
            x = layer(x, add_mask)
        return x

    def mlm_logits(self, hidden, positions):
        """Logits [N, V] at flat positions [N] into B*T."""
        h = hidden.reshape(-1, hidden.shape[-1])[positions]
        z = self.lm_head.layer_norm(gelu(self.lm_head.dense(h)))
        return z @ self.roberta.embeddings.word_embeddings.weight.t() + self.lm_head.bias

    def mlm_loss(self, ids, mask, positions, labels):
        return nn.functional.cross_entropy(self.mlm_logits(self.encode(ids, mask), positions), labels)


def load_weights(model, tensors):
    """Loads {HF name: numpy array} into `model`, strictly (every name, every shape)."""
    sd = model.state_dict()
    missing = sorted(set(sd) - set(tensors))
    extra = sorted(set(tensors) - set(sd))
    if missing or extra:
        raise ValueError(f"weights do not match the model: missing {missing[:5]}, unexpected {extra[:5]}")
    for k, v in tensors.items():
        if tuple(sd[k].shape) != tuple(v.shape):
            raise ValueError(f"{k}: shape {tuple(v.shape)} in the file, {tuple(sd[k].shape)} in the model")
    model.load_state_dict({k: torch.from_numpy(v.astype("float32")) for k, v in tensors.items()})


def weights_of(model):
    """{HF name: float32 numpy array} of every parameter."""
    return {k: v.detach().cpu().float().numpy() for k, v in model.state_dict().items()}
