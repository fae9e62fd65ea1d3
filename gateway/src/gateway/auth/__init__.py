"""Who is calling: bearer tokens for the API, server-side sessions for the portal."""
