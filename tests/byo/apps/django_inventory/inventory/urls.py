# mypy: ignore-errors
# (a fixture app: type-checked, if at all, by its own project, in its own environment)
from django.urls import path
from stock import views

urlpatterns = [
    path("healthz", views.healthz),
    path("items/", views.items),
    path("items/<int:item_id>/", views.item),
]
