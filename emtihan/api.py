"""The JSON API (django-ninja), mounted at /api/v1/ with OpenAPI at /api/v1/openapi.json.

Each app contributes a router from its ``api.py``; handlers are thin and call the same
services the HTML views call, so permissions are identical.
"""

from ninja import NinjaAPI

from emtihan.accounts.api_auth import BearerTokenAuth, SessionAuthCSRF
from emtihan.core.api import ApiDomainError

api = NinjaAPI(
    title="emtihan API",
    version="1",
    description="Exam-form selection, UMKD materials and (later) exam sitting.",
    auth=[BearerTokenAuth(), SessionAuthCSRF()],
    urls_namespace="api",
)

from emtihan.attempts.api import router as attempts_router  # noqa: E402
from emtihan.examforms.api import router as examforms_router  # noqa: E402
from emtihan.exams.api import router as exams_router  # noqa: E402
from emtihan.proctoring.api import router as proctoring_router  # noqa: E402
from emtihan.umkd.api import router as umkd_router  # noqa: E402

# The sitting's routers first: URL resolution tries the routes in this order, and the
# answer writes and proctoring uploads are most of a server's requests during an exam.
api.add_router("/attempts/", attempts_router)
api.add_router("/proctoring/", proctoring_router)
api.add_router("/exam-forms/", examforms_router)


@api.exception_handler(ApiDomainError)
def domain_error(request, exc: ApiDomainError):
    return api.create_response(
        request, {"detail": exc.message, "errors": exc.errors}, status=exc.status_code
    )


api.add_router("/umkd/", umkd_router)
api.add_router("/exams/", exams_router)
