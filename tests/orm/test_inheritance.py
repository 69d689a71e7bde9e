"""Single-table inheritance (nextorm 0.5.1, bug D2): subclasses share their root's table.

``class Student(Person)`` inherits Person's attributes and table, adds nullable columns of its
own and a discriminator value; ``Person.select()`` returns each row as its own class and
``Student.select()`` only students (and their subclasses).  On SQLite, PostgreSQL and MariaDB,
with rows in the table.
"""

from __future__ import annotations

import pytest

from nextorm import Database, Entity, Opt, Req, Set, Single, db_session
from nextorm.errors import DeclarationError, MappingError, ObjectNotFound, ValidationError
from nextorm.schema.compare import physical
from nextorm.schema.introspect import introspect


def school_entities() -> list[type]:
    class Person(Entity):
        _discriminator_col_ = "kind"
        name: Req[str]
        club: Single["Club | None"]

    class Student(Person):
        school: Req[str] = Req(max_len=40)
        gpa: Opt[float]
        courses: Set["Course"]

    class Graduate(Student):
        _discriminator_ = "grad"
        thesis: Opt[str]

    class Teacher(Person):
        subject: Req[str]

    class Club(Entity):
        title: Req[str]
        members: Set[Person]

    class Course(Entity):
        title: Req[str]
        students: Set[Student]

    return [Person, Student, Graduate, Teacher, Club, Course]


def test_subclasses_share_the_table(make_db):
    person, student, graduate, teacher, club, course = school_entities()
    db = make_db([person, student, graduate, teacher, club, course], create_tables=True)
    tables = db.schema
    assert "student" not in tables and "graduate" not in tables
    columns = tables["person"]["columns"]
    assert columns["kind"] == {"type": "str", "max_len": 255, "nullable": False,
                               "sql_default": "'Person'"}
    assert columns["school"] == {"type": "str", "max_len": 40, "nullable": True}
    assert columns["subject"]["nullable"] is True and columns["thesis"]["nullable"] is True
    assert set(tables["course_person"]["columns"]) == {"course_id", "person_id"}
    assert introspect(db) == physical(db.schema_dict())
    assert set(graduate._attrs_) >= {"id", "name", "club", "school", "gpa", "courses", "thesis"}


def test_rows_come_back_as_their_own_class(make_db):
    person, student, graduate, teacher, club, course = school_entities()
    db = make_db([person, student, graduate, teacher, club, course], create_tables=True)
    with db_session(db):
        chess = club(title="chess")
        p = person(name="pat", club=chess)
        s = student(name="sam", school="north", gpa=3.5, club=chess)
        g = graduate(name="gil", school="south", thesis="ORMs")
        t = teacher(name="tia", subject="math")
        math = course(title="math")
        math.students.add(s)
        math.students.add(g)
    q = db.dialect.quote
    stored = dict(db._execute(f"SELECT {q('name')}, {q('kind')} FROM {q('person')}"))
    assert stored == {"pat": "Person", "sam": "Student", "gil": "grad", "tia": "Teacher"}
    with db_session(db):
        everyone = {x.name: type(x) for x in person.select()}
        assert everyone == {"pat": person, "sam": student, "gil": graduate, "tia": teacher}
        assert sorted(x.name for x in student.select()) == ["gil", "sam"]
        assert [x.name for x in graduate.select()] == ["gil"]
        assert teacher.select().count() == 1 and student.exists(name="tia") is False
        assert person[s.id] is student[s.id] and person[g.id].thesis == "ORMs"
        with pytest.raises(ObjectNotFound):
            student[t.id]
        assert sorted(m.name for m in club[chess.id].members) == ["pat", "sam"]
        assert sorted(x.name for x in course[math.id].students) == ["gil", "sam"]
        assert [c.title for c in student[s.id].courses] == ["math"]
        assert person[p.id].club.title == "chess"
    with db_session(db):
        student[s.id].gpa = 3.9
        teacher[t.id].delete()
    with db_session(db):
        assert student[s.id].gpa == 3.9
        assert person.select().count() == 3


def test_a_subclass_still_requires_its_own_required_attributes(make_db):
    person, student, graduate, teacher, club, course = school_entities()
    db = make_db([person, student, graduate, teacher, club, course], create_tables=True)
    with db_session(db):
        student(name="no school")
        with pytest.raises(ValidationError, match=r"Student\.school is required"):
            student.select().count()  # the flush refuses the row
        db_session_rollback()
    with db_session(db):
        assert person.select().count() == 0


def db_session_rollback() -> None:
    from nextorm import rollback

    rollback()


def test_a_default_discriminator_column_and_value():
    class Animal(Entity):
        name: Req[str]

    class Dog(Animal):
        breed: Opt[str]

    db = Database(entities=[Animal, Dog])
    db.generate_mapping()
    assert db.schema["animal"]["columns"]["classtype"]["sql_default"] == "'Animal'"
    assert Dog._discriminator_ == "Dog" and Dog._table_name_ == "animal"


def test_inheritance_mistakes_are_named():
    class Base(Entity):
        name: Req[str]

    with pytest.raises(DeclarationError, match=r"Sub\.name: Base declares it already"):
        class Sub(Base):
            name: Req[str]
    with pytest.raises(DeclarationError, match=r"Other\._table_: a subclass shares the table"):
        class Other(Base):
            _table_ = "other"
    with pytest.raises(DeclarationError, match=r"Keyed\.code: a subclass shares the primary key"):
        from nextorm import PK

        class Keyed(Base):
            code: PK[int]

    class Child(Base):
        extra: Opt[int]

    with pytest.raises(MappingError, match=r"Child derives from Base, which is not registered"):
        Database(entities=[Child]).generate_mapping()
