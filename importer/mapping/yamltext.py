"""Reading a mapping file's YAML into plain dicts, lists and strings, keeping line numbers.

Every scalar stays a string (PyYAML's BaseLoader): an admin who writes ``options: [Yes, No]``
or ``country_code: 044`` means the text, not a boolean or the number 44. The loader turns
the few keys that are numbers or flags into them itself, with a clear message when it can't.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from importer.errors import MappingError
from importer.wording import quoted

ALIAS_LIMIT = 10_000  # values that YAML aliases may repeat in one mapping file


class YamlMap(dict[str, Any]):
    """A YAML mapping that remembers the line of each key (1-based) for messages."""

    def __init__(self, line: int) -> None:
        super().__init__()
        self.line = line
        self.lines: dict[str, int] = {}


def read_yaml(path: Path) -> tuple[Any, bytes]:
    """The document in ``path`` and the file's bytes; MappingError on any syntax error."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise MappingError(f"{path}: cannot read the mapping file ({exc.strerror})") from None
    try:
        text = data.decode("utf-8-sig")
        node = yaml.compose(text, Loader=yaml.BaseLoader)
    except UnicodeDecodeError:
        raise MappingError(f"{path}: the mapping file is not UTF-8 text") from None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        raise MappingError(f"{path}: YAML syntax error{where}: {exc.problem}") from None
    return (_Plain(path).value(node) if node is not None else None), data


class _Plain:
    """Node -> plain value, counting what aliases repeat.

    ``yaml.compose`` keeps an alias as a second reference to the same node, so a
    "billion laughs" file composes quickly but would expand into a billion strings here.
    Aliases are allowed (a shared options list is handy), but what they repeat is capped.
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        self.seen: set[int] = set()
        self.repeated = 0

    def value(self, node: yaml.Node, through_alias: bool = False) -> Any:
        again = through_alias or id(node) in self.seen
        self.seen.add(id(node))
        if again:
            self.repeated += 1
            if self.repeated > ALIAS_LIMIT:
                raise MappingError(
                    f"{self.path}: line {node.start_mark.line + 1}: YAML aliases (*name) repeat "
                    f"more than {ALIAS_LIMIT:,} values; write the values out instead"
                )
        if isinstance(node, yaml.MappingNode):
            return self._mapping(node, again)
        if isinstance(node, yaml.SequenceNode):
            return [self.value(item, again) for item in node.value]
        return node.value

    def _mapping(self, node: yaml.MappingNode, again: bool) -> YamlMap:
        out = YamlMap(node.start_mark.line + 1)
        for key_node, value_node in node.value:
            key = self.value(key_node, again)
            line = key_node.start_mark.line + 1
            if not isinstance(key, str):
                raise MappingError(f"{self.path}: line {line}: a key must be text")
            if key in out:
                raise MappingError(
                    f"{self.path}: line {line}: {quoted(key)} is given twice "
                    f"(first at line {out.lines[key]})"
                )
            out[key] = self.value(value_node, again)
            out.lines[key] = line
        return out
