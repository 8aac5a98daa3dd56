"""Operations: the bot's HTTP server (health, readiness, metrics), metrics and logs."""
