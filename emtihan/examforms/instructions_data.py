"""The instructions shown at the top of the teacher's page and inside the edit dialog.

General ones (no platform) are shown on the page; per-platform ones appear in the dialog
as the platform changes. Editable in admin afterwards; video links are left for the
university to fill in (its videos live on its own servers).
"""

from __future__ import annotations

# (platform, form, order, (title kk, ru, en), (text kk, ru, en))
INSTRUCTIONS: list[tuple[str, str, int, tuple[str, str, str], tuple[str, str, str]]] = [
    ("", "", 1,
     ("Қорытынды емтихан бағдарламасы – барлық формалар үшін міндетті",
      "Программа итогового экзамена – обязательна для всех форм",
      "Final-exam programme – mandatory for every form"),
     ("1. ПОӘК-де «Пән бойынша қорытынды емтихан бағдарламасы» бөлімінде емтихан бағдарламасымен бірге емтихан өткізу технологиясы мен әдістемесі туралы нұсқаулықты жүктеңіз (барлық ақпарат – бір құжатта).\n2. Бағдарлама ПОӘК-де жүктелгеннен кейін ғана «Қорытынды емтихан бағдарламасы» өрісінде көрінеді. Бірнеше файл болса, тізімнен қажеттісін таңдаңыз.",
      "1. В УМКД, в разделе «Программа итогового экзамена по дисциплине», загрузите программу экзамена вместе с инструкцией о технологии и методике проведения экзамена (вся информация – в одном документе).\n2. Программа появится в поле «Программа итогового экзамена» только после загрузки в УМКД. Если файлов несколько, выберите нужный из списка.",
      "1. In UMKD, section \"Final-exam programme for the discipline\", upload the exam programme together with the instructions on the technology and method of the exam (all the information in ONE document).\n2. The programme appears in the \"Final-exam programme\" field only after it is uploaded to UMKD. If there are several files, pick the right one from the list.")),
    ("", "", 2,
     ("Таңдау қалай жасалады",
      "Как сделать выбор",
      "How to make the choice"),
     ("Тізімнен пән мен топты бір рет басып таңдаңыз, «Өңдеу» батырмасын басыңыз. Платформаны, форманы және түрді таңдаңыз (тізімдер 1-кестеге сәйкес бір-біріне тәуелді), қажет болса қосымша ақпаратты толтырыңыз, бағдарламаны таңдап, «Тексеруге жіберу» батырмасын басыңыз. Кафедра меңгерушісі бекіткенге дейін таңдауды өзгертуге болады.",
      "Выберите дисциплину и группу в списке одним щелчком и нажмите «Изменить». Выберите платформу, форму и тип (списки зависят друг от друга по таблице 1), при необходимости заполните дополнительную информацию, выберите программу и нажмите «Отправить на проверку». До утверждения заведующим кафедрой выбор можно изменить.",
      "Click the discipline and group once in the list, then press \"Edit\". Pick the platform, form and type (the lists depend on each other as Table 1 says), fill in the additional information where needed, pick the programme and press \"Send for review\". You can change the choice until the head of department approves it.")),
    ("OQYLYQ", "", 1,
     ("Oqylyq ҚОЖ: жазбаша емтихан", "СДО Oqylyq: письменный экзамен", "Oqylyq LMS: written exam"),
     ("Студенттер емтиханды прокторингпен (камера, микрофон, бетті тану) тапсырады. Сұрақтарға дәстүрлі жазбаша жауап беріледі. Қосымша ақпаратты толтырмаңыз.",
      "Студенты сдают экзамен с прокторингом (камера, микрофон, идентификация лица). Ответы на вопросы – традиционные письменные. Дополнительную информацию не заполняйте.",
      "Students sit the exam under proctoring (camera, microphone, face identification) and write traditional answers to questions. Leave the additional information empty.")),
    ("UNIVER", "", 1,
     ("UNIVER жүйесі: жазбаша, тестілеу, ауызша", "Система UNIVER: письменный, тестирование, устный", "UNIVER: written, testing, oral"),
     ("Жазбаша және тестілеу үшін қосымша ақпаратты толтырмаңыз. Ауызша емтихан үшін бейнеконференция платформасын көрсетіңіз: MS Teams, BigBlueButton, Zoom немесе басқа.",
      "Для письменного экзамена и тестирования дополнительную информацию не заполняйте. Для устного экзамена укажите платформу ВКС: MS Teams, BigBlueButton, Zoom либо иную.",
      "For the written exam and testing leave the additional information empty. For the oral exam give the video-conference platform: MS Teams, BigBlueButton, Zoom or another.")),
    ("MOODLE", "", 1,
     ("Moodle ҚОЖ: жазбаша, тестілеу, аралас", "СДО Moodle: письменный, тестирование, смешанный", "Moodle LMS: written, testing, mixed"),
     ("Жазбаша емтиханның түрін таңдаңыз: жоба, кейс, эссе немесе шығармашылық тапсырма. Аралас емтихан екі бөлімнен тұрады (№ 1, № 2 Miro тақталарымен, № 3). Қосымша ақпаратты толтырмаңыз.",
      "Выберите тип письменного экзамена: проект, кейс, эссе или творческое задание. Смешанный экзамен состоит из двух частей (№ 1, № 2 с досками Miro, № 3). Дополнительную информацию не заполняйте.",
      "Pick the type of written exam: project, case, essay or creative task. A mixed exam has two parts (No. 1, No. 2 with Miro boards, No. 3). Leave the additional information empty.")),
    ("ALTERNATIVE", "", 1,
     ("Балама әдіс: сертификат негізінде кредитті қайта есептеу", "Альтернативный метод: перезачёт кредитов по сертификату", "Alternative method: credit transfer based on a certificate"),
     ("Қосымша ақпаратта онлайн курстардың платформаларын көрсетіңіз: Coursera, Stepik, edX және т.б.",
      "В дополнительной информации укажите платформы онлайн-курсов: Coursera, Stepik, edX и др.",
      "In the additional information give the online-course platforms: Coursera, Stepik, edX, ...")),
    ("STARTEXAM", "", 1,
     ("StartExam: тестілеу (тек медицина және денсаулық сақтау)", "StartExam: тестирование (только медицина и здравоохранение)", "StartExam: testing (medicine and healthcare only)"),
     ("StartExam тек медицина және денсаулық сақтау факультеттерінің пәндері үшін қолжетімді. Қосымша ақпаратты толтырмаңыз.",
      "StartExam доступен только для дисциплин факультетов медицины и здравоохранения. Дополнительную информацию не заполняйте.",
      "StartExam is available only for disciplines of medicine-and-healthcare faculties. Leave the additional information empty.")),
]  # fmt: skip
