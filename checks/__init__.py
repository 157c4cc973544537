"""Checks. Each module in this package registers its checks; adding a check means adding a file."""
