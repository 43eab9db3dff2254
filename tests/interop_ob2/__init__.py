"""Interop tests: 1EdTech's Open Badges 2.0 validator run as an oracle on what we issue."""
