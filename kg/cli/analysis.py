"""Commands: placeholder until filled in."""

COMMANDS = []
