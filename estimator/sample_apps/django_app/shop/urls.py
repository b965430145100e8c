from django.urls import path

from django_app.shop import views

urlpatterns = [
    path("healthz", views.healthz),
    path("api/products", views.product_list),
    path("api/products/<int:product_id>", views.product_detail),
    path("api/orders", views.create_order),
    path("api/orders/<int:order_id>", views.order_detail),
    path("report", views.report),
    path("compute", views.compute),
    path("upstream", views.upstream),
]
