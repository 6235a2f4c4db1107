"""One validated config: packaged defaults < sources.yaml < CLI flags (DESIGN rule 5).

`load_sources(path)` parses sources.yaml with `yaml.safe_load` semantics, validates it with pydantic
models (unknown keys, wrong types, duplicate ids, bad URLs) and reports each problem as
`file:line: key: message`. A broken `defaults:` block or YAML syntax error makes the whole file
unusable (ConfigError); a broken source entry only disables that source (it is listed in
`SourcesConfig.errors`, and `trends collect` records it as a failure row while the rest runs).
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

SOURCE_TYPES = (
    "press",
    "ministry",
    "municipality",
    "district",
    "it-provider",
    "vendor",
    "research",
    "association",
    "podcast",
)
SourceKind = Literal["feed", "sitemap", "page", "dir"]

# Terms that mark an article as public-sector relevant for `filter: public-sector`
# (prefix match on word starts, case-insensitive). Two distinct hits are required, so a general
# tech article that mentions "Verwaltung" once does not pass.
PUBLIC_SECTOR_TERMS = (
    "verwaltung",
    "kommun",
    "behörde",
    "bürgerservice",
    "bürgeramt",
    "onlinezugangsgesetz",
    "ozg",
    "e-government",
    "egovernment",
    "landkreis",
    "kreis ",
    "gemeinde",
    "rathaus",
    "stadtrat",
    "ministerium",
    "landesregierung",
    "bundesregierung",
    "öffentliche hand",
    "öffentlichen hand",
    "smart city",
    "serviceportal",
    "servicekonto",
    "bürgerportal",
    "register",
    "digitalministerium",
    "public sector",
    "government",
    "municipal",
    "city council",
    "administration",
)


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Defaults(_Strict):
    """Politeness, limits and language applied to every source unless it overrides them."""

    user_agent: str = (
        "trends/0.1 (+https://github.com/trends-nrw/trends; research crawler for quarterly reports)"
    )
    delay: float = Field(1.0, ge=0, description="seconds between two requests to the same host")
    concurrency: int = Field(4, ge=1, le=64, description="hosts fetched in parallel")
    connect_timeout: float = Field(10.0, gt=0)
    read_timeout: float = Field(20.0, gt=0)
    deadline: float = Field(60.0, gt=0, description="whole-download limit per URL, seconds")
    max_bytes: int = Field(
        5_000_000, gt=0, description="cap per response, also after decompression"
    )
    max_redirects: int = Field(5, ge=0, le=20)
    retries: int = Field(2, ge=0, le=10)
    backoff: float = Field(1.0, ge=0, description="first retry waits this long, then doubles")
    max_retry_after: float = Field(120.0, ge=0, description="longest Retry-After we wait for")
    max_articles: int = Field(200, ge=1, description="new articles per source and run")
    max_pages: int = Field(10, ge=1, description="feed pages / listing pages followed per source")
    language: str = "de"
    respect_robots: bool = True
    allow_private_hosts: bool = False


class RelevanceFilter(_Strict):
    require_terms: tuple[str, ...] = ()
    min_hits: int = Field(1, ge=1)


class Source(_Strict):
    """One place to collect from. `kind: page` is a listing page whose article links are followed."""

    id: str = Field(pattern=r"^[a-z0-9][a-z0-9_.-]{0,63}$")
    name: str = ""
    kind: SourceKind
    url: str | None = None
    path: str | None = None
    language: str | None = None
    region: str = ""
    type: Literal[SOURCE_TYPES] = "press"  # type: ignore[valid-type]
    tags: tuple[str, ...] = ()
    verified: bool = True
    enabled: bool = True
    # Article links to follow (regex searched in the absolute URL); for `page` sources required.
    article_pattern: str | None = None
    exclude_pattern: str | None = None
    # `public-sector` (built-in term list) or {require_terms: [...], min_hits: N}. Off-topic
    # articles are stored with relevant=0 and left out of the analysis.
    filter: Literal["none", "public-sector"] | RelevanceFilter = "none"
    max_articles: int | None = Field(None, ge=1)

    @field_validator("url")
    @classmethod
    def _http_url(cls, v: str | None) -> str | None:
        if v is not None and not re.match(r"^https?://[^/\s:]+(:\d+)?(/\S*)?$", v):
            raise ValueError(f"not an http(s) URL: {v!r}")
        return v

    @field_validator("article_pattern", "exclude_pattern")
    @classmethod
    def _regex(cls, v: str | None) -> str | None:
        if v is not None:
            try:
                re.compile(v)
            except re.error as exc:
                raise ValueError(f"not a valid regular expression: {exc}") from None
        return v

    @model_validator(mode="after")
    def _where(self) -> Source:
        if self.kind == "dir":
            if not self.path:
                raise ValueError("kind 'dir' needs `path`")
        elif not self.url:
            raise ValueError(f"kind {self.kind!r} needs `url`")
        return self

    def relevance_terms(self) -> tuple[tuple[str, ...], int]:
        """(terms, min distinct hits); no terms = every article is relevant."""
        if self.filter == "public-sector":
            return PUBLIC_SECTOR_TERMS, 2
        if isinstance(self.filter, RelevanceFilter):
            return tuple(t.lower() for t in self.filter.require_terms), self.filter.min_hits
        return (), 0


class ConfigError(Exception):
    """The config file cannot be used at all. str() is the one-line, file:line message."""


def yaml_error(path: Path | str, exc: yaml.YAMLError) -> str:
    """A YAML parse error as one line with the line number a user opens the file at (sources.yaml,
    taxonomy.yaml and curation.yaml all say it this way)."""
    mark = getattr(exc, "problem_mark", None)
    line = f":{mark.line + 1}" if mark else ""
    problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
    return f"{path}{line}: not valid YAML: {problem}"


@dataclass(frozen=True)
class SourcesConfig:
    path: Path
    defaults: Defaults
    sources: tuple[Source, ...]
    errors: tuple[str, ...]  # "sources.yaml:14: sources[3].url: ..." for entries left out

    def select(self, ids: tuple[str, ...] | list[str] = ()) -> list[Source]:
        """The enabled sources, or exactly the named ones (unknown ids raise ConfigError)."""
        if not ids:
            return [s for s in self.sources if s.enabled]
        known = {s.id: s for s in self.sources}
        missing = [i for i in ids if i not in known]
        if missing:
            raise ConfigError(f"{self.path}: unknown source id(s): {', '.join(missing)}")
        return [known[i] for i in ids]


def _node_at(node: yaml.Node | None, loc: tuple[Any, ...]) -> yaml.Node | None:
    """Walk a composed YAML node along a pydantic error location; stop where the path ends."""
    for part in loc:
        if isinstance(node, yaml.MappingNode):
            match = [(k, v) for k, v in node.value if k.value == part]
            if not match:
                return node
            key, value = match[0]
            node = value if not isinstance(value, yaml.ScalarNode) else key
        elif (
            isinstance(node, yaml.SequenceNode) and isinstance(part, int) and part < len(node.value)
        ):
            node = node.value[part]
        else:
            return node
    return node


def _check_duplicate_keys(node: yaml.Node, path: Path) -> list[str]:
    """PyYAML silently keeps the last of two equal keys; we call it an error instead."""
    problems: list[str] = []
    if isinstance(node, yaml.MappingNode):
        seen: set[str] = set()
        for key, value in node.value:
            if key.value in seen:
                problems.append(f"{path}:{key.start_mark.line + 1}: {key.value}: duplicate key")
            seen.add(key.value)
            problems += _check_duplicate_keys(value, path)
    elif isinstance(node, yaml.SequenceNode):
        for item in node.value:
            problems += _check_duplicate_keys(item, path)
    return problems


def _format(
    path: Path, root: yaml.Node, prefix: tuple[Any, ...], exc: ValidationError
) -> list[str]:
    out = []
    for err in exc.errors():
        loc = prefix + tuple(
            p for p in err["loc"] if not str(p).startswith(("function-after", "literal["))
        )
        node = _node_at(root, loc)
        line = node.start_mark.line + 1 if node is not None else 0
        key = "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in loc).lstrip(".")
        msg = err["msg"].removeprefix("Value error, ")
        if err["type"] == "extra_forbidden":
            msg = "unknown key"
        out.append(f"{path}:{line}: {key}: {msg}")
    return out


def load_sources(path: str | os.PathLike) -> SourcesConfig:
    """Read and validate sources.yaml. Raises ConfigError if the file is unusable as a whole."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(
            f"{path}: not found: `trends init` writes a commented one, --workspace points at "
            "a folder that has one, `trends demo` shows a complete workspace"
        ) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: cannot read: {exc}") from None
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise ConfigError(yaml_error(path, exc)) from None
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise ConfigError(f"{path}:1: expected a mapping with `defaults:` and `sources:`")
    problems = _check_duplicate_keys(root, path) if root is not None else []
    if problems:
        raise ConfigError(problems[0])
    unknown = set(data) - {"defaults", "sources"}
    if unknown:
        key = sorted(unknown)[0]
        line = _node_at(root, (key,)).start_mark.line + 1  # type: ignore[union-attr]
        raise ConfigError(f"{path}:{line}: {key}: unknown key (expected `defaults` and `sources`)")
    try:
        defaults = Defaults.model_validate(data.get("defaults") or {})
    except ValidationError as exc:
        raise ConfigError(_format(path, root, ("defaults",), exc)[0]) from None
    raw_sources = data.get("sources") or []
    if not isinstance(raw_sources, list):
        line = _node_at(root, ("sources",)).start_mark.line + 1  # type: ignore[union-attr]
        raise ConfigError(f"{path}:{line}: sources: expected a list of sources")
    sources: list[Source] = []
    errors: list[str] = []
    seen: dict[str, int] = {}
    for i, raw in enumerate(raw_sources):
        try:
            source = Source.model_validate(raw)
        except ValidationError as exc:
            errors += _format(path, root, ("sources", i), exc)
            continue
        if source.id in seen:
            line = _node_at(root, ("sources", i, "id")).start_mark.line + 1  # type: ignore[union-attr]
            errors.append(
                f"{path}:{line}: sources[{i}].id: duplicate id {source.id!r} (first in sources[{seen[source.id]}])"
            )
            continue
        seen[source.id] = i
        sources.append(source)
    return SourcesConfig(path, defaults, tuple(sources), tuple(errors))


@dataclass(frozen=True)
class Workspace:
    """Where a user's data lives; the repo root is a workspace too (see DESIGN.md)."""

    root: Path

    @classmethod
    def resolve(cls, root: str | os.PathLike | None = None) -> Workspace:
        root = root or os.environ.get("TRENDS_WORKSPACE") or "."
        return cls(Path(root).expanduser().resolve())

    @property
    def sources_yaml(self) -> Path:
        return self.root / "sources.yaml"

    @property
    def taxonomy_yaml(self) -> Path:
        return self.root / "taxonomy.yaml"

    @property
    def taxonomy(self) -> Path | None:
        """The workspace's own taxonomy.yaml, None when it has none (the packaged one applies)."""
        return self.taxonomy_yaml if self.taxonomy_yaml.exists() else None

    @property
    def curation_yaml(self) -> Path:
        return self.root / "curation.yaml"

    @property
    def corpus_db(self) -> Path:
        return self.root / "corpus" / "corpus.sqlite"

    @property
    def models_dir(self) -> Path:
        return self.root / "models"

    @property
    def reports_dir(self) -> Path:
        return self.root / "reports"

    @property
    def templates_dir(self) -> Path:
        return self.root / "templates"
