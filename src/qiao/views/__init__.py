"""Saved views of a form (视图): table, kanban, calendar, gallery.

Each kind is a class registered in ``qiao.views.base.registry`` by its module in
``qiao.views.kinds``; adding a kind is adding a module.
"""
