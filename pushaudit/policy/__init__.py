"""The Apple policy pack: versioned YAML, validated into typed models, extendable by the user."""

from pushaudit.policy.loader import PolicyError, load_policy
from pushaudit.policy.model import CourierFacts, HostRule, Policy

__all__ = ["CourierFacts", "HostRule", "Policy", "PolicyError", "load_policy"]
