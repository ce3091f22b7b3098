from django.urls import path

from devices import views

urlpatterns = [
    path("auth/login/disown/", views.LoginDisownView.as_view(), name="auth-login-disown"),
]
