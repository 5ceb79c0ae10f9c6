"""Delivery: the offline HTML reports and the ``dealtree`` command line."""
