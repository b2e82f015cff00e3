from django.urls import path

from . import views

app_name = "procurement"
urlpatterns = [
    path("", views.initiative_list, name="list"),
    path("ny/", views.initiative_create, name="create"),
    path("leverandor/registrer/", views.supplier_signup, name="supplier_signup"),
    path("erfaringer/", views.report_search, name="report_search"),
    path("erfaringer/<int:pk>/", views.report_detail, name="report_detail"),
    path("erfaringer/<int:pk>/publiser/", views.report_publish, name="report_publish"),
    path("<int:pk>/", views.initiative_detail, name="detail"),
    path("<int:pk>/endre/", views.initiative_edit, name="edit"),
    path("<int:pk>/publiser/", views.initiative_publish, name="publish"),
    path("<int:pk>/fase/", views.phase_change, name="phase"),
    path("<int:pk>/dokumenter/", views.document_add, name="document_add"),
    path("<int:pk>/bli-med/", views.join_request, name="join"),
    path("<int:pk>/foresporsler/", views.join_requests, name="join_requests"),
    path("<int:pk>/foresporsler/<int:request_pk>/", views.join_decide, name="join_decide"),
    path("<int:pk>/interesse/", views.interest_register, name="interest"),
    path("<int:pk>/sporsmal/", views.question_ask, name="question"),
    path("<int:pk>/sporsmal/<int:question_pk>/svar/", views.question_answer, name="answer"),
    path("<int:pk>/erfaringer/ny/", views.report_create, name="report_create"),
]
