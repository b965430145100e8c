"""A locustfile without any User class."""

RATE = 3
