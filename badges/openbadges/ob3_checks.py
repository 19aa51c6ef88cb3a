"""The property checks the OB 3.0 shape rules are written with.

A :class:`PropertyChecker` walks one JSON document and turns each broken property into a
finding on a :class:`~badges.openbadges.report.VerificationReport`, with a stable code
(``ob3.required``, ``ob3.value``, ``ob3.uri``, ``ob3.date-time``, ``ob3.type``) and the
path of the property (``credentialSubject.achievement.criteria``), under a prefix when
the document is embedded in another (an endorsement inside a credential). These checks
know JSON and the OB 3.0 value formats (:mod:`badges.openbadges.ob3_values`), not the
classes of the spec: which class needs which property is :mod:`badges.openbadges.ob3_rules`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from badges.openbadges.ob3_values import is_uri, parse_date_time, type_names
from badges.openbadges.report import VerificationReport


def join_path(path: str, name: str) -> str:
    """The path of property ``name`` of the node at ``path`` (the root's path is "")."""
    return f"{path}.{name}" if path else name


class PropertyChecker:
    """Walks one document, appending findings to a report under a path prefix."""

    def __init__(self, report: VerificationReport, prefix: str) -> None:
        self.report = report
        self.prefix = prefix

    def _path(self, path: str) -> str:
        if self.prefix:
            return f"{self.prefix}.{path}" if path else self.prefix
        return path or "$"

    def error(self, code: str, message: str, path: str) -> None:
        self.report.error(code, message, self._path(path))

    def required(self, node: Mapping[str, Any], name: str, path: str) -> bool:
        value = node.get(name)
        if value is None or value == "" or value == [] or value == {}:
            self.error("ob3.required", f"{name} is required", join_path(path, name))
            return False
        return True

    def string(self, node: Mapping[str, Any], name: str, path: str, *, required: bool) -> None:
        if required and not self.required(node, name, path):
            return
        if name in node and not isinstance(node[name], str):
            self.error("ob3.value", f"{name} must be a string", join_path(path, name))

    def uri(self, node: Mapping[str, Any], name: str, path: str, *, required: bool) -> None:
        if required and not self.required(node, name, path):
            return
        if name in node and not is_uri(node[name]):
            self.error("ob3.uri", f"{name} must be a URI", join_path(path, name))

    def date_time(self, node: Mapping[str, Any], name: str, path: str, *, required: bool) -> None:
        if required and not self.required(node, name, path):
            return
        if name in node and parse_date_time(node[name]) is None:
            self.error(
                "ob3.date-time",
                f"{name} must be an RFC 3339 date-time with seconds and a timezone",
                join_path(path, name),
            )

    def types(
        self, node: Mapping[str, Any], path: str, *needed: str, any_of: tuple[str, ...] = ()
    ) -> None:
        """``type`` contains every name of ``needed`` and, if given, one of ``any_of``."""
        if not self.required(node, "type", path):
            return
        names = type_names(node["type"])
        if not names:
            self.error(
                "ob3.value", "type must be a string or an array of strings", join_path(path, "type")
            )
            return
        for name in needed:
            if name not in names:
                self.error("ob3.type", f"type must include {name}", join_path(path, "type"))
        if any_of and not any(name in names for name in any_of):
            self.error(
                "ob3.type", f"type must include one of {', '.join(any_of)}", join_path(path, "type")
            )

    def objects(self, node: Mapping[str, Any], name: str, path: str) -> list[tuple[str, Any]]:
        """The items of an array-valued property with their paths (a lone object is tolerated
        as JSON-LD allows it), reporting non-objects."""
        value = node.get(name)
        if value is None:
            return []
        items = value if isinstance(value, list) else [value]
        found = []
        for index, item in enumerate(items):
            item_path = f"{join_path(path, name)}[{index}]"
            if isinstance(item, Mapping):
                found.append((item_path, item))
            else:
                self.error("ob3.value", f"{name} entries must be objects", item_path)
        return found

    def obj(self, node: Mapping[str, Any], name: str, path: str, *, required: bool) -> Any:
        if required and not self.required(node, name, path):
            return None
        value = node.get(name)
        if value is not None and not isinstance(value, Mapping):
            self.error("ob3.value", f"{name} must be an object", join_path(path, name))
            return None
        return value
