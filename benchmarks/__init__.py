"""Throughput, latency and Redis cost of the bot, in one process: `python -m benchmarks`.

The product runs through each framework's full stack (aiogram's Dispatcher,
python-telegram-bot's Application) with the Bot API stubbed in process, the
sandbox portal's rules in process, and a real Redis (embedded, or REDIS_URL).
Anchors on the same stacks and stream — echo bots, aiogram's FSM with
RedisStorage, PTB's ConversationHandler — say what the frameworks cost before
the product adds anything. See `workload` for the stream and `harness` for
how it is timed.

`python -m benchmarks load` is the other half: the product as deployed, in
webhook mode over real HTTP on loopback with 1 and 2 worker processes sharing
one Redis and one sandbox portal, at fixed offered rates (see `load`).

`python -m benchmarks responsiveness` times each answer of real webhook
workers against a Bot API that enforces Telegram's flood limits (see
`responsiveness`, `telegram_limits`); `python -m benchmarks memory` counts
every Redis key a registering citizen causes (see `memory`).
"""
