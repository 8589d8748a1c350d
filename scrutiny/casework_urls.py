from django.urls import path

from scrutiny import views

app_name = "scrutiny"

urlpatterns = [
    path("topics/<int:pk>/", views.topic_detail, name="topic-detail"),
]
