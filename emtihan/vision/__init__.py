"""Image analysis for proctoring (faces, gaze, a second person, a phone in view), kept free
of Django: plain functions over pixels, so they can be tested and benchmarked without a
database and run in a worker of their own.

Empty until the proctoring issue fills it; the import-linter contract "vision imports no
Django" (pyproject.toml) holds from the first module on: nothing here may import Django,
django-ninja, the task queue or any emtihan app, directly or through another module.
"""
