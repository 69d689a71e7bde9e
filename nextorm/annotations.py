"""Entity annotations evaluated into declared attributes (``Req[str]``, ``Set["Post"]``).

Kept apart from the metaclass (``entity.py``) because postponed annotations arrive as strings:
they are evaluated in the entity module's globals, and a name declared later (a forward
reference) is kept as a marker plus the type's name for the mapping to resolve.
"""

from __future__ import annotations

from typing import Any

from .errors import DeclarationError
from .fields import Attr, Marker


def evaluate_annotation(
    cls: type, attr_name: str, annotation: Any, module_globals: dict, ns: dict
) -> Attr | None:
    """The attribute an annotation declares (a copy), or None for a plain annotation."""
    if isinstance(annotation, str):
        from . import fields

        scope = {**vars(fields), **module_globals, **ns, cls.__name__: cls}
        try:
            annotation = eval(annotation, scope)  # noqa: S307 - annotations are source code
        except NameError:
            annotation = _forward_reference(cls, attr_name, annotation)
    if isinstance(annotation, Marker):
        raise DeclarationError(
            f"{cls.__name__}.{attr_name}: {annotation!r} needs a type, e.g. {annotation!r}[str]"
        )
    if not isinstance(annotation, Attr):
        return None
    return Attr(annotation.kind, annotation.py_type, dict(annotation.options),
                conflicts=list(annotation.conflicts))


def _forward_reference(cls: type, attr_name: str, annotation: str) -> Attr:
    """``Set[Post]`` or ``Single[Post | None]`` with Post declared later (postponed
    annotations): keep the marker and the type's name; the mapping resolves it."""
    from . import fields

    marker_name, _, inner = annotation.partition("[")
    marker = getattr(fields, marker_name.strip(), None)
    if not isinstance(marker, Marker) or not inner.endswith("]"):
        raise DeclarationError(
            f"{cls.__name__}.{attr_name}: cannot resolve annotation {annotation!r}"
        ) from None
    parts = [p.strip().strip("'\"") for p in inner[:-1].split("|")]
    names = [p for p in parts if p != "None"]
    if len(names) != 1:
        raise DeclarationError(
            f"{cls.__name__}.{attr_name}: cannot resolve annotation {annotation!r}")
    found = marker[names[0]]
    if len(parts) > 1 and marker.kind == "single":
        found.options["nullable"] = True
    return found
