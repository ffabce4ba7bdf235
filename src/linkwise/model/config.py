"""Loading declarative YAML files (manifests, policy packs) into typed models, with errors
that say which file, which key and why."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

M = TypeVar("M", bound=BaseModel)


@dataclass(frozen=True, slots=True)
class Problem:
    where: str
    key: str
    reason: str

    def __str__(self) -> str:
        if self.key:
            return f"{self.where}: {self.key}: {self.reason}"
        return f"{self.where}: {self.reason}"


class ConfigError(Exception):
    """A declarative file that cannot be used, with every problem found."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


class _UniqueKeys(yaml.SafeLoader):
    """YAML's safe loader, refusing a key written twice in one mapping. PyYAML keeps the
    last silently, so a second entry for a marking would quietly replace its rules. Keys a
    merge (``<<: *anchor``) brings in may be overridden, as YAML intends."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        first: dict[Any, yaml.Mark] = {}
        for key_node, _ in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge":
                continue
            key = self.construct_object(key_node, deep=deep)
            try:
                seen = first.setdefault(key, key_node.start_mark)
            except TypeError:
                continue  # an unhashable key: the base class says what is wrong with it
            if seen is not key_node.start_mark:
                raise yaml.constructor.ConstructorError(
                    None,
                    None,
                    f"key {key!r} is given twice (first on line {seen.line + 1})",
                    key_node.start_mark,
                )
        return super().construct_mapping(node, deep=deep)


def read_yaml(path: Path) -> Any:
    where = str(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError([Problem(where, "", "file not found")]) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError([Problem(where, "", f"cannot read: {exc}")]) from exc
    try:
        return yaml.load(text, Loader=_UniqueKeys)  # a SafeLoader: no arbitrary objects
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        key = f"line {mark.line + 1}, column {mark.column + 1}" if mark is not None else ""
        reason = getattr(exc, "problem", None) or str(exc)
        raise ConfigError([Problem(where, key, f"not valid YAML: {reason}")]) from exc


def validate(data: Any, model: type[M], where: str) -> M:
    if not isinstance(data, dict):
        raise ConfigError([Problem(where, "", "expected a mapping of keys to values")])
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise ConfigError(
            [
                Problem(where, ".".join(str(p) for p in err["loc"]), _reason(err))
                for err in exc.errors()
            ]
        ) from exc


def _reason(err: Any) -> str:
    msg = str(err["msg"])
    if err["type"] == "extra_forbidden":
        return "unknown key"
    if err["type"] == "missing":
        return "required key is missing"
    return msg.removeprefix("Value error, ")


def load(path: Path, model: type[M]) -> M:
    return validate(read_yaml(path), model, str(path))
