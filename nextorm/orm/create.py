"""``User(name="ann")``: a new object in the active session, INSERTed at the next flush."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..attributes import NEW
from ..errors import ValidationError
from .context import current_session

if TYPE_CHECKING:
    from ..attributes import EntityObject

_MISSING = object()


def create(new: EntityObject, values: dict[str, Any]) -> None:
    """Initialise a new object from keyword values and defaults; track it for INSERT.

    Runs once per new object: the entity's ``CreationPlan`` (``values.py``) holds its checks
    and its defaults already checked, so an attribute left out costs a dictionary store.
    """
    entity = type(new)  # an Entity instance: Entity.__init__ calls this
    session = current_session()
    info = session.known_info(entity)  # the common case: an entity the session already used
    if info is None:
        session = session.for_entity(entity)  # the session of the entity's database
        info = session.info(entity)
    plan = info.creation_plan
    if not values.keys() <= plan.names:
        unknown = sorted(set(values) - plan.names)
        raise ValidationError(f"{entity.__name__}() got unknown attribute(s) {', '.join(unknown)}")
    vals: dict[str, Any] = {}
    # (Local values a subclass's __init__ set before this stay.)
    if plan.as_attributes:  # kept inside the object: no dict made (materialize.py)
        new._vals_ = vals
        new._session_ = session
        new._status_ = NEW
        new._dirty_ = None
    else:
        state = new.__dict__
        state.update(_vals_=vals, _session_=session, _status_=NEW, _dirty_=None)
    missing = _MISSING
    for name, check, default, make in plan.columns:
        value = values.get(name, missing)
        if value is not missing:
            vals[name] = check(value)
        elif make is None:
            vals[name] = default
        else:
            vals[name] = check(make())
    auto = info.auto_pk
    if auto is None or vals.get(auto) is not None:
        key = info.key_of_row(vals)
        if key is not None and not (isinstance(key, tuple) and None in key):
            session.register(new, key)
    session.new.append(new)
    for name in plan.others:  # Set and Local attributes, once the object has its values
        if name in values:
            if info.entity._attrs_[name].kind == "set":
                getattr(new, name).add(values[name])
            else:
                setattr(new, name, values[name])
