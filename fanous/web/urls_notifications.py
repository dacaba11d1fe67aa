from django.urls import URLPattern, path

from . import views_notifications as v

urlpatterns: list[URLPattern] = [
    path("notifications/", v.notification_list, name="notifications"),
    path("notifications/badge", v.notification_badge, name="notifications_badge"),
    path("notifications/read-all", v.notification_read_all, name="notifications_read_all"),
    path(
        "notifications/<uuid:notification_id>/read", v.notification_read, name="notification_read"
    ),
    path(
        "notifications/<uuid:notification_id>/open", v.notification_open, name="notification_open"
    ),
]
