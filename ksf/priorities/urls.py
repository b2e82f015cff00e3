"""/prioritering/: rounds, minutes (page and PDF) and municipal decision records (page and memo PDF)."""

from django.urls import path

from . import views

app_name = "priorities"
urlpatterns = [
    path("", views.round_list, name="list"),
    path("ny/", views.round_create, name="create"),
    path("<int:pk>/", views.round_detail, name="detail"),
    path("<int:pk>/endre/", views.round_edit, name="edit"),
    path("<int:pk>/status/", views.round_status, name="status"),
    path("<int:pk>/kriterier/", views.round_criteria, name="criteria"),
    path("<int:pk>/kriterier/<int:criterion_pk>/fjern/", views.criterion_remove, name="criterion_remove"),
    path("<int:pk>/deltakere/", views.participant_invite, name="invite"),
    path("<int:pk>/deltakere/<int:participant_pk>/fjern/", views.participant_remove, name="participant_remove"),
    path("<int:pk>/behov/", views.candidate_add, name="candidate_add"),
    path("<int:pk>/behov/<str:public_id>/fjern/", views.candidate_remove, name="candidate_remove"),
    path("<int:pk>/poeng/", views.round_score, name="score"),
    path("<int:pk>/vedtak/<str:public_id>/", views.round_decide, name="decide"),
    path("<int:pk>/referat/", views.round_minutes, name="minutes"),
    path("<int:pk>/referat.pdf", views.round_minutes_pdf, name="minutes_pdf"),
    path("beslutninger/", views.record_list, name="records"),
    path("beslutninger/ny/", views.record_create, name="record_create"),
    path("beslutninger/<int:pk>/", views.record_detail, name="record"),
    path("beslutninger/<int:pk>/endre/", views.record_edit, name="record_edit"),
    path("beslutninger/<int:pk>/publiser/", views.record_publish, name="record_publish"),
    path("beslutninger/<int:pk>/notat.pdf", views.record_pdf, name="record_pdf"),
]
