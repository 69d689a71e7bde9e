"""Generator and lambda queries, translated to the expression tree of ``expressions.py``.

``select(u for u in User if u.age > 18 and u.name.startswith("A"))`` and
``User.select(lambda u: u.age > 18)`` become the same ``Condition`` objects as
``User.select((User.age > 18) & User.name.startswith("A"))``: one query compiler, not two.

Why from the source, not the bytecode: the bytecode of a condition changes with every Python
release (3.11 added ``CALL``/``PRECALL``, 3.12 changed comparisons and jumps, 3.13 again), so a
bytecode decompiler is a second, fragile compiler to keep in step with CPython.  The syntax
tree of a generator expression has stayed the same since Python 3.8, and since 3.11 each code
object knows the source span of its instructions, which finds its node in the file
(``source.py``).  The price: the source file must exist (code typed into ``python -c`` has
none; a ``DecompileError`` says so).

How: the condition's tree is rewritten once per code object - ``and``/``or``/``not``, ``in``
and ``is`` become calls of the helpers below, which build conditions for expressions and keep
Python's meaning for plain values - and compiled into a function of the query variable and
of the names the condition reads.  Each call only looks those names up in the caller's frame
(locals, closure, globals, builtins) and calls the function: the values are re-bound, nothing
is parsed again.  ``u.age`` on the variable is ``User.age`` (``EntityVar``), so methods such
as ``startswith``, ``ilike``, ``is_null`` and relation paths (``p.author.name``) work as on
the class; anything the expressions cannot do raises ``DecompileError`` naming the text.
"""

from __future__ import annotations

import ast
import builtins
from collections.abc import Callable
from types import CodeType, FunctionType, GeneratorType
from typing import Any

from ..entity import Entity, EntityIterator
from ..errors import DecompileError, NextORMError
from .expressions import Always, AttrExpr, BoolOp, Compare, Condition, EntityVar, Not, Operand
from .source import find_node


class Translation:
    """A generator expression or lambda, compiled once: ``function(var, *names)``."""

    __slots__ = ("text", "names", "function", "element", "has_condition")

    def __init__(self, text: str, names: tuple[str, ...], function: Callable[..., Any],
                 element: tuple[str, ...] | None, has_condition: bool) -> None:
        self.text, self.names, self.function = text, names, function
        self.element, self.has_condition = element, has_condition


#: Translations by code object: one per generator expression or lambda in the source.
_CACHE: dict[CodeType, Translation] = {}


def translation(code: CodeType) -> Translation:
    """The translation of a generator expression's or lambda's code (cached)."""
    found = _CACHE.get(code)
    if found is None:
        found = _CACHE[code] = _translate(code)
    return found


# -- what the calls run -------------------------------------------------------------------


def generator_query(gen: Any) -> tuple[type[Entity], Condition | None, AttrExpr | None]:
    """The entity, the condition and the yielded attribute (None: the objects) of ``gen``."""
    if not isinstance(gen, GeneratorType):
        raise TypeError(f"expected a generator expression such as (u for u in User), "
                        f"not {gen!r}")
    frame = gen.gi_frame
    if frame is None:
        raise DecompileError("the generator has already run: pass a new one")
    tr = translation(gen.gi_code)
    scope = frame.f_locals
    source = scope.get(".0")
    if not isinstance(source, EntityIterator):
        raise DecompileError(f"{tr.text}: a query iterates over an entity (for u in User)")
    var = EntityVar(source.entity)
    condition = None
    if tr.has_condition:
        value = _run(tr, var, _lookup(tr, scope, frame.f_globals, frame.f_builtins))
        condition = as_condition(value, tr.text)
    column = None
    if tr.element:
        column = _element(var, tr)
    return source.entity, condition, column


def lambda_value(fn: Callable[..., Any], entity: type[Entity]) -> Any:
    """What ``fn(u)`` builds for the query variable ``u`` of ``entity``."""
    if not isinstance(fn, FunctionType):
        raise DecompileError(f"expected a lambda such as lambda u: u.age > 18, not {fn!r}")
    tr = translation(fn.__code__)
    code = fn.__code__
    scope: dict[str, Any] = {}
    if fn.__closure__:
        scope.update((n, c.cell_contents) for n, c in zip(code.co_freevars, fn.__closure__,
                                                          strict=True))
    args = code.co_varnames[:code.co_argcount]
    if fn.__defaults__:
        scope.update(zip(args[len(args) - len(fn.__defaults__):], fn.__defaults__, strict=True))
    glob = fn.__globals__
    return _run(tr, EntityVar(entity), _lookup(tr, scope, glob, glob.get("__builtins__")))


def lambda_condition(fn: Callable[..., Any], entity: type[Entity]) -> Condition | None:
    """The condition ``fn(u)`` builds (None: always true)."""
    value = lambda_value(fn, entity)
    return as_condition(value, translation(fn.__code__).text)


def as_condition(value: Any, text: str) -> Condition | None:
    """A condition from what a query's condition evaluated to (None: keep every row)."""
    cond = _truth(value)
    if cond is True:
        return None
    if cond is False:
        return Always(False)
    if isinstance(cond, Condition):
        return cond
    raise DecompileError(f"{text}: the condition gives {value!r}, not a condition")


def _lookup(tr: Translation, scope: Any, glob: dict[str, Any], builtin: Any) -> list[Any]:
    if builtin is None:
        builtin = vars(builtins)
    elif not isinstance(builtin, dict):
        builtin = vars(builtin)
    values = []
    for name in tr.names:
        if name in scope:
            values.append(scope[name])
        elif name in glob:
            values.append(glob[name])
        elif name in builtin:
            values.append(builtin[name])
        else:
            raise NameError(f"name {name!r} is not defined (in {tr.text})")
    return values


def _run(tr: Translation, var: EntityVar, values: list[Any]) -> Any:
    try:
        return tr.function(var, *values)
    except (DecompileError, NameError):
        raise
    except (TypeError, AttributeError, ValueError, NextORMError) as exc:
        raise DecompileError(f"cannot translate {tr.text!r} to SQL: {exc}") from None


def _element(var: EntityVar, tr: Translation) -> AttrExpr:
    value: Any = var
    try:
        for name in tr.element or ():
            value = getattr(value, name)
    except AttributeError as exc:
        raise DecompileError(f"cannot translate {tr.text!r} to SQL: {exc}") from None
    return value


# -- the helpers the rewritten condition calls ---------------------------------------------


def _truth(value: Any) -> Condition | bool:
    """A condition, or Python's truth of a plain value; ``u.active`` means ``active = True``."""
    if isinstance(value, Condition):
        return value
    if isinstance(value, AttrExpr):
        attr = value._owner._attrs_[value._name]
        if attr.kind == "set":
            raise DecompileError(f"{value!r} is a collection: it has no truth value in SQL")
        return Compare(value, "=", True) if attr.py_type is bool else Compare(value, "<>", None)
    if isinstance(value, EntityVar):
        return True
    if isinstance(value, Operand):  # arithmetic (an attribute returned above)
        raise DecompileError(f"{value!r} is a number, not a condition: compare it (> 0)")
    return bool(value)


def _and(*thunks: Callable[[], Any]) -> Condition | bool:
    found: Condition | None = None
    for thunk in thunks:
        value = _truth(thunk())
        if value is False:
            return False  # like Python: the rest is not evaluated
        if value is not True:
            found = value if found is None else BoolOp("AND", found, value)
    return True if found is None else found


def _or(*thunks: Callable[[], Any]) -> Condition | bool:
    found: Condition | None = None
    for thunk in thunks:
        value = _truth(thunk())
        if value is True:
            return True
        if value is not False:
            found = value if found is None else BoolOp("OR", found, value)
    return False if found is None else found


def _not(value: Any) -> Condition | bool:
    value = _truth(value)
    return Not(value) if isinstance(value, Condition) else not value


def _in(item: Any, container: Any) -> Any:
    if isinstance(container, AttrExpr):
        if container._owner._attrs_[container._name].kind == "set":
            raise DecompileError(f"'in {container!r}': collections cannot be searched in a "
                                 f"query; filter the related entity instead")
        return container.contains(item)
    if isinstance(item, Operand | EntityVar):
        return item.in_(container)
    return item in container


def _not_in(item: Any, container: Any) -> Any:
    return _not(_in(item, container))


def _is(left: Any, right: Any) -> Any:
    if isinstance(left, Operand):
        return Compare(left, "=", right)
    if isinstance(right, Operand):
        return Compare(right, "=", left)
    return left is right


def _is_not(left: Any, right: Any) -> Any:
    if isinstance(left, Operand):
        return Compare(left, "<>", right)
    if isinstance(right, Operand):
        return Compare(right, "<>", left)
    return left is not right


_HELPERS: dict[str, Any] = {"__nx_and": _and, "__nx_or": _or, "__nx_not": _not,
                            "__nx_in": _in, "__nx_not_in": _not_in, "__nx_is": _is,
                            "__nx_is_not": _is_not}


# -- translating the source ----------------------------------------------------------------


def _translate(code: CodeType) -> Translation:
    node = find_node(code)
    text = ast.unparse(node)
    element: tuple[str, ...] | None = None
    if isinstance(node, ast.GeneratorExp):
        if len(node.generators) != 1:
            raise DecompileError(f"{text}: a query has one 'for' (join through relations: "
                                 f"p.author.name)")
        comp = node.generators[0]
        if not isinstance(comp.target, ast.Name) or comp.is_async:
            raise DecompileError(f"{text}: a query's 'for' names one variable")
        var, body = comp.target.id, _all(comp.ifs)
        element = _element_path(node.elt, var, text)
        extra: list[str] = []
    else:
        args = node.args
        names = [a.arg for a in (*args.posonlyargs, *args.args)]
        if not names or args.vararg or args.kwarg or args.kwonlyargs:
            raise DecompileError(f"{text}: a query lambda takes one argument, the object")
        var, body, extra = names[0], node.body, names[1:]
    free = tuple(sorted((_free_names(body) - {var}) | set(extra))) if body else ()
    function = _compile(code, var, free, body)
    return Translation(text, free, function, element, body is not None)


def _all(conditions: list[ast.expr]) -> ast.expr | None:
    if not conditions:
        return None
    if len(conditions) == 1:
        return conditions[0]
    return ast.copy_location(ast.BoolOp(op=ast.And(), values=conditions), conditions[0])


def _element_path(elt: ast.expr, var: str, text: str) -> tuple[str, ...] | None:
    """``u`` yields the objects (None), ``u.a.b`` one attribute (the path)."""
    path: list[str] = []
    while isinstance(elt, ast.Attribute):
        path.insert(0, elt.attr)
        elt = elt.value
    if isinstance(elt, ast.Name) and elt.id == var:
        return tuple(path) or None
    raise DecompileError(f"{text}: a query yields its variable or one of its attributes "
                         f"({var} or {var}.name)")


def _free_names(body: ast.expr) -> set[str]:
    """The names the condition reads (minus those its own comprehensions and lambdas bind)."""
    read: set[str] = set()
    bound: set[str] = set()
    for node in ast.walk(body):
        if isinstance(node, ast.Name):
            (read if isinstance(node.ctx, ast.Load) else bound).add(node.id)
        elif isinstance(node, ast.arg):
            bound.add(node.arg)
    return read - bound


def _compile(code: CodeType, var: str, names: tuple[str, ...], body: ast.expr | None
             ) -> Callable[..., Any]:
    if body is None:
        return lambda var: True
    rewritten = _Rewriter().visit(body)
    params = ast.arguments(posonlyargs=[], args=[ast.arg(arg=n) for n in (var, *names)],
                           kwonlyargs=[], kw_defaults=[], defaults=[])
    tree = ast.Expression(body=ast.copy_location(ast.Lambda(args=params, body=rewritten), body))
    compiled = compile(ast.fix_missing_locations(tree), code.co_filename, "eval")
    return eval(compiled, {"__builtins__": builtins, **_HELPERS})  # noqa: S307 - our own tree


class _Rewriter(ast.NodeTransformer):
    """``and``/``or``/``not``/``in``/``is`` become helper calls; nested scopes stay Python."""

    def visit_BoolOp(self, node: ast.BoolOp) -> ast.expr:
        self.generic_visit(node)
        helper = "__nx_and" if isinstance(node.op, ast.And) else "__nx_or"
        return _call(node, helper, [_thunk(v) for v in node.values])

    def visit_UnaryOp(self, node: ast.UnaryOp) -> ast.expr:
        self.generic_visit(node)
        if isinstance(node.op, ast.Not):
            return _call(node, "__nx_not", [node.operand])
        return node

    def visit_Compare(self, node: ast.Compare) -> ast.expr:
        self.generic_visit(node)
        parts: list[ast.expr] = []
        left = node.left
        for op, right in zip(node.ops, node.comparators, strict=True):
            helper = _COMPARE_HELPERS.get(type(op))
            if helper is None:
                parts.append(ast.copy_location(
                    ast.Compare(left=left, ops=[op], comparators=[right]), node))
            else:
                parts.append(_call(node, helper, [left, right]))
            left = right
        if len(parts) == 1:
            return parts[0]
        return _call(node, "__nx_and", [_thunk(p) for p in parts])

    def _keep(self, node: ast.AST) -> ast.AST:
        return node

    visit_Lambda = visit_ListComp = visit_SetComp = visit_DictComp = _keep
    visit_GeneratorExp = _keep


_COMPARE_HELPERS: dict[type[ast.cmpop], str] = {
    ast.In: "__nx_in", ast.NotIn: "__nx_not_in", ast.Is: "__nx_is", ast.IsNot: "__nx_is_not"}


def _call(at: ast.AST, helper: str, args: list[ast.expr]) -> ast.expr:
    return ast.copy_location(
        ast.Call(func=ast.Name(id=helper, ctx=ast.Load()), args=args, keywords=[]), at)


def _thunk(value: ast.expr) -> ast.expr:
    params = ast.arguments(posonlyargs=[], args=[], kwonlyargs=[], kw_defaults=[], defaults=[])
    return ast.copy_location(ast.Lambda(args=params, body=value), value)
