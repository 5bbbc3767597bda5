"""Custom fields: the org's fields (with their options) and an incident's values of them.

`GET /v2/custom_fields` lacks what the forms need (whether incident.io asks for a field at
declaration, whether it is required); the v1 list has both, and each field's options
(`CustomFieldV1.options`, required by the schema). Catalog-backed fields (`catalog_type_id`)
take catalog entries, not options: the bot does not offer them.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

SELECT_TYPES = ("single_select", "multi_select")
FIELD_TYPES = (*SELECT_TYPES, "text", "link", "numeric")


class _Model(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True, populate_by_name=True)


class CustomFieldOption(_Model):
    id: str
    value: str
    sort_key: int = 1000


class CustomField(_Model):
    id: str
    name: str
    description: str = ""
    field_type: str
    catalog_type_id: str | None = None
    options: tuple[CustomFieldOption, ...] = ()
    show_before_creation: bool = False
    # never | before_resolution | always: only "always" is asked for at declaration.
    required_v2: str | None = None
    required: str | None = None  # the older attribute: never | before_closure | always

    @property
    def offered(self) -> bool:
        """Whether the bot's forms can hold it: a type it knows, with options of its own."""
        return self.field_type in FIELD_TYPES and self.catalog_type_id is None

    @property
    def required_at_creation(self) -> bool:
        return (self.required_v2 or self.required) == "always"

    @property
    def asked_at_creation(self) -> bool:
        return self.offered and (self.show_before_creation or self.required_at_creation)

    def sorted_options(self) -> list[CustomFieldOption]:
        return sorted(self.options, key=lambda o: (o.sort_key, o.value.casefold()))


class EmbeddedOption(_Model):
    id: str
    value: str = ""


class CustomFieldValue(_Model):
    value_option: EmbeddedOption | None = None
    value_text: str | None = None
    value_link: str | None = None
    value_numeric: str | None = None


class EmbeddedField(_Model):
    id: str
    name: str = ""
    field_type: str = ""


class CustomFieldEntry(_Model):
    custom_field: EmbeddedField
    values: list[CustomFieldValue] = Field(default_factory=list)

    def shown(self) -> tuple[str, ...]:
        """The values as the forms hold them: option ids for selects, else the text."""
        out: list[str] = []
        for v in self.values:
            if v.value_option is not None:
                out.append(v.value_option.id)
            else:
                text = v.value_text or v.value_link or v.value_numeric
                if text:
                    out.append(text)
        return tuple(out)
