"""Writes the fixture of the PyTorch/TypeScript parity test (test/core/models/torch-parity.test.ts).

A small encoder with seeded random weights (LayerNorm scales and biases drawn too, so that none is
trivially 1 or 0) runs on a fixed right-padded batch; its weights, inputs and outputs (last hidden
layer, MLM logits at chosen positions, MLM loss) go to test/fixtures/torch-parity/. The test
loads the same weights into the core's Encoder and checks that it computes the same numbers, so
that weights trained by scripts/torch/pretrain.py mean in the browser what they meant in PyTorch.

Run: /usr/bin/python3 scripts/torch/parity.py   (Debian's python3-torch)
"""

import json
import os
import sys

import numpy as np
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import st  # noqa: E402
from tiny_roberta import TinyRoberta, weights_of  # noqa: E402

CONFIG = {
    "architectures": ["RobertaForMaskedLM"],
    "model_type": "roberta",
    "vocab_size": 50,
    "hidden_size": 16,
    "num_hidden_layers": 2,
    "num_attention_heads": 2,
    "intermediate_size": 32,
    "hidden_act": "gelu",
    "hidden_dropout_prob": 0.1,
    "attention_probs_dropout_prob": 0.1,
    "max_position_embeddings": 14,
    "type_vocab_size": 1,
    "initializer_range": 0.02,
    "layer_norm_eps": 1e-5,
    "pad_token_id": 1,
}


def main():
    out = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "test", "fixtures", "torch-parity")
    os.makedirs(out, exist_ok=True)
    torch.manual_seed(7)
    model = TinyRoberta(CONFIG)
    with torch.no_grad():
        for name, p in model.named_parameters():
            # Larger than RoBERTa's 0.02 so that every layer changes its input visibly.
            p.copy_(torch.randn_like(p) * (0.3 if p.dim() > 1 else 0.2) + (1.0 if "orm.weight" in name else 0.0))
    model.eval()
    ids = torch.tensor([[0, 7, 12, 4, 33, 9, 21, 2, 1, 1], [0, 45, 4, 18, 2, 1, 1, 1, 1, 1]])
    mask = (ids != 1).long()
    positions = torch.tensor([3, 5, 12, 13])
    labels = torch.tensor([11, 9, 45, 30])
    with torch.no_grad():
        hidden = model.encode(ids, mask)
        logits = model.mlm_logits(hidden, positions)
        loss = model.mlm_loss(ids, mask, positions, labels)
    st.write(os.path.join(out, "model.safetensors"), weights_of(model), {"format": "pt", "producer": "scripts/torch/parity.py"})
    with open(os.path.join(out, "config.json"), "w") as f:
        # Short arrays on one line, as the repository's formatter (prettier) writes them.
        text = json.dumps(CONFIG, indent=2).replace('[\n    "RobertaForMaskedLM"\n  ]', '["RobertaForMaskedLM"]').replace('1e-05', '1e-5')
        f.write(text + "\n")
    st.write(
        os.path.join(out, "io.safetensors"),
        {
            "input_ids": ids.numpy().astype(np.int32),
            "attention_mask": mask.numpy().astype(np.int32),
            "positions": positions.numpy().astype(np.int32),
            "labels": labels.numpy().astype(np.int32),
            "hidden": hidden.numpy(),
            "mlm_logits": logits.numpy(),
            "mlm_loss": loss.reshape(1).numpy(),
        },
        {"producer": "scripts/torch/parity.py", "torch": torch.__version__},
    )
    print(f"wrote {out}: loss {loss.item():.6f}, hidden std {hidden.std().item():.4f}")


if __name__ == "__main__":
    main()
