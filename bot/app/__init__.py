"""The application: the command line, settings, the composition root and `regbot run`."""
