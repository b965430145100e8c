from django.apps import AppConfig


class ShopConfig(AppConfig):
    name = "django_app.shop"
    label = "shop"
    default_auto_field = "django.db.models.AutoField"

    def ready(self) -> None:
        from django.db.backends.signals import connection_created

        connection_created.connect(_configure_sqlite, dispatch_uid="shop.configure_sqlite")


def _configure_sqlite(sender: object, connection: object, **kwargs: object) -> None:
    """The same PRAGMAs on every connection as the other apps (WAL, busy timeout...)."""
    from common.dbfile import configure_connection

    if getattr(connection, "vendor", None) == "sqlite":
        configure_connection(connection.connection)  # type: ignore[attr-defined]
