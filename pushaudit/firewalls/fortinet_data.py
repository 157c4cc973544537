"""FortiOS knowledge kept as data (fortinet_data.yaml), validated when first loaded."""

from __future__ import annotations

from functools import cache
from importlib import resources

import yaml
from pydantic import BaseModel, ConfigDict, ValidationError


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ConditionalSetting(_Strict):
    reason: str
    inactive: list[str] = []  # values that switch the condition off (e.g. "disable")

    def applies(self, values: list[str]) -> bool:
        return not (len(values) == 1 and values[0] in self.inactive)

    def describe(self, values: list[str]) -> str:
        return self.reason.replace("{values}", ", ".join(values))


class PolicyKnowledge(_Strict):
    neutral: frozenset[str]
    conditional: dict[str, ConditionalSetting]


class ServiceKnowledge(_Strict):
    neutral: frozenset[str]


class FortinetData(_Strict):
    policy: PolicyKnowledge
    service: ServiceKnowledge


class DataFileError(Exception):
    pass


@cache
def fortinet_data() -> FortinetData:
    text = resources.files(__package__ or "pushaudit.firewalls").joinpath("fortinet_data.yaml").read_text()
    try:
        data = FortinetData.model_validate(yaml.safe_load(text))
    except ValidationError as exc:
        raise DataFileError(f"fortinet_data.yaml is invalid: {exc}") from exc
    both = data.policy.neutral & set(data.policy.conditional)
    if both:
        raise DataFileError(f"fortinet_data.yaml: settings both neutral and conditional: {sorted(both)}")
    return data
