"""The formula function library, one module per category; each module registers its
functions with ``qiao.formula.registry.function`` when imported (``registry.load_all``)."""
