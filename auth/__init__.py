"""Users, organisations, memberships and roles; signing in; and the policy (``auth.policy``): who may see
and do what."""

from flask import Blueprint, Flask

bp = Blueprint("auth", __name__, template_folder="templates")


def init_app(app: Flask) -> None:
    """The policy for every package, the signed-in user for Flask-Login, sign-in and the beheerder's pages,
    ``flask create-beheerder``."""
    from flask_babel import lazy_gettext as _l

    from auth import cli, jobs, labels, policy, services, views  # views: its routes register on bp
    from auth.policy import Action, can
    from core.access import install_policy
    from core.extensions import login_manager
    from core.signals import home_panels

    labels.register()
    install_policy(app, policy)
    services.install_grant_cleanup()
    login_manager.user_loader(views.load_user)
    login_manager.login_view = "auth.login"
    login_manager.login_message = _l("Log in om deze pagina te zien.")
    login_manager.login_message_category = "warning"
    app.jinja_env.globals.update(can=can, Action=Action, language_switch_form=views.language_switch_form)
    home_panels.connect(views.beheer_panel)
    jobs.register(app)
    app.register_blueprint(bp)
    app.cli.add_command(cli.create_beheerder)
