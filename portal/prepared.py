"""Querysets built and compiled once per process, then run with new values.

A few pages run one large query on every request whose shape never changes, only its values
(the viewer, the plan): the child plan's visibility query with the page's annotations is about
5,000 characters of SQL. Building and compiling it through the ORM cost about 6 ms of CPU a
request, while PostgreSQL ran it in well under 1 ms (PERFORMANCE.md).

``PreparedQuery(build)`` calls ``build(**stand_ins)`` once per process, with a stand-in for
each value: a distinctive integer that the ORM passes on as a query parameter. It compiles the
queryset, notes where each stand-in landed among the parameters, and from then on runs the same
SQL with the real values put in those places. Rows become model instances as the ORM's own
iteration makes them (``select_related`` objects and annotations included, with the database's
converters), so the result is what ``list(build(**values))`` would give.

``build`` must give the same SQL for any values: a value may only be used as a query
parameter, never to choose what the query looks like (check a user's state before, outside
the query), and it must not read the clock or anything else that changes (it runs once).
Compiling refuses a ``build`` whose stand-in does not reach the parameters. There is one
database here; the compiled query is kept for the alias the queryset reads from."""

from django.db import connections
from django.db.models.query import get_related_populators

# Stand-ins: far outside any primary key, and a 32-bit integer (an integer column's range).
_STAND_IN_BASE = -2_000_000_000


class PreparedQuery:
    def __init__(self, build, *names):
        """``build(**{name: value for name in names})`` gives the queryset."""
        self.build = build
        self.names = names
        self._compiled = None  # (sql, params, slots, compiler, database alias)

    def stand_ins(self):
        return {name: _STAND_IN_BASE - i for i, name in enumerate(self.names)}

    def _compile(self):
        stand_ins = self.stand_ins()
        queryset = self.build(**stand_ins)
        compiler = queryset.query.get_compiler(using=queryset.db)
        sql, params = compiler.as_sql()
        slots = {}
        for position, param in enumerate(params):
            for name, stand_in in stand_ins.items():
                if type(param) is int and param == stand_in:
                    slots.setdefault(name, []).append(position)
        missing = set(self.names) - set(slots)
        if missing:
            raise ValueError(f"the query does not take {sorted(missing)} as parameters")
        self._compiled = (sql, tuple(params), slots, compiler, queryset.db)
        return self._compiled

    def all(self, **values):
        """The model instances for ``values`` (every name given to the constructor)."""
        sql, template, slots, compiler, db = self._compiled or self._compile()
        params = list(template)
        for name, positions in slots.items():
            value = int(values[name])
            if not -(2**63) <= value < 2**63:  # no row has it (and no database takes it)
                return []
            for position in positions:
                params[position] = value
        with connections[db].cursor() as cursor:
            cursor.execute(sql, params)
            rows = cursor.fetchall()
        return list(self._instances(compiler, db, rows))

    def first(self, **values):
        found = self.all(**values)
        return found[0] if found else None

    @staticmethod
    def _instances(compiler, db, rows):
        # What django.db.models.query.ModelIterable does with a compiled query's rows.
        select, klass_info, annotation_col_map = compiler.select, compiler.klass_info, compiler.annotation_col_map
        model_cls = klass_info["model"]
        select_fields = klass_info["select_fields"]
        start, end = select_fields[0], select_fields[-1] + 1
        init_list = [f[0].target.attname for f in select[start:end]]
        related_populators = get_related_populators(klass_info, select, db)
        for row in compiler.results_iter([rows]):
            obj = model_cls.from_db(db, init_list, row[start:end])
            for populator in related_populators:
                populator.populate(row, obj)
            for attr_name, col_pos in annotation_col_map.items():
                setattr(obj, attr_name, row[col_pos])
            yield obj
