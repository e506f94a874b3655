"""Hot reads: one-row ORM reads whose SQL is compiled once per thread, not per request.

The sitting's hot paths (a heartbeat, a camera snapshot, a voice clip) each start with
one read of a row and its related rows (``select_related(...).only(...)``, starting from
a policy's queryset). The database answers such a read in a fraction of a millisecond;
compiling it (the joins, the deferred columns, the WHERE) costs the web worker more than
that on every request: about a third of a snapshot upload's Python CPU, measured with
py-spy (docs/BENCHMARKS.md). A ``HotRead`` compiles its queryset once per thread, with
stand-in values for its parameters, and from then on runs that SQL with the request's
values and makes the instances exactly as the ORM does (``Model.from_db``, the related
instances in the relations' caches, the database's converters), so what a service gets
is what ``.first()`` would have given it: the same columns read, the others deferred.

The queryset still comes from the policy and the model (``build``): nothing of who may
read what is written twice. What it must satisfy (checked when compiling, else
``ImproperlyConfigured``): its SQL does not depend on the values (two compilations with
different stand-ins give the same SQL), and each value is a parameter of its own.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any, Generic, TypeVar

from django.core.exceptions import ImproperlyConfigured
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models import Model, QuerySet
from django.db.models.query import get_related_populators  # type: ignore[attr-defined]  # the ORM's own step (ModelIterable), not in the stubs

M = TypeVar("M", bound=Model)

# Stand-ins for the values while compiling: integers no real key takes, two sets, so that
# a value that changed the SQL (or hid in another parameter) is caught.
_STAND_INS = (-7_300_000_000_001, -7_300_000_000_101)


class _Compiled:
    def __init__(self, read: HotRead[Any], alias: str) -> None:
        first = read.build(**read.stand_ins(0)).using(alias)[:1]
        second = read.build(**read.stand_ins(1)).using(alias)[:1]
        self.compiler = first.query.get_compiler(using=alias)
        self.sql, params = self.compiler.as_sql()
        sql_again, params_again = second.query.get_compiler(using=alias).as_sql()
        if sql_again != self.sql or len(params_again) != len(params):
            raise ImproperlyConfigured(f"{read.name}: the SQL depends on the values")
        self.params = list(params)
        # position of each parameter that is one of the values: the value's name
        named = {(read.stand_ins(0)[n], read.stand_ins(1)[n]): n for n in read.names}
        self.slots: dict[int, str] = {}
        for position, (a, b) in enumerate(zip(params, params_again, strict=True)):
            name = named.get((a, b))
            if name is not None:
                self.slots[position] = name
            elif a != b:
                raise ImproperlyConfigured(f"{read.name}: a parameter derives from a value")
        if sorted(self.slots.values()) != sorted(read.names):
            raise ImproperlyConfigured(f"{read.name}: each value must be one parameter")
        klass_info = self.compiler.klass_info
        select = self.compiler.select
        self.model = klass_info["model"]
        fields = klass_info["select_fields"]
        self.start, self.end = fields[0], fields[-1] + 1
        self.init_list = [f[0].target.attname for f in select[self.start : self.end]]
        self.populators = get_related_populators(klass_info, select, alias)
        self.alias = alias


class HotRead(Generic[M]):
    """``HotRead(name, build, values)``: ``build(**values)`` returns the queryset (called
    only while compiling, with stand-ins); ``read.first(**values)`` returns its first
    instance, or None."""

    def __init__(
        self, name: str, build: Callable[..., QuerySet[M]], names: tuple[str, ...]
    ) -> None:
        self.name = name
        self.build = build
        self.names = names
        self._local = threading.local()

    def stand_ins(self, which: int) -> dict[str, int]:
        return {name: _STAND_INS[which] - n for n, name in enumerate(self.names)}

    def _compiled(self, alias: str) -> _Compiled:
        # Per thread: a compiler holds its thread's connection.
        compiled = getattr(self._local, alias, None)
        if compiled is None:
            compiled = _Compiled(self, alias)
            setattr(self._local, alias, compiled)
        return compiled

    def first(self, using: str = DEFAULT_DB_ALIAS, **values: int) -> M | None:
        if set(values) != set(self.names):
            raise TypeError(f"{self.name} takes {', '.join(self.names)}")
        compiled = self._compiled(using)
        params = list(compiled.params)
        for position, name in compiled.slots.items():
            params[position] = values[name]
        with connections[using].cursor() as cursor:
            cursor.execute(compiled.sql, params)
            row = cursor.fetchone()
        if row is None:
            return None
        # The ORM's own steps from here (ModelIterable): converters, the instance, the
        # related instances.
        row = next(iter(compiled.compiler.results_iter(results=[[row]])))
        obj = compiled.model.from_db(
            compiled.alias, compiled.init_list, row[compiled.start : compiled.end]
        )
        for populator in compiled.populators:
            populator.populate(row, obj)
        return obj
