"""The benchmark: its scripts (run.py, inprocess.py) and the synthetic clinic they load
(``manage.py seed_scale``). Not shipped with the apps: the settings install the bench
app only where this folder is, a checkout used for development."""
