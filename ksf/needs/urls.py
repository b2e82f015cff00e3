"""/behov/: public list, exports, feeds, registration, personal pages, queues and one need."""

from django.urls import path

from . import feeds, views

app_name = "needs"
urlpatterns = [
    path("", views.need_list, name="list"),
    path("nytt/", views.need_create, name="create"),
    path("eksport.csv", views.export_csv, name="export_csv"),
    path("eksport.xlsx", views.export_xlsx, name="export_xlsx"),
    path("mine/", views.my_needs, name="mine"),
    path("ko/klynge/", views.work_queue, {"kind": "cluster"}, name="queue_cluster"),
    path("ko/region/", views.work_queue, {"kind": "region"}, name="queue_region"),
    path("ko/nasjonal/", views.work_queue, {"kind": "national"}, name="queue_national"),
    path("ko/oppdrag/", views.work_queue, {"kind": "partner"}, name="queue_partner"),
    path("feed/nye/", feeds.NewNeedsFeed(), name="feed_new"),
    path("feed/nye/region/<slug:region>/", feeds.NewNeedsFeed(), name="feed_new_region"),
    path("feed/nye/tjeneste/<slug:service_area>/", feeds.NewNeedsFeed(), name="feed_new_area"),
    path("feed/besvarte/", feeds.AnsweredNeedsFeed(), name="feed_answered"),
    path("feed/besvarte/region/<slug:region>/", feeds.AnsweredNeedsFeed(), name="feed_answered_region"),
    path("feed/besvarte/tjeneste/<slug:service_area>/", feeds.AnsweredNeedsFeed(), name="feed_answered_area"),
    path("<str:public_id>/", views.need_detail, name="detail"),
    path("<str:public_id>/endre/", views.need_edit, name="edit"),
    path("<str:public_id>/status/", views.need_transition, name="transition"),
    path("<str:public_id>/relevant/", views.need_endorse, name="endorse"),
    path("<str:public_id>/folg/", views.need_follow, name="follow"),
    path("<str:public_id>/kommentar/", views.need_comment, name="comment"),
]
