"""The in-app inbox as the API shows it."""

from rest_framework import serializers

from services.notifications.models import Notification


class NotificationSerializer(serializers.ModelSerializer):
    is_read = serializers.SerializerMethodField(help_text="已读 / read")

    class Meta:
        model = Notification
        fields = ["id", "kind", "title", "body", "url", "created_at", "read_at", "is_read"]
        read_only_fields = fields

    def get_is_read(self, notification: Notification) -> bool:
        return notification.read_at is not None


class ReadAllSerializer(serializers.Serializer):
    marked = serializers.IntegerField(help_text="本次标为已读的条数 / how many were marked read")
    unread_count = serializers.IntegerField(help_text="剩余未读数 / unread left")
