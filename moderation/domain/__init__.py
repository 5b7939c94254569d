"""The pure domain: scores, decisions and the decision policy. No framework imports here."""
