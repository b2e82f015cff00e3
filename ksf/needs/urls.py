from django.urls import path
from django.views.generic import TemplateView

app_name = "needs"
urlpatterns = [
    path("", TemplateView.as_view(template_name="includes/placeholder.html", extra_context={"title": "Kunnskapsbehov"}), name="list"),
]
urlpatterns += [
    path("nytt/", TemplateView.as_view(template_name="includes/placeholder.html", extra_context={"title": "Meld et kunnskapsbehov"}), name="create"),
]
urlpatterns += [
    path("<str:public_id>/", TemplateView.as_view(template_name="includes/placeholder.html", extra_context={"title": "Behov"}), name="detail"),
]
