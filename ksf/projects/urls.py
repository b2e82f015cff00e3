from django.urls import path

from . import views

app_name = "projects"
urlpatterns = [
    path("", views.project_list, name="list"),
    path("eksport.<str:fmt>", views.project_export, name="export"),
    path("nytt/", views.project_create, name="create"),
    path("import/", views.project_import, name="import"),
    path("<int:pk>/", views.project_detail, name="detail"),
    path("<int:pk>/endre/", views.project_edit, name="edit"),
    path("<int:pk>/resultater/", views.project_results, name="results"),
    path("<int:pk>/behov/", views.project_link_need, name="link_need"),
    path("<int:pk>/behov/<str:public_id>/fjern/", views.project_unlink_need, name="unlink_need"),
]
