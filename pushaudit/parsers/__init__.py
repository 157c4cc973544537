"""Parsers that turn raw command output into models."""
