"""What vulture cannot see being used (scripts/unused_code.py reads this file as code):
names read only by templates, a migration or a library, each with its reader.

Delete an entry when its reader goes; `make lint` then reports the name if nothing else
uses it.
"""

from vulture.whitelist_utils import Whitelist

_ = Whitelist()

# Read by templates only.
_.can_start  # attempts.selectors.StudentExam: attempts/_exam_rows.html
_.can_continue  # attempts.selectors.StudentExam: attempts/_exam_rows.html
_.short  # exams.selectors.PoolView: exams/exam_detail.html
_.question_count  # exams.selectors.ExamDetail: exams/exam_list.html
_.total_points  # exams.selectors.ExamDetail: exams/exam_detail.html
_.has_types  # examforms.forms.ChoiceDialogForm: examforms/_dialog_fields.html
_.bad_rows  # university.importing.records.ImportReport: university/_import_progress.html
_.is_finished  # university.models.ImportJob: university/_import_progress.html
_.seconds_as_minutes  # core.templatetags.words (a filter): exams/exam_detail.html

# Read by a migration only (migrations are not scanned).
_.load_table_1  # examforms.rules_table: migration examforms 0002 loads Table 1 with it

# Set for a library, which reads it.
_.LANGUAGE_CODE  # accounts.middleware: Django's i18n reads request.LANGUAGE_CODE
_.csp_nonce  # core.middleware.CSPMiddleware: templates read request.csp_nonce (django-csp)
_.disabled  # examforms.forms, umkd.forms: Django form fields
_.help_text  # examforms.forms, umkd.forms: Django form fields
_.font  # examforms.exporting: openpyxl cells
_.fill  # examforms.exporting: openpyxl cells
_.freeze_panes  # examforms.exporting: openpyxl worksheet
_.data_type  # core.spreadsheets: openpyxl cells (text stays text)
_.quotePrefix  # core.spreadsheets: openpyxl cells (text stays text)
_.StartElementHandler  # university.importing.read: expat calls it for each element
_.label_from_instance  # exams.forms assignment choice fields: Django's ModelChoiceField
_.Argon2idPasswordHasher  # accounts.hashers: Django loads it by name from PASSWORD_HASHERS

# Called only by tests today: the server's HTML of a cleaned written answer, sanitised
# again; test_content.py checks cleaning through it. The grading pages will show written
# answers with it (docs/ARCHITECTURE.md, "What comes next").
_.render_html  # attempts.content

# Read only by tests today: the verdicts on a face crop's quality. The proctoring app's
# identity check and snapshot flags read them (issue 10; docs/VISION.md, "Quality").
_.blurred  # vision.quality.Quality
_.too_dark  # vision.quality.Quality
_.too_bright  # vision.quality.Quality

# Read by templates: whether a sitting's decision is final (the student's pages show only
# a final one, never a proposal).
_.decision_is_final  # attempts.models.Attempt
_.proposed_label  # attempts.models.DecisionProposal: the reviewers' pages

# Identifying marks: the exam office's page draws the highlighted excerpt; the matched
# text is what the scanner's tests compare.
_.highlighted  # grading.selectors.FlagRow
_.matched  # grading.identifying.Hit

# Read by grading's migration 0002 and the tests' world fixture (both outside vulture's view).
_.load_kazakh_credit  # grading.scale_data

# The archive (grading.archive): WeasyPrint calls the URL fetcher's ``fetch``; zipfile
# reads a ZipInfo's fields when it writes the entry.
_.fetch  # grading.archive._fetcher: weasyprint.urls.URLFetcher.fetch
_.compress_type  # zipfile.ZipInfo
_.external_attr  # zipfile.ZipInfo
_.create_system  # zipfile.ZipInfo

# TASKS_BACKEND=rq: django-rq's rqworker command makes the worker named by RQ["WORKER_CLASS"].
_.Worker  # core.tasks_rq.Worker: settings.RQ
