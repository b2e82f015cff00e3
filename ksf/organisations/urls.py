from django.urls import path

from . import views

app_name = "organisations"
urlpatterns = [
    path("", views.municipality_list, name="list"),
    path("<str:number>/", views.municipality_detail, name="detail"),
    path("klynge/<slug:slug>/", views.cluster_detail, name="cluster"),
]
