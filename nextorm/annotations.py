"""Entity annotations evaluated into declared attributes (``Req[str]``, ``Set["Post"]``).

Kept apart from the metaclass (``entity.py``) because postponed annotations arrive as strings:
they are evaluated in the entity module's globals, and a name declared later (a forward
reference) is kept as a marker plus the type's name for the mapping to resolve.

Every import of a project's models evaluates each annotation, so the costs are paid once: the
scope of a class's string annotations is built once per class (not per attribute) and each
distinct annotation text is compiled once per process.
"""

from __future__ import annotations

from types import CodeType
from typing import Any

from .errors import DeclarationError
from .fields import Attr, Marker

#: Compiled string annotations by their text (``"Req[str]"`` is the same code in every class).
_COMPILED: dict[str, CodeType] = {}


class AnnotationScope:
    """Evaluates the annotations of one class body.

    ``evaluate`` returns the annotation's :class:`Attr` itself, possibly shared (markers cache
    ``Req[str]``): the caller makes the attribute's own copy and never changes this one.
    """

    __slots__ = ("cls", "module_globals", "ns", "_scope")

    def __init__(self, cls: type, module_globals: dict, ns: dict) -> None:
        self.cls = cls
        self.module_globals = module_globals
        self.ns = ns
        self._scope: dict[str, Any] | None = None

    def evaluate(self, attr_name: str, annotation: Any) -> Attr | None:
        """The attribute an annotation declares, or None for a plain annotation."""
        if isinstance(annotation, str):
            annotation = self._evaluate_text(attr_name, annotation)
        if isinstance(annotation, Attr):
            return annotation
        if isinstance(annotation, Marker):
            raise DeclarationError(f"{self.cls.__name__}.{attr_name}: {annotation!r} needs a "
                                   f"type, e.g. {annotation!r}[str]")
        return None

    def _evaluate_text(self, attr_name: str, annotation: str) -> Any:
        code = _COMPILED.get(annotation)
        if code is None:
            try:
                code = _COMPILED[annotation] = compile(annotation, "<annotation>", "eval")
            except SyntaxError:
                code = None
        if self._scope is None:
            from . import fields

            self._scope = {**vars(fields), **self.module_globals, **self.ns,
                           self.cls.__name__: self.cls}
        try:
            if code is None:  # the error eval() itself gives
                return eval(annotation, self._scope)  # noqa: S307 - annotations are source
            return eval(code, self._scope)  # noqa: S307 - annotations are source code
        except NameError:
            return _forward_reference(self.cls, attr_name, annotation)


def evaluate_annotation(
    cls: type, attr_name: str, annotation: Any, module_globals: dict, ns: dict
) -> Attr | None:
    """The attribute an annotation declares (a copy), or None for a plain annotation."""
    found = AnnotationScope(cls, module_globals, ns).evaluate(attr_name, annotation)
    if found is None:
        return None
    return Attr(found.kind, found.py_type, dict(found.options),
                conflicts=list(found.conflicts))


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
    if len(parts) > 1 and marker.kind == "single":
        return Attr(marker.kind, names[0], {"nullable": True})
    return marker[names[0]]
