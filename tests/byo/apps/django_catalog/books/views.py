# mypy: ignore-errors
# (a fixture app: type-checked, if at all, by its own project, in its own environment)
from django.http import Http404, JsonResponse
from django.views.generic import DetailView, ListView

from books.models import Book

FIELDS = ("id", "title", "author", "year")


class BookListView(ListView):
    model = Book
    paginate_by = 20


class BookDetailView(DetailView):
    model = Book


def api_books(request):
    rows = list(Book.objects.values(*FIELDS)[:20])
    return JsonResponse({"count": Book.objects.count(), "results": rows})


def api_book(request, pk):
    row = Book.objects.filter(pk=pk).values(*FIELDS).first()
    if row is None:
        raise Http404("no such book")
    return JsonResponse(row)
