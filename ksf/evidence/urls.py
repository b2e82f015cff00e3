from django.urls import path

from . import views

app_name = "evidence"
urlpatterns = [
    path("", views.evidence_list, name="list"),
    path("import/", views.evidence_import, name="import"),
    path("<int:pk>/", views.evidence_detail, name="detail"),
    path("koble/<str:public_id>/", views.evidence_link, name="link"),
    path("koble/<str:public_id>/<int:pk>/fjern/", views.evidence_unlink, name="unlink"),
]
