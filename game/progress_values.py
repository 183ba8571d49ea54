"""What the progress store accepts and what it trusts when reading back: one rule per stored value.

Written values (player names, level ids, scores, stars, results, replays, settings) are checked before
they reach SQLite and raise :class:`StoreError` with a sentence saying what is wrong. Values read back
are checked by the same rules (:func:`valid_name`, :func:`valid_attempt`): a row the game would not
have written (text for a number, stars = 1e8, a 10-million-character date) is not ours and is skipped
by game/progress.py, never drawn. The limits here bound what the store even fetches (``substr``).
"""

from __future__ import annotations

import json
import math
import numbers
import unicodedata

from . import safe_io

__all__ = ["MAX_LEVEL_ID_LENGTH", "MAX_NAME_LENGTH", "MAX_REPLAY_CHARS", "MAX_SCORE", "MAX_SETTINGS_BYTES",
           "MAX_STARS", "MAX_TIME_LENGTH", "StoreError", "check_level_id", "check_score", "check_stars",
           "check_text", "check_won", "has_forbidden", "normalize_name", "settings_to_json", "valid_attempt",
           "valid_name"]

MAX_NAME_LENGTH = 40
MAX_LEVEL_ID_LENGTH = 200
MAX_STARS = 3
MAX_SCORE = 1e6              # |score|: scores are 0..100; anything far outside is not ours
MAX_TIME_LENGTH = 64         # "2024-06-11T09:30:12.345+00:00"
MAX_SETTINGS_BYTES = 64 * 1024
MAX_REPLAY_CHARS = 4 * 1024 * 1024  # = game/session/replay.MAX_BYTES
MAX_SERVER_LENGTH = 300     # a class server's address
MAX_TOKEN_LENGTH = 200      # a class server's student token
MAX_REASON_LENGTH = 300     # a class server's one-line answer; a class title

_FORBIDDEN_CATEGORIES = {"Cc", "Cs", "Zl", "Zp"}  # control, surrogate, line/paragraph separators


class StoreError(Exception):
    """The progress store cannot do what was asked: bad input, or a file problem (named in the message).
    Defined here, below game/progress.py, so the value checks raise it; game.progress re-exports it."""


def has_forbidden(text: str) -> bool:
    return any(unicodedata.category(ch) in _FORBIDDEN_CATEGORIES for ch in text)


def normalize_name(name: object) -> str:
    """The stored form of a player name (stripped, NFC); StoreError if it is not a valid name."""
    if not isinstance(name, str):
        raise StoreError(f"a player name must be text, not {type(name).__name__}")
    clean = unicodedata.normalize("NFC", name.strip())
    if has_forbidden(clean):
        raise StoreError(f"player name {name!r} contains a control character")
    if not 1 <= len(clean) <= MAX_NAME_LENGTH:
        raise StoreError(f"a player name must be 1 to {MAX_NAME_LENGTH} characters long, "
                         f"got {len(clean)} ({name!r})")
    return clean


def check_level_id(level_id: object) -> str:
    if not isinstance(level_id, str):
        raise StoreError(f"a level id must be text, not {type(level_id).__name__}")
    if not 1 <= len(level_id) <= MAX_LEVEL_ID_LENGTH or level_id != level_id.strip() \
            or has_forbidden(level_id):
        raise StoreError(f"invalid level id {level_id!r}: 1 to {MAX_LEVEL_ID_LENGTH} characters, "
                         "no surrounding spaces, no control characters")
    return level_id


def check_score(score: object) -> float:
    if isinstance(score, bool) or not isinstance(score, numbers.Real):
        raise StoreError(f"a score must be a number, not {type(score).__name__}")
    value = float(score)
    if not math.isfinite(value) or abs(value) > MAX_SCORE:
        raise StoreError(f"a score must be a finite number within ±{MAX_SCORE:g}, got {value}")
    return value


def check_stars(stars: object) -> int:
    if isinstance(stars, bool) or not isinstance(stars, numbers.Integral):
        raise StoreError(f"stars must be a whole number, not {type(stars).__name__}")
    if not 0 <= int(stars) <= MAX_STARS:
        raise StoreError(f"stars must be between 0 and {MAX_STARS}, got {int(stars)}")
    return int(stars)


def check_won(won: object) -> bool:
    if isinstance(won, bool) or getattr(getattr(won, "dtype", None), "kind", None) == "b":
        return bool(won)
    if isinstance(won, numbers.Integral) and int(won) in (0, 1):
        return bool(won)
    raise StoreError(f"won must be True or False, got {won!r}")


def check_text(value: object, what: str) -> str:
    if not isinstance(value, str):
        raise StoreError(f"{what} must be text, not {type(value).__name__}")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError as e:
        raise StoreError(f"{what} is not valid text: {e.reason} at position {e.start}") from None
    return value


def valid_name(name: object) -> bool:
    try:
        return normalize_name(name) == name
    except StoreError:
        return False


def valid_attempt(row: tuple) -> bool:
    """One rule for an attempt read back: (id, level id, score, stars, won, played at) as the game writes
    them: a level id it accepts, a finite score within MAX_SCORE, 0..MAX_STARS stars, won 0 or 1, and
    a date of at most MAX_TIME_LENGTH characters without control characters."""
    _, level, score, stars, won, when = row
    try:
        check_level_id(level)
    except StoreError:
        return False
    return (isinstance(score, (int, float)) and math.isfinite(score) and abs(score) <= MAX_SCORE
            and isinstance(stars, int) and 0 <= stars <= MAX_STARS and won in (0, 1)
            and isinstance(when, str) and 0 < len(when) <= MAX_TIME_LENGTH and not has_forbidden(when))


def bounded(value: object, what: str, most: int, empty: bool = False) -> str:
    """Text to store: 1 (or 0 when empty is allowed) to `most` characters without control characters."""
    text = check_text(value, what)
    if (not text and not empty) or len(text) > most or has_forbidden(text):
        raise StoreError(f"{what} must be 1 to {most} characters without control characters")
    return text


def short_text(value: object, most: int, empty: bool = False) -> bool:
    return (isinstance(value, str) and (empty or value != "") and len(value) <= most
            and not has_forbidden(value))


def valid_membership(row: tuple) -> bool:
    """A class joined, read back: (id, server, code, nickname, token, title)."""
    _, server, code, nickname, token, title = row
    return (short_text(server, MAX_SERVER_LENGTH) and short_text(code, 32) and valid_name(nickname)
            and short_text(token, MAX_TOKEN_LENGTH) and short_text(title, MAX_REASON_LENGTH, empty=True))


def valid_upload(row: tuple, with_replay: bool) -> bool:
    """A queued or answered upload, read back (game/classroom/uploads.py)."""
    _, membership, level, state, tries, score, stars, reason, offline = row[:9]
    try:
        check_level_id(level)
    except StoreError:
        return False
    ok = (state in ("queued", "accepted", "refused") and isinstance(tries, int) and tries >= 0
          and offline in (0, 1) and (reason is None or short_text(reason, MAX_REASON_LENGTH, empty=True)))
    if state == "accepted":
        ok = ok and isinstance(score, (int, float)) and math.isfinite(score) and abs(score) <= MAX_SCORE \
            and isinstance(stars, int) and 0 <= stars <= MAX_STARS
    if with_replay:
        replay, server, token = row[9:]
        ok = ok and isinstance(replay, str) and short_text(server, MAX_SERVER_LENGTH) \
            and short_text(token, MAX_TOKEN_LENGTH)
    return ok


def settings_to_json(settings: object) -> str:
    """JSON text for a settings dict; StoreError unless loading it back gives an equal dict."""
    if not isinstance(settings, dict):
        raise StoreError(f"settings must be a dict, not {type(settings).__name__}")
    try:
        text = json.dumps(settings, ensure_ascii=False, allow_nan=False)
    except (TypeError, ValueError, RecursionError) as e:
        raise StoreError(f"settings cannot be saved as JSON: {e}") from None
    if len(text.encode("utf-8")) > MAX_SETTINGS_BYTES:
        raise StoreError(f"settings are too big to save (at most {MAX_SETTINGS_BYTES // 1024} KiB)")
    try:
        back = safe_io.loads_json(text, MAX_SETTINGS_BYTES, what="settings")
    except safe_io.JSONRefused as e:
        raise StoreError(f"settings cannot be saved: {e}") from None
    if back != settings:
        raise StoreError("settings cannot be saved as JSON exactly (keys must be text; use lists, "
                         "not tuples or sets)")
    return text
