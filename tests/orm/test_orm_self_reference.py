"""An entity related to itself: a tree (Single/Set) and friends (Set/Set)."""

from __future__ import annotations

import pytest

from nextorm import Entity, Req, Set, Single, db_session


class Node(Entity):
    name: Req[str]
    parent: Single["Node"] = Single(nullable=True, reverse="children")
    children: Set["Node"] = Set(reverse="parent")
    friends: Set["Node"] = Set(reverse="friend_of")
    friend_of: Set["Node"] = Set(reverse="friends")


@pytest.fixture
def tree_db(make_db):
    return make_db([Node], create_tables=True)


def test_tree_and_friends(tree_db):
    with db_session(tree_db):
        root = Node(name="root")
        a = Node(name="a", parent=root)
        Node(name="b", parent=root)
        Node(name="a1", parent=a)
        a.friends.add(root)
    with db_session(tree_db):
        root = Node.get(name="root")
        assert sorted(n.name for n in root.children) == ["a", "b"]
        assert [n.name for n in Node.select().filter(Node.parent.name == "a")] == ["a1"]
        assert [n.name for n in Node.select().filter(Node.parent.parent.name == "root")] == [
            "a1"]
        assert [n.name for n in Node.get(name="a").friends] == ["root"]
        assert [n.name for n in root.friend_of] == ["a"]
        root.delete()  # children: SET NULL (nullable parent)
        assert Node.get(name="a").parent is None
        assert Node.select().filter(Node.parent == None).count() == 2  # noqa: E711
