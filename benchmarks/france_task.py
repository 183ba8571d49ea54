"""The design.md prototype task: "I grew up in France ... I speak fluent ___" -> French.

Six countries; in half of the sequences a distractor sentence about a friend's country follows the
clue; zero to ``length`` filler sentences sit around it. Token ids are one-hot inputs; the answer is
read at the blank. (The game's levels generate such tasks from YAML; this copy serves the benchmark.)
"""

from __future__ import annotations

import numpy as np

from lstm_engine import Batch

COUNTRIES = ["france", "spain", "italy", "germany", "japan", "brazil"]
LANGUAGES = ["french", "spanish", "italian", "german", "japanese", "portuguese"]
FILLERS = [["it", "was", "a", "nice", "place", "."], ["we", "had", "a", "small", "house", "."],
           ["now", "i", "work", "in", "an", "office", "."]]
CLUE = ["i", "grew", "up", "in"]
DISTRACTOR = ["my", "friend", "lives", "in"]
QUESTION = ["i", "speak", "fluent", "___"]
WORDS = sorted({w for s in FILLERS + [CLUE, DISTRACTOR, QUESTION] for w in s} | set(COUNTRIES) | {"<pad>"})
VOCAB = {w: k for k, w in enumerate(WORDS)}


class FranceTask:
    kind = "classify"
    tolerance = None
    input_size = len(WORDS)
    output_size = len(LANGUAGES)
    default_lengths = (2,)  # "length" = the most filler sentences around the clue

    def sentence(self, rng: np.random.Generator, fillers: int) -> tuple[list[str], int]:
        c = int(rng.integers(len(COUNTRIES)))
        parts = [CLUE + [COUNTRIES[c], "."]]
        if rng.random() < 0.5:
            other = int(rng.choice([k for k in range(len(COUNTRIES)) if k != c]))
            parts.append(DISTRACTOR + [COUNTRIES[other], "."])
        for _ in range(int(rng.integers(0, fillers + 1))):
            parts.insert(int(rng.integers(1, len(parts) + 1)), FILLERS[int(rng.integers(len(FILLERS)))])
        return [w for p in parts for w in p] + QUESTION, c

    def sample(self, rng: np.random.Generator, batch_size: int, length: int) -> Batch:
        seqs = [self.sentence(rng, length) for _ in range(batch_size)]
        T = max(len(s) for s, _ in seqs)
        x = np.full((T, batch_size), VOCAB["<pad>"], np.int64)
        targets = np.zeros((T, batch_size), np.int64)
        mask = np.zeros((T, batch_size), bool)
        for b, (words, c) in enumerate(seqs):
            x[:len(words), b] = [VOCAB[w] for w in words]
            targets[len(words) - 1, b] = c
            mask[len(words) - 1, b] = True
        return Batch(x, targets, mask)
