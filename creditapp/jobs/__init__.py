"""Work that reaches the training code (``training``) on the app's behalf.

DESIGN.md lets creditapp import ``training`` only from its command-line and job code, so the
serving path never loads it; pages that need it (the model registry's comparison) call a job
here, which imports ``training`` only when it runs.
"""
