from django.urls import path

from . import views

app_name = "monitor"
urlpatterns = [
    path("", views.stats_page, name="stats"),
    path("data/<slug:slug>.<str:fmt>", views.figure_download, name="download"),
    path("region/<slug:code>/", views.region_page, name="region"),
    path("apne-data/siste/", views.open_data_latest, name="open_data_latest"),
    path("apne-data/bygg/", views.open_data_build, name="open_data_build"),
    path("apne-data/<str:name>", views.open_data_file, name="open_data_file"),
]
