"""Question importers: Moodle XML and GIFT (docs/EXAMS.md)."""
