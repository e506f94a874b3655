from ninja import Router

router = Router(tags=["exam-forms"])
