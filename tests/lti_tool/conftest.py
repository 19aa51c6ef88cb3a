"""Fixtures of the web-layer tests: the LTI world (tool + demo LMS over HTTP)."""

from tests.lti_launches import lti_world, shared_lti_world, sqlite_lti_world

__all__ = ["lti_world", "shared_lti_world", "sqlite_lti_world"]
