"""YAML files people edit (plans, params.yaml), read strictly: nothing in them runs, nothing expands.

Aliases are refused (a ten-line alias bomb would otherwise expand to gigabytes), so are tags that
build Python objects and keys given twice (PyYAML would silently keep the last). Every error names
the file, the line and the column.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import yaml

from zonetrack.problems import ERROR, Problem, ProblemsError, shown

MAX_BYTES = 1 << 20  # a plan is a few kilobytes; a megabyte is not a plan
MAX_DEPTH = 50  # a plan nests five levels deep; fifty is no plan
MAX_DIGITS = 30  # a threshold has a few digits; 5,000 is not a number anyone means
# YAML 1.1 (PyYAML's) reads these as booleans and these as octal, hexadecimal, binary or base-60
# numbers: `min: on` would be 1 and `min: 010` 8. Only true/false and plain decimals are taken.
_BOOLEAN_WORDS = re.compile(r"^(?:yes|Yes|YES|no|No|NO|on|On|ON|off|Off|OFF|y|Y|n|N)$")
_SURPRISING_INT = re.compile(r"^[-+]?(?:0[0-9_]+|0[xXbBoO][0-9a-fA-F_]+|[0-9][0-9_]*(?::[0-5]?[0-9])+|.*_.*)$")


class _StrictLoader(yaml.SafeLoader):
    """SafeLoader without aliases, duplicate keys, YAML 1.1's surprising readings or deep nesting."""

    def compose_node(self, parent, index):
        if self.check_event(yaml.AliasEvent):
            event = self.peek_event()
            raise yaml.composer.ComposerError(
                None, None, f"alias *{event.anchor} is not allowed (write the value out)", event.start_mark
            )
        self._depth = getattr(self, "_depth", 0) + 1
        try:
            if self._depth > MAX_DEPTH:
                event = self.peek_event()
                raise yaml.composer.ComposerError(
                    None, None, f"nested more than {MAX_DEPTH} levels deep: not a plan", event.start_mark
                )
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1

    def construct_yaml_bool(self, node):
        if _BOOLEAN_WORDS.match(node.value):
            raise yaml.constructor.ConstructorError(
                None,
                None,
                f"'{shown(node.value)}' is read as a yes/no by YAML: write true or false, or quote it "
                f'("{shown(node.value)}")',
                node.start_mark,
            )
        return super().construct_yaml_bool(node)

    def construct_yaml_int(self, node):
        text = node.value
        if _SURPRISING_INT.match(text):
            raise yaml.constructor.ConstructorError(
                None,
                None,
                f"'{shown(text)}' is read as an octal, hexadecimal or base-60 number by YAML: write it as a plain "
                "decimal (010 → 10), or quote it",
                node.start_mark,
            )
        if len(text.lstrip("+-")) > MAX_DIGITS:
            raise yaml.constructor.ConstructorError(
                None, None, f"a number of {len(text.lstrip('+-')):,} digits: not a threshold", node.start_mark
            )
        return super().construct_yaml_int(node)

    def construct_yaml_float(self, node):
        if len(node.value) > MAX_DIGITS + 10:
            raise yaml.constructor.ConstructorError(
                None, None, f"a number of {len(node.value):,} characters: not a threshold", node.start_mark
            )
        return super().construct_yaml_float(node)

    def construct_mapping(self, node, deep=False):
        seen = {}
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=True)
            if key in seen:
                raise yaml.constructor.ConstructorError(
                    None, None, f"key '{shown(key)}' is given twice (also on line {seen[key] + 1})", key_node.start_mark
                )
            seen[key] = key_node.start_mark.line
        return super().construct_mapping(node, deep=deep)


_StrictLoader.add_constructor("tag:yaml.org,2002:bool", _StrictLoader.construct_yaml_bool)
_StrictLoader.add_constructor("tag:yaml.org,2002:int", _StrictLoader.construct_yaml_int)
_StrictLoader.add_constructor("tag:yaml.org,2002:float", _StrictLoader.construct_yaml_float)


@dataclass
class YamlDocument:
    """A YAML file's data, with the node tree to say on which line a key stands."""

    path: Path
    data: object
    root: yaml.Node | None

    def line_of(self, keys: tuple) -> int | None:
        """The line (1-based) of the deepest key found along a path of keys."""
        node = self.root
        line = node.start_mark.line + 1 if node is not None else None
        for key in keys:
            if isinstance(node, yaml.MappingNode):
                found = next(((k, v) for k, v in node.value if k.value == str(key)), None)
                if found is None:
                    break
                line, node = found[0].start_mark.line + 1, found[1]
            elif isinstance(node, yaml.SequenceNode) and isinstance(key, int) and 0 <= key < len(node.value):
                node = node.value[key]
                line = node.start_mark.line + 1
            else:
                break
        return line


def _control_character(label: str, text: str, error: yaml.reader.ReaderError) -> Problem:
    """A control character (a vertical tab, NUL) pasted into the file, at its line and column."""
    line = text.count("\n", 0, error.position) + 1
    column = error.position - (text.rfind("\n", 0, error.position) + 1) + 1
    return Problem(
        label, line, None, ERROR, f"a control character (U+{error.character:04X}) at column {column}: delete it"
    )


def read_yaml(path: Path, label: str | None = None) -> YamlDocument:
    """Read a YAML file strictly; any problem raises ProblemsError located at its line."""
    label = label or path.as_posix()
    try:
        raw = path.read_bytes()
    except OSError as error:
        raise ProblemsError([Problem(label, None, None, ERROR, f"unreadable file: {error.strerror}")]) from None
    if len(raw) > MAX_BYTES:
        raise ProblemsError(
            [Problem(label, None, None, ERROR, f"{len(raw):,} bytes: too large for a plan or params file")]
        )
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise ProblemsError([Problem(label, None, None, ERROR, f"not UTF-8 text (byte {error.start})")]) from None
    try:
        loader = _StrictLoader(text)
    except yaml.reader.ReaderError as error:
        raise ProblemsError([_control_character(label, text, error)]) from None
    try:
        root = loader.get_single_node()
        data = loader.construct_document(root) if root is not None else None
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line = mark.line + 1 if mark else None
        where = f" (column {mark.column + 1})" if mark else ""
        problem = error.problem or str(error)
        if "'\\t'" in problem or "\t" in problem:
            problem += ": indent with spaces, not tabs"
        if error.problem and "could not determine a constructor" in error.problem:
            problem = f"tag not allowed here: {error.problem.split('for the tag')[-1].strip()}; write plain values"
        raise ProblemsError([Problem(label, line, None, ERROR, f"YAML: {problem}{where}")]) from None
    except yaml.reader.ReaderError as error:
        raise ProblemsError([_control_character(label, text, error)]) from None
    except yaml.YAMLError as error:
        raise ProblemsError([Problem(label, None, None, ERROR, f"YAML: {error}")]) from None
    finally:
        loader.dispose()
    if data is None:
        raise ProblemsError([Problem(label, 1, None, ERROR, "the file is empty (or holds only comments)")])
    return YamlDocument(path, data, root)
