"""The base of every model a user writes: frozen, strict, unknown keys refused, and variants
built through validation."""

from __future__ import annotations

from typing import Any, Self

from pydantic import BaseModel, ConfigDict


class SpecModel(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", strict=True)

    def variant(self, **changes: Any) -> Self:
        """This definition with some fields changed, checked as if the user had written it
        (``model_copy(update=...)`` would take ``engine_version="9.9"`` without a word).
        Fields the user left unset stay unset, so defaults that follow the stack still do."""
        data = self.model_dump(by_alias=True, exclude_unset=True)
        for name, value in changes.items():
            data[type(self).model_fields[name].alias or name] = value
        return self.model_validate(data)
