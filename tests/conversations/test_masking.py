"""Codes and passwords hidden inside what a citizen writes to staff, the rest of the sentence kept."""

from __future__ import annotations

import pytest

from conversations.masking import MASK, mask_secrets

M = MASK


@pytest.mark.parametrize(("said", "code_pending", "shown"), [
    # a code after a word for it, with or without tone marks, on any keyboard
    ("mã 123456", False, f"mã {M}"),
    ("Em nhận được mã 123456 nhưng không vào được", False, f"Em nhận được mã {M} nhưng không vào được"),
    ("OTP la 654321", False, f"OTP la {M}"),
    ("mã OTP của tôi là: ６５４３２１ ạ", False, f"mã OTP của tôi là: {M} ạ"),
    ("code là 123 456, đúng không?", False, f"code là {M}, đúng không?"),
    ("Mã xác nhận 4321", False, f"Mã xác nhận {M}"),
    # a password after a word for it, when it has a digit or a symbol, or follows a colon
    ("mk: Abc@12345", False, f"mk: {M}"),
    ("mat khau Sao-Mai#2026", False, f"mat khau {M}"),
    ("Mật khẩu mới là hoamai123 mà không được", False, f"Mật khẩu mới là {M} mà không được"),
    ("password: sunflower.", False, f"password: {M}."),
    # a word that would pass the portal's password rule, anywhere
    ("tôi đặt Abc@12345 rồi.", False, f"tôi đặt {M} rồi."),
    # while a code is pending, any number of its length
    ("tôi gõ 123456 mà báo sai", True, f"tôi gõ {M} mà báo sai"),
    ("tôi gõ 123 456 mà báo sai", True, f"tôi gõ {M} mà báo sai"),
    # what staff need to read stays
    ("tôi gõ 123456 mà báo sai", False, "tôi gõ 123456 mà báo sai"),
    ("mật khẩu của tôi bị sai", False, "mật khẩu của tôi bị sai"),
    ("mật khẩu là gì?", False, "mật khẩu là gì?"),
    ("sinh ngày 05/09/1990, số 082 123 4088", True, "sinh ngày 05/09/1990, số 082 123 4088"),
    ("Mã số định danh 001090012345", False, "Mã số định danh 001090012345"),
    ("mã 0821234088 là số điện thoại", False, "mã 0821234088 là số điện thoại"),
    ("email An.Nguyen90@gmail.com", False, "email An.Nguyen90@gmail.com"),
    ("Tôi chưa nhận được mã", True, "Tôi chưa nhận được mã"),
])
def test_secrets_inside_a_sentence_are_hidden_and_the_rest_is_kept(said: str, code_pending: bool, shown: str) -> None:
    assert mask_secrets(said, code_pending) == shown


def test_two_secrets_in_one_message_are_both_hidden() -> None:
    assert mask_secrets("OTP 123456, mk: Abc@12345") == f"OTP {M}, mk: {M}"
