app_name = "attempts"
urlpatterns: list = []
