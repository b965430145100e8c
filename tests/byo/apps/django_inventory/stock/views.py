# mypy: ignore-errors
# (a fixture app: type-checked, if at all, by its own project, in its own environment)
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse

from stock.models import Item


def healthz(request: HttpRequest) -> HttpResponse:
    return HttpResponse("ok")


def items(request: HttpRequest) -> JsonResponse:
    rows = list(Item.objects.order_by("id").values("id", "name", "quantity")[:20])
    return JsonResponse({"items": rows, "total": Item.objects.count()})


def item(request: HttpRequest, item_id: int) -> JsonResponse:
    row = Item.objects.filter(id=item_id).values("id", "name", "quantity").first()
    if row is None:
        raise Http404("no such item")
    return JsonResponse(row)
