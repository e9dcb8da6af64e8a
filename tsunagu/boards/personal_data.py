"""Boards (see privacy/registry.py)."""

from __future__ import annotations

from tsunagu.privacy.registry import Erase, Rule, register

register(
    Rule(
        "boards.Thread",
        owner="author",
        kind="board_threads",
        export=("category__name", "kind", "title", "body", "created_at"),
        erase=Erase.TOMBSTONE,
        blank=("title", "body"),
    ),
    Rule(
        "boards.Comment",
        owner="author",
        kind="board_comments",
        export=("thread_id", "thread__title", "body", "created_at"),
        erase=Erase.TOMBSTONE,
        blank=("body",),
    ),
    Rule(
        "boards.Revision",
        owner="editor",
        erase=Erase.DELETE,
        why="earlier versions of the person's own posts: the posts themselves are exported",
        order=40,
    ),
    Rule(
        "boards.Reaction",
        owner="member",
        kind="board_stamps",
        export=("thread_id", "comment_id", "stamp", "created_at"),
        erase=Erase.DELETE,
    ),
    Rule("boards.Subscription", owner="member", erase=Erase.DELETE, why="threads followed"),
    Rule(
        "boards.Report",
        owner="reporter",
        kind="board_reports",
        export=("thread_id", "comment_id", "reason", "created_at", "outcome"),
        erase=Erase.BLANK,
        blank=("reason",),
    ),
    Rule(
        "boards.Report",
        owner="resolved_by",
        erase=Erase.KEEP,
        why="the moderator who decided a report; the account it names is emptied",
    ),
    Rule("boards.PollVote", owner="member", erase=Erase.DELETE, why="votes are counted, not read"),
    Rule(
        "boards.Attachment",
        owner="uploader",
        kind="board_files",
        export=("thread_id", "comment_id", "name", "content_type", "size", "created_at"),
        files=("file",),
        erase=Erase.DELETE,
        order=40,
    ),
    Rule("boards.ThreadRead", owner="member", erase=Erase.DELETE, why="read marks"),
)
