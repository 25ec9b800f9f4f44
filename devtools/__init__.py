"""Development tools of this repository (not shipped): interpreters, venvs, the wheel matrix."""
