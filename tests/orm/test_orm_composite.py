"""Entities keyed by several attributes, one of them a relation."""

from __future__ import annotations

import pytest

from nextorm import Entity, ObjectNotFound, Opt, PrimaryKey, Req, Set, Single, db_session


class Student(Entity):
    name: Req[str]
    enrollments: Set["Enrollment"]


class Course(Entity):
    code: Req[str]
    enrollments: Set["Enrollment"]


class Enrollment(Entity):
    student: Single[Student]
    course: Single[Course]
    grade: Opt[int]
    PrimaryKey("student", "course")


@pytest.fixture
def school(make_db):
    return make_db([Student, Course, Enrollment], create_tables=True)


def test_composite_key_create_read_update_delete(school):
    with db_session(school):
        ann = Student(name="ann")
        math = Course(code="math")
        Enrollment(student=ann, course=math, grade=None)
    with db_session(school):
        ann, math = Student[ann.id], Course[math.id]
        enrollment = Enrollment[ann, math]
        assert enrollment is Enrollment[ann.id, math.id]
        assert enrollment.student is ann and enrollment.grade is None
        enrollment.grade = 5
        assert [e.course.code for e in ann.enrollments] == ["math"]
    with db_session(school):
        assert Enrollment[ann.id, math.id].grade == 5
        assert Enrollment.select().filter(Enrollment.grade > 4, student=ann.id).count() == 1
        Enrollment[ann.id, math.id].delete()
        with pytest.raises(ObjectNotFound):
            Enrollment[ann.id, math.id]
