"""Helpers the test tiers share: real servers, real worker processes, signed requests."""
