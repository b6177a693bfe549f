"""The main screen and its two panes: the file side (what is sent from the folders) and the job side (what
is done to jobs). They compose the widgets of widgets/ and open the dialogs of screens/."""
