"""pushaudit: prove that Apple devices can activate, enroll and get push notifications through a fleet."""

__version__ = "0.1.0"
