"""Reading the QR code on a citizen's CCCD card from a photo."""
