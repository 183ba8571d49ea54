"""Friendly generated nicknames ("Brave Otter"): students need not type, nor show, their real names.

Drawn with ``secrets`` so a nickname says nothing about who joined before. Words are short, kind and
neutral, so any pair is fine on a projector.
"""

from __future__ import annotations

import secrets

ADJECTIVES = (
    "Brave", "Calm", "Clever", "Cosy", "Curious", "Eager", "Gentle", "Happy", "Jolly", "Keen", "Kind",
    "Lively", "Lucky", "Mellow", "Merry", "Nimble", "Patient", "Polite", "Proud", "Quick", "Quiet",
    "Bright", "Bold", "Sunny", "Swift", "Steady", "Tidy", "Witty", "Wise", "Zesty", "Cheerful", "Daring",
)
ANIMALS = (
    "Otter", "Badger", "Falcon", "Heron", "Lynx", "Panda", "Koala", "Gecko", "Walrus", "Puffin", "Beaver",
    "Hedgehog", "Dolphin", "Penguin", "Rabbit", "Squirrel", "Tortoise", "Owl", "Fox", "Wombat", "Lemur",
    "Marmot", "Orca", "Robin", "Sparrow", "Tiger", "Yak", "Zebra", "Camel", "Bison", "Moose", "Alpaca",
)


def suggest(taken, n: int = 6) -> list[str]:
    """n different nicknames, none in taken (compared ignoring case)."""
    used = {name.casefold() for name in taken}
    out: list[str] = []
    for _ in range(n * 50):
        name = f"{secrets.choice(ADJECTIVES)} {secrets.choice(ANIMALS)}"
        if name.casefold() not in used:
            used.add(name.casefold())
            out.append(name)
            if len(out) == n:
                break
    return out
