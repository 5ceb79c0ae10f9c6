"""The file formats: safe YAML, located problems, and the models of every file.

Scenario files, the seeds digest, evidence logs and resolutions files are each
a pydantic model deriving from one strict base (:mod:`.base`); a file is read
once, safely (:mod:`.source`), and every problem names its file, line and place.
"""
