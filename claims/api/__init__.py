"""The REST API (``/api/v1/``): public reads of published records, editor writes, bulk export.

* ``serializers/`` - one module per aggregate; relations are links ``{url, slug, name}``;
* ``views/``       - viewsets: parse, authorise, read through a selector (``claims.selectors``, the
  site's too, with its FilterSets ``claims.selectors.filters``) or call one service
  (``claims.services``, ``claims.pipeline``), serialise;
* ``filters`` (``?search=``), ``pagination``, ``permissions``, ``throttles``, ``exceptions``, ``schema`` - the
  cross-cutting policies, each in one place;
* ``export``       - the versioned bulk export document and its loader (``manage.py export``).

Visibility rule, the same on every route: a reader sees published and retracted records; a
user holding a model's ``view`` permission (editors, reviewers) also sees its drafts at that
model's own list and detail routes. Links to other records, nested lists, ``?expand=``, the
timeline and the export show public records only, for everyone.
"""
