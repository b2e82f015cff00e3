from django.urls import path
from django.views.generic import TemplateView

app_name = "priorities"
urlpatterns = [
    path("", TemplateView.as_view(template_name="includes/placeholder.html", extra_context={"title": "Prioritering"}), name="list"),
]
