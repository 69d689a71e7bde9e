"""nextorm 0.5.1's relation declarations: one-to-one Single <-> Single, PK[Entity], Req[Entity].

On SQLite, PostgreSQL and MariaDB, with rows written and read back in a new session.
"""

from __future__ import annotations

import pytest

from nextorm import PK, Entity, IntegrityError, MappingError, Opt, Req, Single, db_session
from nextorm.schema.compare import physical
from nextorm.schema.introspect import introspect


def test_one_to_one_is_one_key_column_with_unique(make_db):
    class User(Entity):
        name: Req[str]
        profile: Single["Profile | None"]

    class Profile(Entity):
        user: Single[User]  # required: this side owns the key (0.5.1's rule)
        bio: Opt[str]

    db = make_db([User, Profile], create_tables=True)
    tables = db.schema
    assert "profile_id" not in tables["user"]["columns"] and not tables["user"]["foreign_keys"]
    assert tables["profile"]["uniques"] == {"unq_profile__user_id": {"columns": ["user_id"]}}
    assert introspect(db) == physical(db.schema_dict())
    with db_session(db):
        ann = User(name="ann")
        bob = User(name="bob")
        Profile(user=ann, bio="hi")
    with db_session(db):
        assert User[ann.id].profile.bio == "hi"
        assert User[bob.id].profile is None
        bob_profile = Profile(user=User[bob.id], bio="bob's")
    with db_session(db):
        assert User[bob.id].profile is Profile[bob_profile.id]
        Profile[bob_profile.id].bio = "changed"
    with db_session(db):
        with pytest.raises(IntegrityError):
            Profile(user=User[ann.id], bio="second")  # UNIQUE: one profile per user
            User.select().count()  # flushes


def test_one_to_one_assigned_from_the_side_without_the_column(make_db):
    class Car(Entity):
        plate: Req[str]
        engine: Single["Engine"] = Single(owner=False)

    class Engine(Entity):
        serial: Req[str]
        car: Single[Car | None] = Single(owner=True)

    db = make_db([Car, Engine], create_tables=True)
    assert set(db.schema["engine"]["columns"]) == {"id", "serial", "car_id"}
    with db_session(db):
        car = Car(plate="AB-1")
        old, new = Engine(serial="e1"), Engine(serial="e2")
        car.engine = old
    with db_session(db):
        assert Engine[old.id].car is Car[car.id]
        Car[car.id].engine = Engine[new.id]  # the old engine lets go (its key is nullable)
    with db_session(db):
        assert Car[car.id].engine.serial == "e2"
        assert Engine[old.id].car is None
    assert introspect(db) == physical(db.schema_dict())


def test_two_owners_are_refused():
    class Left(Entity):
        right: Single["Right"] = Single(owner=True)

    class Right(Entity):
        left: Single[Left] = Single(owner=True)

    from nextorm import Database

    with pytest.raises(MappingError, match=r"both say owner=True"):
        Database(entities=[Left, Right]).generate_mapping()


def test_entity_as_primary_key(make_db):
    class Account(Entity):
        login: Req[str]

    class Settings(Entity):
        account: PK[Account]  # the key column is the reference
        theme: Req[str] = Req(default="dark")

    class Audit(Entity):
        account: Req[Account] = Req(primary_key=True)
        note: Opt[str]

    db = make_db([Account, Settings, Audit], create_tables=True)
    table = db.schema["settings"]
    assert table["primary_key"] == ["account_id"]
    assert table["foreign_keys"]["fk_settings__account_id"]["ref_table"] == "account"
    assert db.schema["audit"]["primary_key"] == ["account_id"]
    assert introspect(db) == physical(db.schema_dict())
    with db_session(db):
        acc = Account(login="ann")
        Settings(account=acc)
        Audit(account=acc, note="created")
    with db_session(db):
        loaded = Settings[acc.id]
        assert loaded.theme == "dark" and loaded.account.login == "ann"
        assert Audit[Account[acc.id]].note == "created"
    with db_session(db):
        Account[acc.id].delete()  # CASCADE, as a required Single
    with db_session(db):
        assert Settings.select().count() == 0 and Audit.select().count() == 0
