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
    return (_plain(node, path) if node is not None else None), data


def _plain(node: yaml.Node, path: Path) -> Any:
    if isinstance(node, yaml.MappingNode):
        out = YamlMap(node.start_mark.line + 1)
        for key_node, value_node in node.value:
            key = _plain(key_node, path)
            if not isinstance(key, str):
                raise MappingError(
                    f"{path}: line {key_node.start_mark.line + 1}: a key must be text"
                )
            if key in out:
                raise MappingError(
                    f"{path}: line {key_node.start_mark.line + 1}: '{key}' is given twice "
                    f"(first at line {out.lines[key]})"
                )
            out[key] = _plain(value_node, path)
            out.lines[key] = key_node.start_mark.line + 1
        return out
    if isinstance(node, yaml.SequenceNode):
        return [_plain(item, path) for item in node.value]
    return node.value
