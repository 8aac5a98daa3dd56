"""The registration conversation: pure logic, no Telegram, Redis or HTTP."""
