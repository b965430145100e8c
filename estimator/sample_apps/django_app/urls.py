from django.urls import include, path

urlpatterns = [path("", include("django_app.shop.urls"))]

handler404 = "django_app.shop.views.not_found"
handler500 = "django_app.shop.views.server_error"
