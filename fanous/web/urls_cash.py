"""Emergency cash pages (SPEC §8)."""

from django.urls import URLPattern, path

from . import views_cash

urlpatterns: list[URLPattern] = [
    path("cases/<uuid:case_id>/cash/", views_cash.case_cash, name="case_cash"),
    path("cash/approvals/", views_cash.cash_approvals, name="cash_approvals"),
    path("cash/approvals/pending/", views_cash.cash_pending, name="cash_pending"),
    path("cash/requests/<uuid:item_id>/decide/", views_cash.cash_decide, name="cash_decide"),
    path("cash/budgets/", views_cash.budgets, name="cash_budgets"),
    path("cash/budgets/<uuid:budget_id>/", views_cash.budget_edit, name="cash_budget_edit"),
]
