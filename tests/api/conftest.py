"""The API tests share the web tests' demo world (built once per session): the fixtures
are defined in ``tests/web/conftest.py`` and re-exported here, since pytest shows a
conftest's fixtures only to the tests below it. Clients come from ``tests.web.conftest.api``
(a fresh token of the named user, with the case header when a case is given)."""

from __future__ import annotations

from tests.web.conftest import demo_built, demo_copy, demo_ws  # noqa: F401
