"""Entity annotations evaluated into declared attributes (``Req[str]``, ``Set["Post"]``).

Kept apart from the metaclass (``entity.py``) because postponed annotations arrive as strings:
they are evaluated in the entity module's globals, and a name declared later (a forward
reference) is kept as a marker plus the type's name for the mapping to resolve.

Every import of a project's models evaluates each annotation, so the costs are paid once: the
scope of a class's string annotations is built once per class (not per attribute) and each
distinct annotation text is compiled once per process.
"""

from __future__ import annotations

import builtins
import re
from types import CodeType
from typing import Any

from . import fields
from .errors import DeclarationError
from .fields import Attr, Marker

#: Compiled string annotations by their text (``"Req[str]"`` is the same code in every class).
_COMPILED: dict[str, CodeType] = {}
#: String annotations of the form ``name[name]`` by their text: the parts ``_parse`` finds
#: (False for any other form, which ``eval`` evaluates).
_PARSED: dict[str, tuple[tuple[str, ...], tuple[str, ...], str, bool] | bool] = {}
_NAME = r"[A-Za-z_]\w*(?:\s*\.\s*[A-Za-z_]\w*)*"
_SIMPLE: re.Pattern[str] | None = None


def _parse(annotation: str) -> tuple[tuple[str, ...], tuple[str, ...], str, bool] | bool:
    """``"Opt[dt.date | None]"`` -> ``(("Opt",), ("dt", "date"), "", True)``;
    ``"Set['Post']"`` -> ``(("Set",), (), "Post", False)``; False for anything else (or a
    keyword as a name)."""
    from keyword import iskeyword  # only models with postponed annotations come here

    global _SIMPLE
    if _SIMPLE is None:
        _SIMPLE = re.compile(rf"\s*({_NAME})\s*\[\s*(?:({_NAME})|'([^'\\]*)'|\"([^\"\\]*)\")"
                             rf"\s*(\|\s*None\s*)?\]\s*")
    match = _SIMPLE.fullmatch(annotation)
    if match is None:
        return False
    head, inner, single, double, optional = match.groups()
    head_path = tuple(head.replace(" ", "").split("."))
    inner_path = tuple(inner.replace(" ", "").split(".")) if inner else ()
    if any(iskeyword(name) for name in head_path + inner_path):
        return False  # ``None``, ``True``: constants, not names
    return head_path, inner_path, single if single is not None else double or "", bool(optional)


class AnnotationScope:
    """Evaluates the annotations of one class body.

    ``evaluate`` returns the annotation's :class:`Attr` itself, possibly shared (markers cache
    ``Req[str]``): the caller makes the attribute's own copy and never changes this one.
    """

    __slots__ = ("cls", "module_globals", "ns", "_scope", "_chain")

    def __init__(self, cls: type, module_globals: dict, ns: dict) -> None:
        self.cls = cls
        self.module_globals = module_globals
        self.ns = ns
        self._scope: dict[str, Any] | None = None
        self._chain: tuple[dict[str, Any], ...] | None = None

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
        parts = _PARSED.get(annotation)
        if parts is None:
            parts = _PARSED[annotation] = _parse(annotation)
        if not parts:
            return self._eval(attr_name, annotation)
        # ``Req[str]``, ``Single['Post']``, ``Opt[dt.date | None]``: what eval() would give,
        # without building the scope dict or running code.
        head, inner, text, optional = parts  # type: ignore[misc]
        try:
            found = self._path(head)  # first, as eval() does
            value: Any = self._path(inner) if inner else text
            return found[value | None if optional else value]
        except NameError:
            return _forward_reference(self.cls, attr_name, annotation)

    def _path(self, path: tuple[str, ...]) -> Any:
        """What eval() gives for ``a`` or ``a.b``: the name as ``_eval``'s scope resolves it
        (the class itself, the class body, the module's globals, the markers' module, then
        builtins), then the attributes."""
        name = path[0]
        if name == self.cls.__name__:
            found: Any = self.cls
        else:
            chain = self._chain
            if chain is None:
                chain = self._chain = (self.ns, self.module_globals, vars(fields),
                                       self._builtins())
            for names in chain:
                if name in names:
                    found = names[name]
                    break
            else:
                raise NameError(f"name {name!r} is not defined")
        for name in path[1:]:
            found = getattr(found, name)
        return found

    def _builtins(self) -> dict[str, Any]:
        for names in (self.ns, self.module_globals, vars(fields)):
            if "__builtins__" in names:
                found = names["__builtins__"]
                return found if isinstance(found, dict) else vars(found)
        return vars(builtins)

    def _eval(self, attr_name: str, annotation: str) -> Any:
        code = _COMPILED.get(annotation)
        if code is None:
            try:
                code = _COMPILED[annotation] = compile(annotation, "<annotation>", "eval")
            except SyntaxError:
                code = None
        if self._scope is None:
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
                conflicts=found.conflicts)


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
