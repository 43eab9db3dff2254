"""Achievements: what a badge certifies (an exam, a qualification), with its image."""
