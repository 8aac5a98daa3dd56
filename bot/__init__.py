"""Everything at the edge: settings, storage, portal, i18n, console, CLI."""
