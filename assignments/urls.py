from django.urls import path

from assignments import views

app_name = "assignments"

urlpatterns = [
    # Who acts on each criterion, and the tasks of section II.
    path(
        "responsibilities/<int:pk>/edit/",
        views.responsibility_edit,
        name="responsibility-edit",
    ),
    path("plans/<int:pk>/tasks/", views.task_list, name="task-list"),
    path("tasks/<int:pk>/edit/", views.task_edit, name="task-edit"),
]
