"""Switching profiles: the profiles read again (config.toml may have just been edited), one chosen, and
the service, the main screen and the poll loop moved to it; the job list stays as it is (the app mixes
this in)."""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from textual import on, work
from textual.message import Message

from stt_tui.service.facade import Service
from stt_tui.service.poll_round import PollRound
from stt_tui.settings.config import CONFIG_FILE, Config, ConfigError, Profile, choose_profile, load_config
from stt_tui.settings.credentials import describe_profiles
from stt_tui.shared.paths import Paths
from stt_tui.tui.keys_in_order import KeyHold
from stt_tui.tui.main.screen import MainScreen
from stt_tui.tui.messages import ActionFailed
from stt_tui.tui.notifying import NotifyingApp
from stt_tui.tui.screens.profiles import ProfileScreen


class ProfileSwitching(NotifyingApp):
    paths: Paths
    profile: Profile
    service: Service | None
    main: MainScreen
    clock: Callable[[], float]
    _rounds: PollRound | None
    _wake: threading.Event

    def usable_service(self) -> Service | None:
        raise NotImplementedError  # the app's: the service, or None after saying why there is none

    def action_switch_profile(self) -> None:
        if self.usable_service() is not None:
            self._read_profiles(self.hold_keys())  # the keys typed after `P` are for the picker

    @dataclass
    class ProfilesReady(Message):
        """The configuration, read again, and each profile's state, for the profile switch."""

        config: Config
        rows: list[dict[str, Any]]
        hold: KeyHold

    @work(thread=True, group="profiles", exclusive=True, exit_on_error=False, description="read profiles")
    def _read_profiles(self, hold: KeyHold) -> None:
        with hold.until_passed_on() as passed_on:
            # Read again: the user may have just edited config.toml.
            try:
                config = load_config(self.paths.config_dir)
                rows = describe_profiles(config)
            except ConfigError as exc:
                self.post_message(ActionFailed(str(exc)))
                return
            self.post_message(self.ProfilesReady(config, rows, hold))
            passed_on()

    @on(ProfilesReady)
    def _profiles_ready(self, event: ProfilesReady) -> None:
        if event.hold.came_late(self, "The profiles"):
            return
        config = event.config
        where = str(config.path or self.paths.config_dir / CONFIG_FILE)

        def chosen(name: str | None) -> None:
            problem = next((row["problem"] for row in event.rows if row["name"] == name), "")
            # The profile in use, picked again, is taken up again if what it lacked has changed.
            if name is None or (name == self.profile.name and bool(problem) == self.main.unready):
                return
            self.config = config
            self.use_profile(choose_profile(config, name), problem)
            if problem:
                self._say_unready(f"Using profile {name}, which cannot work yet.", problem)
            else:
                self.notify(f"Using profile {name}.")

        try:
            self.push_screen(ProfileScreen(event.rows, self.profile.name, where), chosen)
        finally:
            event.hold.release()

    def _say_unready(self, headline: str, problem: str) -> None:
        self.notify(f"{headline} {problem}", severity="warning", timeout=15)

    def use_profile(self, profile: Profile, problem: str = "") -> None:
        """New jobs go to `profile` and its running jobs are polled; the job list stays as it is.
        `problem`: what the profile lacks, said on the status line until it is picked again."""
        old = self.usable_service()
        if old is None:
            return
        self.profile = profile
        self.service = Service(
            self.paths,
            profile,
            old.history,
            clock=self.clock,
            warn=self._warn,
            subtitles=old.subtitles,
            remember_voices=old.remember_voices,
        )
        self.main.show_profile(profile, problem)
        self.main.use_service(self.service)
        if self._rounds is not None:
            self._rounds.switch(self.service)  # polling follows from the loop's next round
        self._wake.set()
