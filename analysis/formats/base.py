"""What every file format shares: one strict base model, field types, one loader.

Every format is a pydantic model deriving from :class:`StrictModel` (unknown
keys are errors, values are frozen). :func:`read_model` is the one way a
file becomes a model: find it (a path, or a name in its folder), read it
safely (:mod:`analysis.formats.source`), check that it is a mapping, validate
it, and turn every validation error into a located
:class:`~analysis.core.errors.Problem`.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any, ClassVar, Generic, TypeVar

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    TypeAdapter,
    ValidationError,
)

from ..core.errors import Problem, ScenarioError
from ..core.paths import resolve_named_file
from ..core.text import first_control, short_repr
from .problems import problems_from_validation_error
from .source import Document, read_yaml

__all__ = [
    "ClaimId",
    "Colour",
    "Count",
    "Id",
    "LoadedFile",
    "Positive",
    "Printable",
    "Probability",
    "StrictModel",
    "Text",
    "Title",
    "json_schema_text",
    "read_model",
    "validate_document",
]

Id = Annotated[
    str,
    StringConstraints(pattern=r"^[a-z][a-z0-9_]*$", max_length=48),
    Field(description="Lowercase letters, digits and underscores, starting with a letter."),
]
ClaimId = Annotated[
    str,
    StringConstraints(pattern=r"^[a-z][a-z0-9-]*\.[a-z0-9][a-z0-9-]*$", max_length=96),
    Field(description="A claim id from the scenario's sources (seeds/ for the project's), "
          "e.g. 'ceasefire-facts.truce-2008-06'."),
]


def _printable(value: str) -> str:
    """Refuse characters that would steer a terminal or reorder text where it is shown."""
    found = first_control(value)
    if found is not None:
        raise ValueError(f"got {short_repr(value)}, which holds the control character "
                         f"{found.encode('unicode_escape').decode('ascii')}; expected "
                         "printable text (tabs and newlines are fine)")
    return value


#: Text without control characters (see :func:`analysis.core.text.first_control`).
Printable = Annotated[str, AfterValidator(_printable)]
#: Free text shown to readers: labels, titles, questions, descriptions.
Text = Annotated[str, StringConstraints(max_length=2000), AfterValidator(_printable)]
Title = Annotated[str, StringConstraints(min_length=1, max_length=200),
                  AfterValidator(_printable)]
Probability = Annotated[float, Field(ge=0, le=1, allow_inf_nan=False)]
Positive = Annotated[float, Field(gt=0, le=1e6, allow_inf_nan=False)]
Count = Annotated[int, Field(ge=0, le=1_000_000, strict=True)]
Colour = Annotated[
    str,
    StringConstraints(pattern=r"^#[0-9a-fA-F]{6}$"),
    Field(description="A colour as '#rrggbb'."),
]

_Model = TypeVar("_Model", bound=BaseModel)


class StrictModel(BaseModel):
    """The base of every file format: unknown keys are errors, values are frozen."""

    # Built on first use: a file validates against its outer model only, so the nested
    # models' own validators (and formats a command never reads) cost nothing at import.
    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True)


@dataclass(frozen=True, eq=False)
class LoadedFile(Generic[_Model]):
    """A validated file of dated entries: its model, and its document for locating problems.

    Subclasses name the list of entries (``section``: ``"items"``, ``"questions"``).
    """

    model: _Model
    document: Document = field(repr=False)
    source: str
    section: ClassVar[str] = ""

    @property
    def id(self) -> str:
        """The file's id."""
        return self.model.id

    def problem(self, index: int, *loc: str | int, message: str) -> Problem:
        """Return a problem located at ``<section>[index].<loc>`` in the file."""
        return self.document.problem((self.section, index, *loc), message)


def read_model(path_or_name: str | Path, model: type[_Model], *, folder: Path, what: str,
               keys: str) -> tuple[_Model, Document, Path]:
    """Find, read and validate one file.

    Parameters
    ----------
    path_or_name : str or Path
        A path, or the name of a file in ``folder`` (without ``.yaml``).
    model : pydantic model class
        The format.
    folder : Path
        Where names are looked up.
    what : str
        What the file is, for messages (``"evidence log"``).
    keys : str
        What the mapping holds, for the message when the file is not one
        (``"with id, title and items"``).

    Returns
    -------
    (model, Document, Path)

    Raises
    ------
    ScenarioError
        Listing every problem, each with file, line, location and message.
    """
    path = resolve_named_file(path_or_name, folder, what)
    doc = read_yaml(path)
    return validate_document(doc, model, keys=keys), doc, path


def validate_document(doc: Document, model: type[_Model], *, keys: str) -> _Model:
    """Validate a read document against ``model``; raise a located ScenarioError."""
    if not isinstance(doc.data, dict):
        raise ScenarioError([doc.problem((), f"got {type(doc.data).__name__}, expected a "
                                             f"mapping {keys}")])
    try:
        return model.model_validate(doc.data)
    except ValidationError as exc:
        raise ScenarioError(problems_from_validation_error(exc, doc, model)) from None


def json_schema_text(model: Any, title: str) -> str:
    """Return the JSON Schema (draft 2020-12) of a model or union, as formatted JSON text."""
    schema = TypeAdapter(model).json_schema(by_alias=True)
    schema = {"$schema": "https://json-schema.org/draft/2020-12/schema", **schema,
              "title": title}  # the title marks a schema dealtree wrote (and may replace)
    return json.dumps(schema, indent=2) + "\n"
