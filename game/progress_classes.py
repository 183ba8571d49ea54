"""The progress store's classroom tables (game/classroom/uploads.py, student.py): classes joined, the
upload queue and offline attempts. A mixin of ProgressStore (game/progress.py), which owns the file, its
connection and migrations (game/progress_schema.py); every value read back is checked by the rules of
game/progress_values.py, like the rest of the store.
"""

from __future__ import annotations

import sqlite3
from datetime import datetime, timezone
from typing import Any

from .progress_values import (
    MAX_LEVEL_ID_LENGTH,
    MAX_NAME_LENGTH,
    MAX_REASON_LENGTH,
    MAX_REPLAY_CHARS,
    MAX_SERVER_LENGTH,
    MAX_TOKEN_LENGTH,
    StoreError,
    bounded,
    check_level_id,
    check_score,
    check_stars,
    check_text,
    normalize_name,
    valid_membership,
    valid_upload,
)


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="milliseconds")


class ClassTables:
    """Needs the host's _write, _read, _skipped and _player_id (ProgressStore)."""

    def save_membership(self, server: str, code: str, nickname: str, token: str, title: str = "",
                        player: str | None = None) -> int:
        """Remember a class joined (a rejoin replaces the token and title); returns the membership id."""
        values = (bounded(server, "a server address", MAX_SERVER_LENGTH), bounded(code, "a class code", 32),
                  normalize_name(nickname), bounded(token, "a token", MAX_TOKEN_LENGTH),
                  bounded(title, "a class title", MAX_REASON_LENGTH, empty=True))
        who = None if player is None else normalize_name(player)

        def save(conn: sqlite3.Connection) -> int:
            pid = None if who is None else self._player_id(conn, who, create=True)
            conn.execute("INSERT INTO class_memberships (player_id, server, code, nickname, token, title, "
                         "joined) VALUES (?, ?, ?, ?, ?, ?, ?) "
                         "ON CONFLICT (server, code, nickname) DO UPDATE SET "
                         "token = excluded.token, title = excluded.title, "
                         "player_id = coalesce(excluded.player_id, player_id)", (pid, *values, _now()))
            return conn.execute("SELECT id FROM class_memberships WHERE server = ? AND code = ? "
                                "AND nickname = ?", values[:3]).fetchone()[0]

        return self._write(f"remember the class {values[1]!r}", save)

    _MEMBERSHIP = f"""id, substr(server, 1, {MAX_SERVER_LENGTH + 1}), substr(code, 1, 33),
        substr(nickname, 1, {MAX_NAME_LENGTH + 1}), substr(token, 1, {MAX_TOKEN_LENGTH + 1}),
        substr(title, 1, {MAX_REASON_LENGTH + 1})"""

    def memberships(self) -> list[dict[str, Any]]:
        """Classes joined, newest first: {"id", "server", "code", "nickname", "token", "title"}."""
        rows = self._read("read the classes joined", lambda c: c.execute(
            f"SELECT {self._MEMBERSHIP} FROM class_memberships ORDER BY id DESC").fetchall())
        good = [r for r in rows if valid_membership(r)]
        self._skipped(len(rows) - len(good))
        keys = ("id", "server", "code", "nickname", "token", "title")
        return [dict(zip(keys, r, strict=True)) for r in good]

    def queue_upload(self, membership_id: int, level_id: str, replay: str,
                     hints_offline: bool = False) -> int:
        """Queue one finished attempt for the class server; returns the upload id."""
        level, text = check_level_id(level_id), check_text(replay, "the replay")
        if len(text) > MAX_REPLAY_CHARS:
            raise StoreError("the replay is too long to queue")

        def insert(conn: sqlite3.Connection) -> int:
            now = _now()
            return int(conn.execute(
                "INSERT INTO class_uploads (membership_id, level_id, replay, hints_offline, created, "
                "updated) VALUES (?, ?, ?, ?, ?, ?)",
                (int(membership_id), level, text, int(bool(hints_offline)), now, now)).lastrowid)

        return self._write(f"queue an attempt at level {level!r} for the class", insert)

    _UPLOAD = f"""u.id, u.membership_id, substr(u.level_id, 1, {MAX_LEVEL_ID_LENGTH + 1}), u.state, u.tries,
        CASE WHEN typeof(u.score) IN ('integer', 'real') THEN u.score END,
        CASE WHEN typeof(u.stars) = 'integer' THEN u.stars END,
        substr(u.reason, 1, {MAX_REASON_LENGTH + 1}), u.hints_offline"""
    _UPLOAD_KEYS = ("id", "membership_id", "level_id", "state", "tries", "score", "stars", "reason",
                    "hints_offline")

    def _uploads(self, where: str, args: tuple, with_replay: bool = False) -> list[dict[str, Any]]:
        extra = (f", CASE WHEN length(CAST(u.replay AS BLOB)) <= {MAX_REPLAY_CHARS} THEN u.replay END, "
                 f"substr(m.server, 1, {MAX_SERVER_LENGTH + 1}), substr(m.token, 1, {MAX_TOKEN_LENGTH + 1})"
                 if with_replay else "")
        rows = self._read("read the class uploads", lambda c: c.execute(
            f"SELECT {self._UPLOAD}{extra} FROM class_uploads AS u "
            f"JOIN class_memberships AS m ON m.id = u.membership_id WHERE {where} ORDER BY u.id",
            args).fetchall())
        good = [r for r in rows if valid_upload(r, with_replay)]
        self._skipped(len(rows) - len(good))
        keys = self._UPLOAD_KEYS + (("replay", "server", "token") if with_replay else ())
        out = [dict(zip(keys, r, strict=True)) for r in good]
        for u in out:
            u["hints_offline"] = bool(u["hints_offline"])
        return out

    def pending_uploads(self) -> list[dict[str, Any]]:
        """Queued uploads, oldest first, with "replay", "server" and "token" to send them."""
        return self._uploads("u.state = 'queued'", (), with_replay=True)

    def class_uploads(self, membership_id: int | None = None) -> list[dict[str, Any]]:
        """Uploads (of one class, or all), oldest first: id, level_id, state, tries, score, stars, reason."""
        if membership_id is None:
            return self._uploads("1", ())
        return self._uploads("u.membership_id = ?", (int(membership_id),))

    def upload_status(self, upload_id: int) -> dict[str, Any] | None:
        found = self._uploads("u.id = ?", (int(upload_id),))
        return found[0] if found else None

    def upload_tried(self, upload_id: int) -> None:
        """One more try failed while the server was away (the upload stays queued)."""
        self._write("count an upload try", lambda c: c.execute(
            "UPDATE class_uploads SET tries = tries + 1, updated = ? WHERE id = ?", (_now(), int(upload_id))))

    def upload_done(self, upload_id: int, accepted: bool, score: float | None = None,
                    stars: int | None = None, reason: str | None = None) -> None:
        """The server's last word on an upload: accepted (with its score and stars) or refused (why)."""
        values = (("accepted", check_score(score), check_stars(stars), None) if accepted else
                  ("refused", None, None, bounded(reason or "", "a reason", MAX_REASON_LENGTH, empty=True)))
        self._write("save the server's answer to an upload", lambda c: c.execute(
            "UPDATE class_uploads SET state = ?, score = ?, stars = ?, reason = ?, tries = tries + 1, "
            "updated = ? WHERE id = ?", (*values, _now(), int(upload_id))))

    def save_offline_attempt(self, challenge_hash: str, nickname: str, level_id: str, replay: str) -> int:
        """Keep an attempt played offline from a challenge file, for "Export my submission"; its id."""
        key, nick = bounded(challenge_hash, "a challenge hash", 128), normalize_name(nickname)
        level, text = check_level_id(level_id), check_text(replay, "the replay")
        if len(text) > MAX_REPLAY_CHARS:
            raise StoreError("the replay is too long to keep")
        return self._write(f"keep an offline attempt at level {level!r}", lambda c: int(c.execute(
            "INSERT INTO class_offline_attempts (challenge_hash, nickname, level_id, replay, created) "
            "VALUES (?, ?, ?, ?, ?)", (key, nick, level, text, _now())).lastrowid))

    def offline_attempts(self, challenge_hash: str, nickname: str) -> list[str]:
        """The replays kept by save_offline_attempt for this challenge and nickname, oldest first
        (a row too long or not text is skipped, as elsewhere)."""
        key, nick = bounded(challenge_hash, "a challenge hash", 128), normalize_name(nickname)
        rows = self._read("read the offline attempts", lambda c: c.execute(
            "SELECT CASE WHEN typeof(replay) = 'text' AND "
            f"length(CAST(replay AS BLOB)) <= {MAX_REPLAY_CHARS} THEN replay END "
            "FROM class_offline_attempts WHERE challenge_hash = ? AND nickname = ? ORDER BY id",
            (key, nick)).fetchall())
        good = [r[0] for r in rows if isinstance(r[0], str)]
        self._skipped(len(rows) - len(good))
        return good
