"""Switching the profile new jobs go to: read config.toml again, list the profiles, use the one chosen."""

from __future__ import annotations

from typing import TYPE_CHECKING

from stt_tui.settings.config import CONFIG_FILE, ConfigError, choose_profile, load_config
from stt_tui.settings.credentials import describe_profiles
from stt_tui.tui.messages import ActionFailed, ProfilesReady
from stt_tui.tui.screens.profiles import ProfileScreen

if TYPE_CHECKING:
    from stt_tui.tui.app import SttApp


class ProfileSwitch:
    def __init__(self, app: SttApp) -> None:
        self.app = app

    def ask(self) -> None:
        """Read the profiles in a worker (the user may have just edited config.toml), then list them."""
        self.app.run_worker(self._load, thread=True, group="profiles", exclusive=True, exit_on_error=False,
                            description="read profiles")  # fmt: skip

    def _load(self) -> None:
        try:
            config = load_config(self.app.paths.config_dir)
            rows = describe_profiles(config)
        except ConfigError as exc:
            self.app.post_message(ActionFailed(str(exc)))
            return
        self.app.post_message(ProfilesReady(config, rows))

    def show(self, event: ProfilesReady) -> None:
        config, app = event.config, self.app
        where = str(config.path or app.paths.config_dir / CONFIG_FILE)

        def chosen(name: str | None) -> None:
            if name is None or name == app.profile.name:
                return
            app.config = config
            app.use_profile(choose_profile(config, name))
            problem = next((row["problem"] for row in event.rows if row["name"] == name), "")
            if problem:
                app.notify(f"Profile {name} is not ready: {problem}.", severity="warning", timeout=15)
            else:
                app.notify(f"Using profile {name}.")

        app.push_screen(ProfileScreen(event.rows, app.profile.name, where), chosen)
