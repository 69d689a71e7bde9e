"""Entity shapes several test tiers declare afresh (each call makes new classes)."""

from __future__ import annotations

from nextorm import Entity, Opt, Req, Set, Single


def reference_cycle() -> list[type]:
    """Person and Team reference each other: one key of the cycle comes once both exist."""

    class Person(Entity):
        name: Req[str]
        team: Single["Team"] = Single(nullable=True, on_delete="SET NULL", reverse="members")
        leads: Set["Team"] = Set(reverse="leader")

    class Team(Entity):
        title: Req[str]
        leader: Single[Person] = Single(nullable=True, on_delete="SET NULL", reverse="leads")
        members: Set[Person] = Set(reverse="team")

    return [Person, Team]


def authors_and_books() -> tuple[type, type]:
    """Author (a unique name, an optional age) has many Books; each Book has one Author."""

    class Author(Entity):
        name: Req[str] = Req(unique=True)
        age: Opt[int]
        books: Set["Book"]

    class Book(Entity):
        title: Req[str]
        author: Single["Author"]

    return Author, Book
