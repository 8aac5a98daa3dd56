"""The help desk: staff in a forum supergroup take over citizens' dialogs, pass them on and give them back."""
