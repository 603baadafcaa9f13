"""Data sets shipped with qiao (see README.md in this folder for sources and licences)."""
